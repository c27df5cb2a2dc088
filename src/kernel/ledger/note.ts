/**
 * C2SP signed-note (c2sp.org/signed-note), the envelope every Guarantor checkpoint and witness
 * cosignature travels in; byte-compatible with Go's golang.org/x/mod/sumdb/note, so off-the-shelf
 * witnesses and tools can read our notes and we can read theirs.
 *
 * A note is text ending in a newline, a blank line, then lines `— <key name> base64(key ID || sig)`.
 * Verification is deliberately unforgiving, in the order Go's implementation checks: bytes that are
 * not valid UTF-8 or contain control characters are refused before any signature is looked at;
 * signatures from keys we do not know are ignored (that is how logs rotate keys and witnesses add
 * cosignatures); a bad signature from a key we trust rejects the whole note; and a note with no
 * good signature from a trusted key is rejected.
 *
 * Ed25519 itself is injected ({@link Ed25519}) so the server can use node:crypto and the browser
 * another implementation, with this module staying free of both.
 */
import { fromBase64, fromUtf8, toBase64, utf8 } from './bytes.ts';
import { sha256 } from './sha256.ts';
import { VerificationError } from './verification-error.ts';

/** The Ed25519 operations the ledger needs; keys are raw 32-byte seeds and public keys (RFC 8032). */
export interface Ed25519 {
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  publicKey(seed: Uint8Array): Uint8Array;
}

/** Signature type bytes from signed-note's registry that Guarantor uses. */
export const SIGNATURE_TYPE = { ed25519: 0x01, cosignatureV1: 0x04 } as const;

/** Go's limit; C2SP requires accepting at least 16. Bounds the work a hostile note can cause. */
export const MAX_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 ';

export interface NoteSignature {
  name: string;
  /** uint32, big-endian on the wire. */
  keyId: number;
  /** The signature bytes after the key ID; their meaning depends on the key's signature type. */
  signature: Uint8Array;
}

export interface Note {
  /** Includes the final newline, excludes the separating blank line: exactly the signed bytes. */
  text: string;
  signatures: NoteSignature[];
}

/** A trusted key, able to check a signature over a note's text. */
export interface NoteVerifier {
  name: string;
  keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  name: string;
  keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

export interface OpenedNote {
  text: string;
  /** Good signatures from trusted keys, in note order, one per key. */
  verified: NoteSignature[];
  /** Signatures from keys not trusted here, kept so a relay can pass them on. */
  unverified: NoteSignature[];
}

function malformed(why: string): VerificationError {
  return new VerificationError('malformed_note', `malformed note: ${why}`);
}

/** Key names must be non-empty with no Unicode space and no `+` (which separates vkey fields). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s\u0085+]/u.test(name);
}

/** key ID = SHA-256(name || 0x0A || type || public key)[:4], as a uint32. */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  const h = sha256(utf8(name), new Uint8Array([0x0a, type]), publicKey);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

function keyIdHex(id: number): string {
  return id.toString(16).padStart(8, '0');
}

/** Notes may carry no ASCII control character but newline (the spec's rule; it also stops CR tricks). */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

function checkNoteChars(s: string): void {
  if (hasControlCharacter(s)) throw malformed('control character');
}

/** Parses a note without checking any signature. Accepts the exact bytes or an already-decoded string. */
export function parseNote(input: Uint8Array | string): Note {
  let s: string;
  if (typeof input === 'string') {
    s = input;
  } else {
    try {
      s = fromUtf8(input);
    } catch {
      throw malformed('not valid UTF-8');
    }
  }
  checkNoteChars(s);
  // The text may contain blank lines; the signatures start after the last one.
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no signature block');
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw malformed('signature block must end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line): NoteSignature => {
    if (!line.startsWith(SIG_PREFIX)) throw malformed('a signature line must start with an em dash');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, space);
    if (space < 0 || !isValidKeyName(name)) throw malformed('bad key name in signature line');
    let raw: Uint8Array;
    try {
      raw = fromBase64(rest.slice(space + 1));
    } catch {
      throw malformed('signature is not base64');
    }
    if (raw.length < 5) throw malformed('signature too short');
    const id = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    return { name, keyId: id, signature: raw.slice(4) };
  });
  return { text, signatures };
}

export function formatSignatureLine(sig: NoteSignature): string {
  const raw = new Uint8Array(4 + sig.signature.length);
  new DataView(raw.buffer).setUint32(0, sig.keyId);
  raw.set(sig.signature, 4);
  return `${SIG_PREFIX}${sig.name} ${toBase64(raw)}\n`;
}

export function formatNote(note: Note): string {
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

/**
 * Parses and verifies a note against the trusted `verifiers`. Throws `malformed_note`,
 * `invalid_signature` (a trusted key's signature is bad) or `unverified_note` (no trusted key signed).
 */
export function openNote(input: Uint8Array | string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const note = parseNote(input);
  const byKey = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const k = `${v.name}+${keyIdHex(v.keyId)}`;
    if (byKey.has(k)) throw new VerificationError('bad_input', `two trusted keys are both ${k}`);
    byKey.set(k, v);
  }
  const textBytes = utf8(note.text);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const sig of note.signatures) {
    const k = `${sig.name}+${keyIdHex(sig.keyId)}`;
    const v = byKey.get(k);
    if (v === undefined) {
      const line = formatSignatureLine(sig);
      if (!seen.has(line)) unverified.push(sig);
      seen.add(line);
      continue;
    }
    if (seen.has(k)) continue; // one key counts once, however often it signed
    seen.add(k);
    if (!v.verify(textBytes, sig.signature)) {
      throw new VerificationError('invalid_signature', `invalid signature for key ${k}`);
    }
    verified.push(sig);
  }
  if (verified.length === 0)
    throw new VerificationError('unverified_note', 'note has no verifiable signatures');
  return { text: note.text, verified, unverified };
}

