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

// Parsing a key costs more than verifying with it; devices sign many reports each.
const keys = new Map<string, KeyObject>();

function publicKey(base64: string): KeyObject {
  let key = keys.get(base64);
  if (!key) {
    if (keys.size >= 10_000) keys.clear();
    key = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, Buffer.from(base64, 'base64')]),
      format: 'der',
      type: 'spki',
    });
    keys.set(base64, key);
  }
  return key;
}

export function verifyReportSignature(
  publicKeyBase64: string,
  raw: unknown,
  signatureBase64: string,
): boolean {
  return verify(null, signedPayload(raw), publicKey(publicKeyBase64), Buffer.from(signatureBase64, 'base64'));
}
