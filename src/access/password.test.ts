import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  needsRehash,
  PASSWORD_MAX,
  PASSWORD_MIN,
  passwordLength,
  passwordProblem,
  verifyPassword,
} from './password.ts';

describe('password policy', () => {
  it('accepts exactly the lengths from 12 to 1024 characters, whatever they are made of', () => {
    // Characters NFKC leaves alone, from one to two UTF-16 units each.
    const char = fc.constantFrom('a', 'Z', '7', ' ', 'Ж', 'ї', 'é', '€', '😀', '🇺', '\u{1F1E6}');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 1100 }), (chars) => {
        const n = chars.length;
        const problem = passwordProblem(chars.join(''));
        if (n < PASSWORD_MIN) expect(problem).toBe('too_short');
        else if (n > PASSWORD_MAX) expect(problem).toBe('too_long');
        else expect(problem).toBeUndefined();
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (password) => {
        const n = passwordLength(password);
        expect(passwordProblem(password) === 'too_short').toBe(n < PASSWORD_MIN);
      }),
    );
  });

  it('counts characters, not UTF-16 units', () => {
    expect(passwordLength('🇺🇦🇺🇦🇺🇦')).toBe(6);
    expect(passwordProblem('ключ-від-дому')).toBeUndefined();
    expect(passwordProblem('😀'.repeat(11))).toBe('too_short');
  });

  it('refuses the username as the password', () => {
    expect(passwordProblem('Analyst.Smith', 'analyst.smith')).toBe('same_as_username');
  });
});

describe('argon2id hashing', () => {
  it('hashes with argon2id and verifies only the same password, after normalisation', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(stored)).toBe(false);
    expect(await verifyPassword(stored, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse batterY')).toBe(false);
    // Full-width letters are the same password once NFKC-normalised.
    const wide = await hashPassword('ｐａｓｓｗｏｒｄ-long-1');
    expect(await verifyPassword(wide, 'password-long-1')).toBe(true);
  });

  it('answers false, without throwing, for no account, a damaged hash or a huge password', async () => {
    expect(await verifyPassword(null, 'whatever password')).toBe(false);
    expect(await verifyPassword('not a hash', 'whatever password')).toBe(false);
    expect(await verifyPassword(await hashPassword('x'.repeat(20)), 'x'.repeat(100_000))).toBe(false);
    expect(
      needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A'),
    ).toBe(true);
  });

  it('takes about as long for an unknown account as for a known one', async () => {
    const stored = await hashPassword('a known password');
    const time = async (work: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = process.hrtime.bigint();
        await work();
        samples.push(Number(process.hrtime.bigint() - t));
      }
      return samples.sort((a, b) => a - b)[3]!;
    };
    await verifyPassword(null, 'warm up the dummy');
    const known = await time(() => verifyPassword(stored, 'a wrong password'));
    const unknown = await time(() => verifyPassword(null, 'a wrong password'));
    // The same argon2id work either way; the bound is loose so a busy machine does not fail it.
    expect(unknown / known).toBeGreaterThan(0.4);
    expect(unknown / known).toBeLessThan(2.5);
  });
});
