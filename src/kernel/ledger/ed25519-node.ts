/**
 * Ed25519 for the server and CLI through node:crypto (OpenSSL). The only file in the ledger folder
 * allowed node: imports; the browser injects its own {@link Ed25519}. OpenSSL's acceptance rules
 * for edge-case signatures are the project's reference: ed25519-node.test.ts pins them against the
 * CCTV vectors, so a browser implementation can be held to the same answers.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { Ed25519 } from './note.ts';

// DER headers that turn raw RFC 8032 keys into PKCS#8 / SPKI documents node:crypto can import.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function privateKey(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError('Ed25519 seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export const nodeEd25519: Ed25519 = {
  sign(seed, message) {
    return new Uint8Array(sign(null, message, privateKey(seed)));
  },
  verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      const key = createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, publicKey]),
        format: 'der',
        type: 'spki',
      });
      return verify(null, message, key, signature);
    } catch {
      // A public key OpenSSL cannot decode verifies nothing.
      return false;
    }
  },
  publicKey(seed) {
    const spki = createPublicKey(privateKey(seed)).export({ format: 'der', type: 'spki' });
    return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
  },
};
