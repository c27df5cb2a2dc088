/**
 * Ed25519 in plain JavaScript for the browser and the CLI verifier, accepting exactly the
 * signatures node:crypto (OpenSSL 3) accepts. Two verifiers that disagree on one edge-case
 * signature would let a log show a checkpoint that one member state accepts and another rejects, so
 * the acceptance rule is OpenSSL's, re-stated here step by step rather than left to a library's
 * defaults: @noble/ed25519's default (ZIP-215, cofactored) accepts hundreds of the CCTV vectors
 * OpenSSL rejects, and its strict mode rejects keys OpenSSL accepts.
 *
 * The rule (OpenSSL crypto/ec/curve25519.c, ossl_ed25519_verify and ge_frombytes_vartime):
 *
 * 1. The key is 32 bytes and the signature 64 (R || S).
 * 2. S is canonical: 0 <= S < L, else reject.
 * 3. A decodes as OpenSSL decodes it: y is the low 255 bits taken modulo p (so y >= p, a
 *    non-canonical encoding, is accepted as y - p), x is recovered from y and the key is rejected
 *    only when x^2 = (y^2 - 1) / (d y^2 + 1) has no root; the top bit picks x's sign, and when x = 0
 *    a set sign bit is ignored (-0 = 0). Small-order and mixed-order keys are accepted.
 * 4. k = SHA-512(R || A || M) over the bytes as given (not re-encoded), reduced modulo L.
 * 5. R is never decoded: accept exactly when the canonical encoding of [S]B - [k]A equals the 32
 *    bytes of R. This is the cofactorless equation compared on encodings, so a non-canonical R never
 *    verifies and a low-order residue is not forgiven.
 *
 * noble supplies the field and group arithmetic and the encoding; the checks above are ours.
 * ed25519-portable.test.ts holds this to node:crypto's answer on all 914 CCTV vectors.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2';
import type { Ed25519 } from './note.ts';

// noble's synchronous API needs a SHA-512; @noble/hashes runs anywhere, unlike node:crypto.
ed.hashes.sha512 = (message) => new Uint8Array(sha512(message));

const { Point } = ed;
/** The prime order of the base point, 2^252 + 27742317777372353535851937790883648493. */
const L = Point.CURVE().n;

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** OpenSSL's ge_frombytes_vartime: lenient about y >= p and about the sign of x = 0; undefined when off the curve. */
function decodeKey(publicKey: Uint8Array): InstanceType<typeof Point> | undefined {
  try {
    // noble's ZIP-215 decoding is exactly that leniency; re-deriving the point from its affine
    // coordinates reduces y, so later arithmetic never sees an unreduced coordinate.
    return Point.fromAffine(Point.fromBytes(publicKey, true).toAffine());
  } catch {
    return undefined;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function verifyLikeOpenSsl(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const r = signature.subarray(0, 32);
  const s = littleEndian(signature.subarray(32));
  if (s >= L) return false;
  const a = decodeKey(publicKey);
  if (a === undefined) return false;
  const hram = new Uint8Array(64 + message.length);
  hram.set(r, 0);
  hram.set(publicKey, 32);
  hram.set(message, 64);
  const k = littleEndian(sha512(hram)) % L;
  // Unsafe (variable-time) multiplication is fine: verification handles only public values, and
  // unlike the safe path it accepts a zero scalar and points of small order.
  const check = Point.BASE.multiplyUnsafe(s).subtract(a.multiplyUnsafe(k));
  return equalBytes(check.toBytes(), r);
}

export const portableEd25519: Ed25519 = {
  sign(seed, message) {
    if (seed.length !== 32) throw new RangeError('Ed25519 seed must be 32 bytes');
    return ed.sign(message, seed);
  },
  verify: verifyLikeOpenSsl,
  publicKey(seed) {
    if (seed.length !== 32) throw new RangeError('Ed25519 seed must be 32 bytes');
    return ed.getPublicKey(seed);
  },
};
