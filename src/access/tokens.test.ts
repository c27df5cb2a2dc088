import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_TOKEN_PREFIX,
  hashToken,
  isApiTokenShaped,
  isTokenShaped,
  newApiToken,
  newToken,
  tokenMatches,
} from './tokens.ts';

describe('tokens', () => {
  it('are 256 random bits in base64url, API tokens with the gtr_ prefix', () => {
    const token = newToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(isTokenShaped(token)).toBe(true);
    const api = newApiToken();
    expect(api.startsWith(API_TOKEN_PREFIX)).toBe(true);
    expect(isApiTokenShaped(api)).toBe(true);
    expect(isApiTokenShaped(token)).toBe(false);
    expect(isTokenShaped(api)).toBe(false);
    expect(new Set(Array.from({ length: 1000 }, newToken)).size).toBe(1000);
  });

  it('are stored as their SHA-256 and matched against it', () => {
    const token = newToken();
    const stored = hashToken(token);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(token);
    expect(tokenMatches(token, stored)).toBe(true);
    fc.assert(
      fc.property(fc.string(), (other) => {
        fc.pre(other !== token);
        expect(tokenMatches(other, stored)).toBe(false);
      }),
    );
  });

  it('recognise only their own shape', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        if (isTokenShaped(s)) expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
        if (isApiTokenShaped(s)) expect(s).toMatch(/^gtr_[A-Za-z0-9_-]{43}$/);
      }),
    );
  });
});
