import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { utf8 } from './bytes.ts';
import { nodeEd25519 } from './ed25519-node.ts';
import { DEFAULT_ORIGIN, LOG_KEY_FILE, loadOrCreateLogKey } from './log-key.ts';
import { ed25519Verifier } from './note.ts';

describe('the log key', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'guarantor-key-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is created once, private, and signs what its verifier key accepts', () => {
    const dir = fresh();
    const key = loadOrCreateLogKey(dir);
    expect(key.origin).toBe(DEFAULT_ORIGIN);
    const file = join(dir, LOG_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^PRIVATE\+KEY\+guarantor\.invalid\/ledger\+[0-9a-f]{8}\+/);
    expect(loadOrCreateLogKey(dir).vkey).toBe(key.vkey);
    const text = utf8('hello\n');
    expect(ed25519Verifier(key.vkey, nodeEd25519).verify(text, key.signer.sign(text))).toBe(true);
  });

  it('refuses a key for another origin or readable by others', () => {
    const dir = fresh();
    loadOrCreateLogKey(dir, 'one.invalid/log');
    expect(() => loadOrCreateLogKey(dir, 'two.invalid/log')).toThrow('is for origin one.invalid/log');
    chmodSync(join(dir, LOG_KEY_FILE), 0o644);
    expect(() => loadOrCreateLogKey(dir, 'one.invalid/log')).toThrow('readable by others');
  });
});
