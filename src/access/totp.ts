/**
 * TOTP (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1, 30-second steps, 6 digits, accepted one step either
 * side of now for clock drift. A code is good once: the caller keeps the last step accepted and a
 * code of that step or an earlier one is refused, so a code seen over someone's shoulder is spent.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32Decode, base32Encode } from './base32.ts';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;
/** 160 bits, the HMAC-SHA-1 block-size recommendation of RFC 4226 section 4. */
const SECRET_BYTES = 20;

export function newTotpSecret(): string {
  return base32Encode(randomBytes(SECRET_BYTES));
}

export function timeStep(now: Date, stepSeconds = TOTP_STEP_SECONDS): number {
  return Math.floor(now.getTime() / 1000 / stepSeconds);
}

/** RFC 4226 HOTP of `counter` with a raw key. */
export function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function totpAt(secret: string, now: Date, digits = TOTP_DIGITS): string {
  const key = base32Decode(secret);
  if (!key) throw new Error('the TOTP secret is not base32');
  return hotp(key, timeStep(now), digits);
}

/**
 * The step whose code `code` is, within the window around `now` and after `lastStep`; undefined when
 * the code is wrong, malformed or already used.
 */
export function verifyTotp(
  secret: string,
  code: string,
  now: Date,
  lastStep: number | null,
  digits = TOTP_DIGITS,
): number | undefined {
  const key = base32Decode(secret);
  if (!key || key.length === 0) return undefined;
  const given = Buffer.from(code.replace(/\s/g, ''));
  if (given.length !== digits || !/^[0-9]+$/.test(given.toString())) return undefined;
  const current = timeStep(now);
  let matched: number | undefined;
  // Every step in the window is computed and compared, so the time taken says nothing about which matched.
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step++) {
    const same = timingSafeEqual(Buffer.from(hotp(key, step, digits)), given);
    if (same && matched === undefined && (lastStep === null || step > lastStep)) matched = step;
  }
  return matched;
}

/** The otpauth:// URI an authenticator app reads from a QR code (Google Authenticator key URI format). */
export function otpauthUri(secret: string, issuer: string, accountName: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = new URLSearchParams({
    secret,
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`;
}
