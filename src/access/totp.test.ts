import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from './base32.ts';
import { hotp, newTotpSecret, otpauthUri, timeStep, totpAt, verifyTotp } from './totp.ts';

const RFC_SECRET = base32Encode(new TextEncoder().encode('12345678901234567890'));

describe('base32 (RFC 4648)', () => {
  it('matches the RFC 4648 section 10 vectors, without padding', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(base32Decode(`${encoded.toLowerCase()}===`))).toBe(plain);
    }
  });

  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
      }),
    );
  });

  it('refuses what is not base32', () => {
    expect(base32Decode('MZXW1')).toBeUndefined();
    expect(base32Decode('MZ!W')).toBeUndefined();
  });
});

describe('TOTP (RFC 6238)', () => {
  it('gives the SHA-1 codes of RFC 6238 Appendix B', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    expect(RFC_SECRET).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    for (const [seconds, code] of vectors) {
      expect(totpAt(RFC_SECRET, new Date(seconds * 1000), 8)).toBe(code);
      expect(verifyTotp(RFC_SECRET, code, new Date(seconds * 1000), null, 8)).toBe(Math.floor(seconds / 30));
    }
  });

  it('gives the HOTP values of RFC 4226 Appendix D for counters 0 to 9', () => {
    const key = new TextEncoder().encode('12345678901234567890');
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(expected.map((_, i) => hotp(key, i))).toEqual(expected);
  });

  it('accepts a code one step either side of now, not two', () => {
    const secret = newTotpSecret();
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 2 ** 31 }), fc.integer({ min: -3, max: 3 }), (step, offset) => {
        const now = new Date(step * 30_000 + 12_345);
        const code = totpAt(secret, new Date((step + offset) * 30_000));
        const matched = verifyTotp(secret, code, now, null);
        if (Math.abs(offset) <= 1) expect(matched).toBe(step + offset);
        // Another step's code may coincide with one in the window (one in a million); never with a far one.
        else if (matched !== undefined) expect(Math.abs(matched - step)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('refuses a code of the step already used, or an earlier one', () => {
    const secret = newTotpSecret();
    const now = new Date('2026-11-30T12:00:10.000Z');
    const code = totpAt(secret, now);
    const step = verifyTotp(secret, code, now, null);
    expect(step).toBe(timeStep(now));
    expect(verifyTotp(secret, code, now, step!)).toBeUndefined();
    expect(verifyTotp(secret, code, new Date(now.getTime() + 30_000), step!)).toBeUndefined();
    const next = new Date(now.getTime() + 30_000);
    expect(verifyTotp(secret, totpAt(secret, next), next, step!)).toBe(step! + 1);
  });

  it('refuses malformed codes and secrets without throwing', () => {
    const secret = newTotpSecret();
    const now = new Date();
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (code) => {
        fc.pre(!/^\d{6}$/.test(code.replace(/\s/g, '')));
        expect(verifyTotp(secret, code, now, null)).toBeUndefined();
      }),
    );
    expect(verifyTotp('not base32!', '123456', now, null)).toBeUndefined();
    expect(verifyTotp('', '123456', now, null)).toBeUndefined();
  });

  it('makes 160-bit secrets and an otpauth URI an authenticator app reads', () => {
    const secret = newTotpSecret();
    expect(base32Decode(secret)).toHaveLength(20);
    const uri = new URL(otpauthUri(secret, 'Guarantor', 'a.b@example'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Guarantor:a.b@example');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret,
      issuer: 'Guarantor',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    expect(otpauthUri(secret, 'Guarantor Test', 'x')).toContain('issuer=Guarantor%20Test');
  });
});
