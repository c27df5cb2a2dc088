import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanOptional, cleanText } from './sanitize.ts';

describe('cleanText', () => {
  it('leaves no control, format or separator character and keeps within the length', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 1, max: 300 }),
        (s, max) => {
          const out = cleanText(s, max);
          expect(out).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u);
          expect([...out].length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });

  it('cannot start a new log line or reverse text', () => {
    expect(cleanText('Mozilla\r\n2026-11-30 sign_in ok admin')).toBe('Mozilla 2026-11-30 sign_in ok admin');
    expect(cleanText('abc\u202Eevil\u2028x\u0000')).toBe('abc evil x');
    expect(cleanText('ok', 200)).toBe('ok');
    expect(cleanOptional('\u0007')).toBeNull();
    expect(cleanOptional(undefined)).toBeNull();
  });
});
