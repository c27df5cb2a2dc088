import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateSecretsKey,
  isSealed,
  loadOrCreateSecretsKey,
  SECRETS_KEY_FILE,
  SecretsKey,
  SecretsKeyError,
  secretsKeyBytes,
} from './secret-box.ts';
import { newTotpSecret } from './totp.ts';

const KEY = generateSecretsKey();
const OTHER_KEY = generateSecretsKey();
const secret = fc.oneof(fc.string({ maxLength: 64 }), fc.constant(newTotpSecret()));
const context = fc.string({ minLength: 1, maxLength: 40 });
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('secret box (AES-256-GCM)', () => {
  it('opens what it sealed, for the same context, in the v1 text form', () => {
    fc.assert(
      fc.property(secret, context, (plain, ctx) => {
        const sealed = KEY.seal(plain, ctx);
        expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
        expect(isSealed(sealed)).toBe(true);
        expect(KEY.open(sealed, ctx)).toBe(plain);
      }),
    );
  });

  it('draws a fresh nonce for every seal', () => {
    const plain = newTotpSecret();
    const seen = new Set(Array.from({ length: 200 }, () => KEY.seal(plain, 'a').split('.')[1]));
    expect(seen.size).toBe(200);
  });

  it('refuses the value with any one character changed', () => {
    fc.assert(
      fc.property(secret, context, fc.nat(), fc.integer({ min: 1, max: 255 }), (plain, ctx, at, by) => {
        const sealed = KEY.seal(plain, ctx);
        const i = at % sealed.length;
        const changed = String.fromCharCode((sealed.charCodeAt(i) + by) % 256);
        expect(KEY.open(sealed.slice(0, i) + changed + sealed.slice(i + 1), ctx)).toBeUndefined();
      }),
    );
  });

  it('refuses the value with any byte of nonce, ciphertext or tag flipped', () => {
    fc.assert(
      fc.property(secret, context, fc.nat(), fc.integer({ min: 1, max: 255 }), (plain, ctx, at, mask) => {
        const [, nonce, body] = KEY.seal(plain, ctx).split('.') as [string, string, string];
        const bytes = Buffer.concat([Buffer.from(nonce, 'base64url'), Buffer.from(body, 'base64url')]);
        const i = at % bytes.length;
        bytes[i]! ^= mask;
        const tampered = `v1.${bytes.subarray(0, 12).toString('base64url')}.${bytes.subarray(12).toString('base64url')}`;
        expect(KEY.open(tampered, ctx)).toBeUndefined();
      }),
    );
  });

  it('refuses a character swapped for another base64url one (no spare bits let it through)', () => {
    fc.assert(
      fc.property(secret, context, fc.nat(), fc.nat(), (plain, ctx, at, pick) => {
        const sealed = KEY.seal(plain, ctx);
        const i = 3 + (at % (sealed.length - 3));
        if (sealed[i] === '.') return;
        const others = B64URL.replace(sealed[i]!, '');
        const swapped = sealed.slice(0, i) + others[pick % others.length] + sealed.slice(i + 1);
        expect(KEY.open(swapped, ctx)).toBeUndefined();
      }),
    );
  });

  it('refuses it for another context (another account)', () => {
    fc.assert(
      fc.property(secret, context, context, (plain, ctx, other) => {
        fc.pre(ctx !== other);
        expect(KEY.open(KEY.seal(plain, ctx), other)).toBeUndefined();
      }),
    );
  });

  it('refuses it under another key', () => {
    fc.assert(
      fc.property(secret, context, (plain, ctx) => {
        expect(OTHER_KEY.open(KEY.seal(plain, ctx), ctx)).toBeUndefined();
      }),
    );
  });

  it('refuses anything malformed without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), context, (junk, ctx) => {
        expect(KEY.open(junk, ctx)).toBeUndefined();
        expect(KEY.open(`v1.${junk}`, ctx)).toBeUndefined();
      }),
    );
    const sealed = KEY.seal('JBSWY3DPEHPK3PXP', 'a');
    for (const bad of ['', 'v1.', 'v1..', 'v2.x.y', `${sealed}.x`, sealed.slice(0, 20), `${sealed}=`]) {
      expect(KEY.open(bad, 'a'), bad).toBeUndefined();
    }
    expect(KEY.open(null as unknown as string, 'a')).toBeUndefined();
  });

  it('never shows the key in JSON or inspection', () => {
    const bytes = Buffer.alloc(32, 7);
    const key = new SecretsKey(bytes);
    const shown = `${JSON.stringify({ key })} ${inspect(key)} ${inspect({ key }, { showHidden: true })}`;
    expect(shown).not.toContain(bytes.toString('base64'));
    expect(shown).not.toContain('7, 7, 7');
    expect(shown).not.toContain('0707');
  });

  it('reads a key only as exactly 32 bytes of base64', () => {
    const b64 = Buffer.alloc(32, 1).toString('base64');
    expect(secretsKeyBytes(b64)).toEqual(Buffer.alloc(32, 1));
    expect(secretsKeyBytes(`${b64}\n`)).toEqual(Buffer.alloc(32, 1));
    expect(secretsKeyBytes(Buffer.alloc(32, 0xfb).toString('base64url'))).toEqual(Buffer.alloc(32, 0xfb));
    for (const bad of ['', 'short', Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64')])
      expect(secretsKeyBytes(bad), bad).toBeUndefined();
    // Spare bits set in the last character: not the canonical spelling of any key.
    expect(secretsKeyBytes(`${b64.slice(0, 42)}F=`)).toBeUndefined();
    expect(() => new SecretsKey(new Uint8Array(16))).toThrow(SecretsKeyError);
  });
});

describe('the secrets key file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guarantor-secrets-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is made on first use with mode 0600, and the same key is read back', () => {
    const key = loadOrCreateSecretsKey(dir);
    const file = join(dir, SECRETS_KEY_FILE);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(secretsKeyBytes(readFileSync(file, 'utf8'))).toHaveLength(32);
    const sealed = key.seal('JBSWY3DPEHPK3PXP', 'acct');
    expect(loadOrCreateSecretsKey(dir).open(sealed, 'acct')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses a file others can read, or one that holds no key', () => {
    const other = mkdtempSync(join(dir, 'x-'));
    const file = join(other, SECRETS_KEY_FILE);
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    expect(() => loadOrCreateSecretsKey(other)).toThrow(/does not hold 32 bytes/);
    if (process.platform !== 'win32') {
      writeFileSync(file, `${Buffer.alloc(32).toString('base64')}\n`);
      chmodSync(file, 0o644);
      expect(() => loadOrCreateSecretsKey(other)).toThrow(/readable by others/);
    }
  });
});
