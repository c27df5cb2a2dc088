/**
 * Ledger leaves, worked out: pure, so a bulk import prepares them on a worker thread and every verifier
 * recomputes them the same way. A leaf commits to a record's canonical form with a per-record salt, so
 * the leaf can be public while the content stays releasable only to those allowed to read it.
 *
 * Leaf data (the bytes hashed with RFC 9162's 0x00 leaf prefix) is the canonical JSON of
 * `{ v, kind, id, at, commitment }`, where commitment = SHA-256(salt || canonical(content)).
 */
import { hash, randomBytes } from 'node:crypto';
import type { LedgerLeafTable } from '../store/schema.ts';
import { canonicalJson } from './canonical.ts';

export interface LedgerEntry {
  /** What changed, e.g. `report`, `incident.transition`. */
  kind: string;
  recordId: string;
  /** The record as it is committed; its canonical JSON is what the leaf commits to. */
  content: unknown;
  at: string;
}

/**
 * The canonical JSON of `{ v: 1, kind, id, at, commitment }`, written out directly (keys already in
 * RFC 8785 order) because every ledger append makes one; the test pins it to `canonicalJson`.
 */
export function leafData(kind: string, recordId: string, at: string, commitment: string): string {
  return `{"at":${JSON.stringify(at)},"commitment":${JSON.stringify(commitment)},"id":${JSON.stringify(recordId)},"kind":${JSON.stringify(kind)},"v":1}`;
}

export function commitmentOf(salt: string, content: unknown): string {
  return commitmentWithSalt(Buffer.from(salt, 'hex'), canonicalJson(content));
}

/** SHA-256(salt || canonical) in one call: node's one-shot hash skips a Hash object per record. */
function commitmentWithSalt(salt: Uint8Array, canonical: string): string {
  const bytes = Buffer.allocUnsafe(salt.length + Buffer.byteLength(canonical));
  bytes.set(salt, 0);
  bytes.write(canonical, salt.length);
  return hash('sha256', bytes, 'hex');
}

/** RFC 9162 leaf hash: SHA-256(0x00 || data); U+0000 is the single byte 0x00 in UTF-8. */
export function leafHash(data: string): string {
  return hash('sha256', `\u0000${data}`, 'hex');
}

const SALT_BYTES = 16;

/**
 * A leaf worked out ahead of its append: everything but its index, which only the append knows.
 * Pure, so a bulk import can prepare its leaves on a worker thread while the writer stores others.
 */
export type PreparedLeaf = Omit<LedgerLeafTable, 'idx'>;

/** Salts, commitments and leaf hashes for entries, with one draw of random bytes for all the salts. */
export function prepareLeaves(entries: readonly LedgerEntry[]): PreparedLeaf[] {
  const salts = randomBytes(SALT_BYTES * entries.length);
  return entries.map((e, i) => {
    const salt = salts.subarray(SALT_BYTES * i, SALT_BYTES * (i + 1));
    const commitment = commitmentWithSalt(salt, canonicalJson(e.content));
    return {
      kind: e.kind,
      record_id: e.recordId,
      leaf_hash: leafHash(leafData(e.kind, e.recordId, e.at, commitment)),
      commitment,
      salt: salts.toString('hex', SALT_BYTES * i, SALT_BYTES * (i + 1)),
      at: e.at,
    };
  });
}
