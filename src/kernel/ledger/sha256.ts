/**
 * SHA-256 (FIPS 180-4) in plain TypeScript, synchronous.
 *
 * Why not WebCrypto: `crypto.subtle.digest` is asynchronous, and a Merkle verifier that awaits once per
 * node is both awkward and slow; node:crypto is not available in the browser. This module has no
 * dependencies so the same bytes are hashed the same way on the server, in the CLI and in the browser.
 * It avoids per-call allocation beyond the 32-byte result because the ledger hashes millions of
 * 65-byte interior nodes.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

// Scratch space shared by every call: hashing is synchronous, so no two calls can interleave.
const W = new Int32Array(64);
const H = new Int32Array(8);
const tail = new Uint8Array(128);

function compress(block: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4;
    W[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let f = H[5]!;
  let g = H[6]!;
  let h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = H[0]! + a;
  H[1] = H[1]! + b;
  H[2] = H[2]! + c;
  H[3] = H[3]! + d;
  H[4] = H[4]! + e;
  H[5] = H[5]! + f;
  H[6] = H[6]! + g;
  H[7] = H[7]! + h;
}

/** Compresses whole blocks of `part` (after topping up `tail`); returns the bytes left in `tail`. */
function absorb(part: Uint8Array, filled: number): number {
  let i = 0;
  if (filled > 0) {
    const take = Math.min(64 - filled, part.length);
    tail.set(part.subarray(0, take), filled);
    filled += take;
    i = take;
    if (filled < 64) return filled;
    compress(tail, 0);
    filled = 0;
  }
  for (; i + 64 <= part.length; i += 64) compress(part, i);
  if (i < part.length) {
    tail.set(part.subarray(i), 0);
    filled = part.length - i;
  }
  return filled;
}

/**
 * SHA-256 of the concatenation of `parts`. Taking parts lets callers hash `prefix || left || right`
 * without first building the joined buffer.
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  H.set(IV);
  let filled = 0; // bytes waiting in `tail`
  let total = 0;
  for (const part of parts) total += part.length;
  if (total < 120) {
    // Fast path for Merkle nodes and small leaves: everything fits in the two-block tail buffer.
    for (const part of parts) {
      tail.set(part, filled);
      filled += part.length;
    }
  } else {
    for (const part of parts) filled = absorb(part, filled);
  }
  tail[filled] = 0x80;
  const blocks = filled + 9 > 64 ? 2 : 1;
  tail.fill(0, filled + 1, blocks * 64 - 8);
  // Message length in bits, big-endian, in the last 8 bytes; `total * 8` may exceed 32 bits.
  const bits = total * 8;
  const hi = Math.floor(bits / 0x100000000);
  const end = blocks * 64;
  tail[end - 8] = hi >>> 24;
  tail[end - 7] = hi >>> 16;
  tail[end - 6] = hi >>> 8;
  tail[end - 5] = hi;
  tail[end - 4] = bits >>> 24;
  tail[end - 3] = bits >>> 16;
  tail[end - 2] = bits >>> 8;
  tail[end - 1] = bits;
  compress(tail, 0);
  if (blocks === 2) compress(tail, 64);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = v >>> 16;
    out[i * 4 + 2] = v >>> 8;
    out[i * 4 + 3] = v;
  }
  return out;
}
