/**
 * The witness's own Ed25519 cosignature key (signature type 0x04), in one file in C2SP signer-key
 * form, created with mode 0600 on first use. The member state hands the matching vkey to the log
 * operator, who lists it among the member witnesses; the key never leaves the witness's machine.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { nodeEd25519 } from './ed25519-node.ts';
import { formatSignerKey, formatVerifierKey, parseSignerKey, SIGNATURE_TYPE } from './note.ts';

export interface WitnessKey {
  name: string;
  /** The signer key text, for {@link Witness}. */
  skey: string;
  /** The cosignature verifier key to give the log operator. */
  vkey: string;
}

export class WitnessKeyError extends Error {
  override name = 'WitnessKeyError';
}

export function witnessKeyFrom(skey: string): WitnessKey {
  const text = skey.trim();
  const k = parseSignerKey(text, nodeEd25519, SIGNATURE_TYPE.cosignatureV1);
  return {
    name: k.name,
    skey: text,
    vkey: formatVerifierKey(k.name, SIGNATURE_TYPE.cosignatureV1, k.publicKey),
  };
}

/** A fresh key held only in memory: for tests. */
export function generateWitnessKey(name: string): WitnessKey {
  return witnessKeyFrom(formatSignerKey(name, randomBytes(32), nodeEd25519, SIGNATURE_TYPE.cosignatureV1));
}

/**
 * Reads the key from `file`, creating it (mode 0600, named `name`) when absent. Refuses a file others
 * can read, and one whose key has another name than the one asked for.
 */
export function loadOrCreateWitnessKey(file: string, name?: string): WitnessKey {
  mkdirSync(dirname(file), { recursive: true });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    if (name === undefined) throw new WitnessKeyError(`no witness key at ${file}; give --name to create one`);
    let created: string;
    try {
      created = formatSignerKey(name, randomBytes(32), nodeEd25519, SIGNATURE_TYPE.cosignatureV1);
    } catch (f) {
      throw new WitnessKeyError(
        `cannot make a witness key named ${JSON.stringify(name)}: ${(f as Error).message}`,
      );
    }
    try {
      writeFileSync(file, `${created}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    } catch (w) {
      if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw w;
    }
    text = readFileSync(file, 'utf8');
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new WitnessKeyError(`the witness key ${file} is readable by others; run chmod 600 ${file}`);
  }
  let key: WitnessKey;
  try {
    key = witnessKeyFrom(text);
  } catch (e) {
    throw new WitnessKeyError(
      `the witness key ${file} is not a cosignature signer key: ${(e as Error).message}`,
    );
  }
  if (name !== undefined && key.name !== name) {
    throw new WitnessKeyError(`the witness key ${file} is named ${key.name}, not ${name}`);
  }
  return key;
}
