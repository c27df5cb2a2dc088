/**
 * The witness's own Ed25519 cosignature key (signature type 0x04), in one file in C2SP signer-key
 * form, created with mode 0600 on first use. The member state hands the matching vkey to the log
 * operator, who lists it among the member witnesses; the key never leaves the witness's machine.
 */
import { randomBytes } from 'node:crypto';
import { nodeEd25519 } from './ed25519-node.ts';
import { readOrCreateKeyFile } from './key-file.ts';
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
  const text = readOrCreateKeyFile(
    file,
    () => {
      if (name === undefined)
        throw new WitnessKeyError(`no witness key at ${file}; give --name to create one`);
      try {
        return formatSignerKey(name, randomBytes(32), nodeEd25519, SIGNATURE_TYPE.cosignatureV1);
      } catch (f) {
        throw new WitnessKeyError(
          `cannot make a witness key named ${JSON.stringify(name)}: ${(f as Error).message}`,
        );
      }
    },
    (message) => new WitnessKeyError(`the witness key ${message}`),
  );
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