/** Signs `text` (which must end in a newline) with every signer, after any signatures already given. */
export function signNote(
  text: string,
  signers: readonly NoteSigner[],
  existing: NoteSignature[] = [],
): string {
  if (!text.endsWith('\n')) throw malformed('text must end with a newline');
  checkNoteChars(text);
  const textBytes = utf8(text);
  const signatures = [...existing];
  for (const s of signers) {
    if (!isValidKeyName(s.name)) throw malformed(`bad key name ${JSON.stringify(s.name)}`);
    signatures.push({ name: s.name, keyId: s.keyId, signature: s.sign(textBytes) });
  }
  return formatNote({ text, signatures });
}

// ---------------------------------------------------------------------------------------------
// Keys

function badKey(why: string): VerificationError {
  return new VerificationError('malformed_key', `malformed key: ${why}`);
}

/** A verifier key (vkey) `<name>+<key ID hex>+base64(type || public key)`, checked but of any type. */
export interface VerifierKey {
  name: string;
  keyId: number;
  type: number;
  publicKey: Uint8Array;
}

/**
 * Parses `<name>+<hex8>+<base64>`. Only the first two `+` separate fields: base64 has `+` of its own.
 */
function parseKeyFields(text: string): { name: string; keyId: number; type: number; key: Uint8Array } {
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw badKey('expected name+keyid+key');
  const name = text.slice(0, first);
  const hash = text.slice(first + 1, second);
  const b64 = text.slice(second + 1);
  if (!isValidKeyName(name)) throw badKey('bad name');
  if (!/^[0-9a-f]{8}$/.test(hash)) throw badKey('key ID is not 8 lower-case hex digits');
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    throw badKey('key is not base64');
  }
  if (raw.length < 2) throw badKey('key too short');
  return { name, keyId: Number.parseInt(hash, 16), type: raw[0]!, key: raw.slice(1) };
}

export function parseVerifierKey(vkey: string): VerifierKey {
  const f = parseKeyFields(vkey);
  if (keyId(f.name, f.type, f.key) !== f.keyId) throw badKey('key ID does not match the key');
  return { name: f.name, keyId: f.keyId, type: f.type, publicKey: f.key };
}

export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw badKey('bad name');
  const raw = new Uint8Array([type, ...publicKey]);
  return `${name}+${keyIdHex(keyId(name, type, publicKey))}+${toBase64(raw)}`;
}

/** Parses a vkey of the given type with a 32-byte Ed25519 public key. */
export function parseEd25519VerifierKey(vkey: string, type: number = SIGNATURE_TYPE.ed25519): VerifierKey {
  const k = parseVerifierKey(vkey);
  if (k.type !== type) throw badKey(`signature type 0x${k.type.toString(16)} is not 0x${type.toString(16)}`);
  if (k.publicKey.length !== 32) throw badKey('Ed25519 public key is not 32 bytes');
  return k;
}

/** A verifier for plain signed-note Ed25519 signatures (type 0x01), as used by the log's own key. */
export function ed25519Verifier(vkey: string, ed25519: Ed25519): NoteVerifier {
  const k = parseEd25519VerifierKey(vkey);
  return {
    name: k.name,
    keyId: k.keyId,
    verify: (text, sig) => sig.length === 64 && ed25519.verify(k.publicKey, text, sig),
  };
}

/**
 * A signer from Go's private key format `PRIVATE+KEY+<name>+<key ID>+base64(type || seed)`. The key
 * ID is checked against the public key derived from the seed, so a mistyped name fails here and not
 * later at every verifier.
 */
export interface SignerKey {
  name: string;
  keyId: number;
  type: number;
  seed: Uint8Array;
  publicKey: Uint8Array;
}

export function parseSignerKey(
  skey: string,
  ed25519: Ed25519,
  type: number = SIGNATURE_TYPE.ed25519,
): SignerKey {
  if (!skey.startsWith('PRIVATE+KEY+')) throw badKey('a signer key starts with PRIVATE+KEY+');
  const f = parseKeyFields(skey.slice('PRIVATE+KEY+'.length));
  if (f.type !== type) throw badKey(`signature type 0x${f.type.toString(16)} is not 0x${type.toString(16)}`);
  if (f.key.length !== 32) throw badKey('Ed25519 seed is not 32 bytes');
  const publicKey = ed25519.publicKey(f.key);
  if (keyId(f.name, f.type, publicKey) !== f.keyId) throw badKey('key ID does not match the key');
  return { name: f.name, keyId: f.keyId, type: f.type, seed: f.key, publicKey };
}

export function formatSignerKey(
  name: string,
  seed: Uint8Array,
  ed25519: Ed25519,
  type: number = SIGNATURE_TYPE.ed25519,
): string {
  if (!isValidKeyName(name)) throw badKey('bad name');
  const id = keyId(name, type, ed25519.publicKey(seed));
  return `PRIVATE+KEY+${name}+${keyIdHex(id)}+${toBase64(new Uint8Array([type, ...seed]))}`;
}

export function ed25519Signer(skey: string, ed25519: Ed25519): NoteSigner {
  const k = parseSignerKey(skey, ed25519);
  return { name: k.name, keyId: k.keyId, sign: (text) => ed25519.sign(k.seed, text) };
}
