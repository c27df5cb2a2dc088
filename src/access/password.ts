/**
 * Passwords: argon2id hashes, a length-only policy (NIST SP 800-63B and OWASP ASVS 5.0 both advise
 * length over composition rules), and a verify that costs the same whether or not the account exists.
 */
import { randomBytes } from 'node:crypto';
import { type Algorithm, hash, parseOptions, verify } from '@node-rs/argon2';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

/**
 * OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): about 15 to 30 ms here, cheap enough that
 * sign-in cannot be used to exhaust the server, dear enough to slow an offline guesser.
 */
export const ARGON2_OPTIONS = {
  // `Algorithm` is an ambient const enum, which isolated modules cannot read; 2 is Argon2id.
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export type PasswordProblem = 'too_short' | 'too_long' | 'same_as_username';

/** Compatibility-normalised (NFKC, as SP 800-63B asks), so the same password typed on any keyboard matches. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in characters (code points), as a person counts them, after normalisation. */
export function passwordLength(password: string): number {
  return [...normalisePassword(password)].length;
}

export function passwordProblem(password: string, username?: string): PasswordProblem | undefined {
  const length = passwordLength(password);
  if (length < PASSWORD_MIN) return 'too_short';
  if (length > PASSWORD_MAX) return 'too_long';
  if (username !== undefined && normalisePassword(password).toLowerCase() === username.toLowerCase()) {
    return 'same_as_username';
  }
  return undefined;
}

export const PASSWORD_PROBLEMS: Record<PasswordProblem, string> = {
  too_short: `a password has at least ${PASSWORD_MIN} characters`,
  too_long: `a password has at most ${PASSWORD_MAX} characters`,
  same_as_username: 'a password must not be the username',
};

export function hashPassword(password: string): Promise<string> {
  return hash(normalisePassword(password), ARGON2_OPTIONS);
}

let dummy: Promise<string> | undefined;

/** A hash of nothing anyone knows, made with today's parameters, to verify against when there is no account. */
function dummyHash(): Promise<string> {
  dummy ??= hash(randomBytes(32).toString('base64url'), ARGON2_OPTIONS);
  return dummy;
}

/**
 * Whether `password` matches `stored`. With no stored hash (unknown account) the same argon2id work is
 * done against a dummy hash and the answer is false, so the time taken does not tell whether the
 * account exists. An over-long password is checked against the dummy too, for the same reason.
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  const tooLong = password.length > PASSWORD_MAX * 4;
  const candidate = tooLong ? '' : normalisePassword(password);
  if (stored === null || tooLong) {
    await verify(await dummyHash(), candidate).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, candidate);
  } catch {
    // A malformed stored hash is a wrong password, not a crash; the dummy keeps the timing even.
    await verify(await dummyHash(), candidate).catch(() => false);
    return false;
  }
}

/** True when `stored` was made with weaker or other parameters than today's, so it should be remade. */
export function needsRehash(stored: string): boolean {
  try {
    const o = parseOptions(stored);
    return (
      o.algorithm !== ARGON2_OPTIONS.algorithm ||
      o.memoryCost !== ARGON2_OPTIONS.memoryCost ||
      o.timeCost !== ARGON2_OPTIONS.timeCost ||
      o.parallelism !== ARGON2_OPTIONS.parallelism
    );
  } catch {
    return true;
  }
}
