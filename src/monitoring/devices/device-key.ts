/**
 * Which Ed25519 public keys a device may enrol with. A key must be the canonical encoding of a point
 * on the curve and must not be of small order: a small-order key lets anyone forge signatures that
 * some verifiers accept, so it could never bind a report to its device. Pure and browser-safe.
 */

const P = 2n ** 255n - 19n;
const D = mod(-121665n * inverse(121666n));
const SQRT_M1 = power(2n, (P - 1n) / 4n);

/** y-coordinates of the points of order 1, 2, 4 and 8 (x is then fixed up to sign). */
const SMALL_ORDER_Y = new Set([
  1n,
  P - 1n,
  0n,
  2707385501144840649318225287225658788936804267575313519463743609750303402022n,
  55188659117513257062467267217118295137698188065244968500265048394206261417927n,
]);

function mod(a: bigint): bigint {
  const r = a % P;
  return r >= 0n ? r : r + P;
}

function power(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

function inverse(a: bigint): bigint {
  return power(a, P - 2n);
}

export type KeyProblem = 'wrong_length' | 'non_canonical' | 'not_on_curve' | 'small_order';

/** Null when the 32-byte key is acceptable, else why not. */
export function publicKeyProblem(key: Uint8Array): KeyProblem | null {
  if (key.length !== 32) return 'wrong_length';
  const sign = key[31]! >> 7;
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? key[i]! & 0x7f : key[i]!);
  if (y >= P) return 'non_canonical';
  // Recover x from y (RFC 8032, 5.1.3).
  const y2 = (y * y) % P;
  const u = mod(y2 - 1n);
  const v = mod(D * y2 + 1n);
  let x = mod(u * power(v, 3n) * power(u * power(v, 7n), (P - 5n) / 8n));
  const vx2 = mod(v * x * x);
  if (vx2 !== u) {
    if (vx2 !== mod(-u)) return 'not_on_curve';
    x = mod(x * SQRT_M1);
  }
  if (x === 0n && sign === 1) return 'non_canonical';
  if (SMALL_ORDER_Y.has(y)) return 'small_order';
  return null;
}
