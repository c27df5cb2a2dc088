/**
 * The log's own Ed25519 key, which signs every checkpoint. It lives in one file in the data
 * directory in C2SP signer-key form (`PRIVATE+KEY+<origin>+<key ID>+base64(0x01 || seed)`), created
 * with mode 0600 on first use; member states are given the matching verifier key (vkey) once, out of
 * band, and trust nothing the log says that it did not sign.
 *
 * The key's name is the log's origin (the checkpoint's first line), as Go's sum database and the
 * C2SP tools expect, so changing the origin means a new key and a new log.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { nodeEd25519 } from './ed25519-node.ts';
import { readOrCreateKeyFile } from './key-file.ts';
import {
  ed25519Signer,
  formatSignerKey,
  formatVerifierKey,
  type NoteSigner,
  parseSignerKey,
  SIGNATURE_TYPE,
} from './note.ts';

export const DEFAULT_ORIGIN = 'guarantor.invalid/ledger';
export const LOG_KEY_FILE = 'ledger-key';

export interface LogKey {
  origin: string;
  signer: NoteSigner;
  /** The verifier key line to hand to member states, e.g. for `guarantor verify --key`. */
  vkey: string;
}

export class LogKeyError extends Error {
  override name = 'LogKeyError';
}

/** The key from its signer-key text. */
export function logKeyFrom(skey: string): LogKey {
  const k = parseSignerKey(skey.trim(), nodeEd25519);
  return {
    origin: k.name,
    signer: ed25519Signer(skey.trim(), nodeEd25519),
    vkey: formatVerifierKey(k.name, SIGNATURE_TYPE.ed25519, k.publicKey),
  };
}

/** A fresh key held only in memory: for tests and throwaway logs. */
export function generateLogKey(origin: string = DEFAULT_ORIGIN): LogKey {
  return logKeyFrom(formatSignerKey(origin, randomBytes(32), nodeEd25519));
}

/**
 * Reads the log key from `<dataDir>/ledger-key`, creating it (mode 0600) when absent. Refuses a key
 * file that others can read or whose origin is not the configured one: signing under a key the
 * operator did not mean to use would make every member state's saved checkpoints useless.
 */
export function loadOrCreateLogKey(dataDir: string, origin: string = DEFAULT_ORIGIN): LogKey {
  const file = join(dataDir, LOG_KEY_FILE);
  const text = readOrCreateKeyFile(
    file,
    () => formatSignerKey(origin, randomBytes(32), nodeEd25519),
    (message) => new LogKeyError(`the log key ${message}`),
  );
  let key: LogKey;
  try {
    key = logKeyFrom(text);
  } catch (e) {
    throw new LogKeyError(`the log key ${file} is not a valid signer key: ${(e as Error).message}`);
  }
  if (key.origin !== origin) {
    throw new LogKeyError(
      `the log key ${file} is for origin ${key.origin}, not ${origin}; move it away to start a new log`,
    );
  }
  return key;
}
