/**
 * The one place that writes ledger leaves. A leaf commits to a record's canonical form with a
 * per-record salt, so the leaf can be public while the content stays releasable only to those
 * allowed to read it. Called inside the same transaction as the change it records.
 *
 * Leaf data (the bytes hashed with RFC 9162's 0x00 leaf prefix) is the canonical JSON of
 * `{ v, kind, id, at, commitment }`, where commitment = SHA-256(salt || canonical(content)).
 */
import { hash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { insertRows } from '../store/insert-rows.ts';
import type { LedgerLeafTable } from '../store/schema.ts';
import type { Tx } from '../store/store.ts';
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

/** Appends one leaf per entry, in order; returns their indexes. */
export async function appendLeaves(trx: Tx, entries: LedgerEntry[]): Promise<number[]> {
  return appendPreparedLeaves(trx, prepareLeaves(entries));
}

/** Appends leaves prepared with `prepareLeaves`, in order, at the end of the log; returns their indexes. */
export async function appendPreparedLeaves(trx: Tx, leaves: readonly PreparedLeaf[]): Promise<number[]> {
  if (leaves.length === 0) return [];
  const last = await trx
    .selectFrom('ledger_leaves')
    .select(sql<number | null>`max(idx)`.as('last'))
    .executeTakeFirst();
  const first = (last?.last ?? -1) + 1;
  const rows = leaves.map((leaf, i) => ({ idx: first + i, ...leaf }));
  await insertRows(trx, 'ledger_leaves', rows);
  return rows.map((r) => r.idx);
}
