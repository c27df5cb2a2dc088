/**
 * Report signatures: a device signs the canonical JSON (RFC 8785) of the report it sends, without
 * the `signature` member, so the signature survives any re-serialisation on the way.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { canonicalJson } from '../../kernel/ledger/canonical.ts';

/** The bytes a device signs for a report as it was sent (raw JSON value, before validation). */
export function signedPayload(raw: unknown): Buffer {
  const { signature: _signature, ...rest } = raw as Record<string, unknown>;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function verifyReportSignature(
  publicKeyBase64: string,
  raw: unknown,
  signatureBase64: string,
): boolean {
  const key = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, Buffer.from(publicKeyBase64, 'base64')]),
    format: 'der',
    type: 'spki',
  });
  return verify(null, signedPayload(raw), key, Buffer.from(signatureBase64, 'base64'));
}
