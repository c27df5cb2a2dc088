/**
 * C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint) and Ed25519 tlog-cosignature/v1
 * (c2sp.org/tlog-cosignature): the signed statement "the ledger of <origin> has <size> leaves and
 * this root", and a witness's countersignature of it. Member states trust a ledger state only when
 * the log and enough witnesses signed the same checkpoint, which is what rules out showing one
 * history to one capital and another to the next (a split view).
 *
 * Parsing is strict where the spec leaves room, because two byte strings that parse to one checkpoint
 * would let a log sign one and show the other: no leading zeros, canonical base64, a 32-byte root,
 * no empty extension lines. Tree sizes are JavaScript numbers, so sizes above 2^53 - 1 are refused
 * (nine quadrillion ledger entries is not a limit we will meet).
 */
import { concatBytes, fromBase64, toBase64, utf8 } from './bytes.ts';
import { HASH_SIZE } from './merkle.ts';
import {
  type Ed25519,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
  openNote,
  parseEd25519VerifierKey,
  parseSignerKey,
  SIGNATURE_TYPE,
} from './note.ts';
import { VerificationError } from './verification-error.ts';

export interface Checkpoint {
  /** Unique name of the log, e.g. `guarantor.example/ledger`. */
  origin: string;
  size: number;
  rootHash: Uint8Array;
  /** Opaque extra lines; the spec discourages them because monitors cannot audit them. */
  extensions: string[];
}

function bad(why: string): VerificationError {
  return new VerificationError('malformed_checkpoint', `malformed checkpoint: ${why}`);
}

/** Parses a checkpoint from a note's text (the signed part, ending in a newline). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw bad('text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (origin === undefined || size === undefined || root === undefined) throw bad('fewer than three lines');
  if (origin === '') throw bad('empty origin');
  if (!/^(0|[1-9][0-9]*)$/.test(size)) throw bad('tree size is not a decimal without leading zeros');
  const n = Number(size);
  if (!Number.isSafeInteger(n)) throw bad('tree size is beyond 2^53 - 1');
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(root);
  } catch {
    throw bad('root hash is not base64');
  }
  if (rootHash.length !== HASH_SIZE) throw bad(`root hash is ${rootHash.length} bytes, not ${HASH_SIZE}`);
  if (extensions.some((e) => e === '')) throw bad('empty extension line');
  return { origin, size: n, rootHash, extensions };
}

export function formatCheckpoint(c: Checkpoint): string {
  const text = [c.origin, String(c.size), toBase64(c.rootHash), ...c.extensions]
    .map((l) => `${l}\n`)
    .join('');
  parseCheckpoint(text); // refuse to produce what we would refuse to read
  return text;
}

// ---------------------------------------------------------------------------------------------
// Cosignatures (tlog-cosignature, Ed25519 type 0x04)

/** The bytes a cosigner signs: a domain-separating header, the time, then the checkpoint text. */
export function cosignatureMessage(checkpointText: string | Uint8Array, timestamp: number): Uint8Array {
  const text = typeof checkpointText === 'string' ? utf8(checkpointText) : checkpointText;
  return concatBytes(utf8(`cosignature/v1\ntime ${timestamp}\n`), text);
}

/**
 * The POSIX time inside a cosignature (the bytes after the key ID: u64 big-endian time || Ed25519
 * signature). Throws unless the signature has exactly that shape.
 */
export function cosignatureTimestamp(signature: Uint8Array): number {
  if (signature.length !== 8 + 64) throw bad(`a cosignature is 72 bytes, not ${signature.length}`);
  const view = new DataView(signature.buffer, signature.byteOffset, 8);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const t = hi * 0x100000000 + lo;
  if (!Number.isSafeInteger(t)) throw bad('cosignature timestamp is beyond 2^53 - 1');
  return t;
}

/** A verifier for a witness's cosignatures, from its vkey (signature type 0x04). */
export function cosignatureVerifier(vkey: string, ed25519: Ed25519): NoteVerifier {
  const k = parseEd25519VerifierKey(vkey, SIGNATURE_TYPE.cosignatureV1);
  return {
    name: k.name,
    keyId: k.keyId,
    verify(text, signature) {
      let t: number;
      try {
        t = cosignatureTimestamp(signature);
      } catch {
        return false;
      }
      const message = cosignatureMessage(text, t);
      return ed25519.verify(k.publicKey, message, signature.subarray(8));
    },
  };
}

/** A witness's signer: `skey` is `PRIVATE+KEY+<name>+<id>+base64(0x04 || seed)`; `now` is POSIX seconds. */
export function cosignatureSigner(skey: string, ed25519: Ed25519, now: () => number): NoteSigner {
  const k = parseSignerKey(skey, ed25519, SIGNATURE_TYPE.cosignatureV1);
  return {
    name: k.name,
    keyId: k.keyId,
    sign(text) {
      const t = Math.floor(now());
      const sig = ed25519.sign(k.seed, cosignatureMessage(text, t));
      const out = new Uint8Array(72);
      const view = new DataView(out.buffer);
      view.setUint32(0, Math.floor(t / 0x100000000));
      view.setUint32(4, t >>> 0);
      out.set(sig, 8);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Opening a signed checkpoint

export interface Cosignature {
  name: string;
  keyId: number;
  timestamp: number;
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  /** Witnesses whose cosignature verified, with the time each vouched for the checkpoint. */
  cosignatures: Cosignature[];
  note: OpenedNote;
}

export interface CheckpointTrust {
  /** The origin the caller expects; a checkpoint of another log is refused. */
  origin: string;
  log: NoteVerifier;
  /** Cosignature verifiers ({@link cosignatureVerifier}); their signatures carry a timestamp. */
  witnesses?: readonly NoteVerifier[];
}

/**
 * Verifies a signed checkpoint: the log's own signature must be present and good, every signature
 * from a trusted witness must be good, unknown signatures are ignored. How many witnesses make a
 * quorum is the caller's policy, decided on the returned `cosignatures`.
 */
export function openCheckpoint(input: Uint8Array | string, trust: CheckpointTrust): OpenedCheckpoint {
  const witnesses = trust.witnesses ?? [];
  const note = openNote(input, [trust.log, ...witnesses]);
  const isLog = (s: NoteSignature) => s.name === trust.log.name && s.keyId === trust.log.keyId;
  if (!note.verified.some(isLog)) {
    throw new VerificationError(
      'unverified_note',
      `checkpoint is not signed by the log key ${trust.log.name}`,
    );
  }
  const checkpoint = parseCheckpoint(note.text);
  if (checkpoint.origin !== trust.origin) {
    throw bad(`origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(trust.origin)}`);
  }
  const cosignatures = note.verified
    .filter((s) => !isLog(s))
    .map((s) => ({ name: s.name, keyId: s.keyId, timestamp: cosignatureTimestamp(s.signature) }));
  return { checkpoint, cosignatures, note };
}
