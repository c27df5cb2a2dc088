/**
 * The one place that writes ledger leaves. A leaf commits to a record's canonical form with a
 * per-record salt, so the leaf can be public while the content stays releasable only to those
 * allowed to read it. Called inside the same transaction as the change it records.
 *
 * Leaf data (the bytes hashed with RFC 9162's 0x00 leaf prefix) is the canonical JSON of
 * `{ v, kind, id, at, commitment }`, where commitment = SHA-256(salt || canonical(content)).
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { insertRows } from '../store/insert-rows.ts';
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

export function leafData(kind: string, recordId: string, at: string, commitment: string): string {
  return canonicalJson({ v: 1, kind, id: recordId, at, commitment });
}

export function commitmentOf(salt: string, content: unknown): string {
  return createHash('sha256').update(salt, 'hex').update(canonicalJson(content)).digest('hex');
}

export function leafHash(data: string): string {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(data)
    .digest('hex');
}

/** Appends one leaf per entry, in order; returns their indexes. */
export async function appendLeaves(trx: Tx, entries: LedgerEntry[]): Promise<number[]> {
  if (entries.length === 0) return [];
  const last = await trx
    .selectFrom('ledger_leaves')
    .select(sql<number | null>`max(idx)`.as('last'))
    .executeTakeFirst();
  let next = (last?.last ?? -1) + 1;
  const salts = randomBytes(16 * entries.length).toString('hex');
  const rows = entries.map((e, i) => {
    const salt = salts.slice(32 * i, 32 * (i + 1));
    const commitment = commitmentOf(salt, e.content);
    const data = leafData(e.kind, e.recordId, e.at, commitment);
    return {
      idx: next++,
      kind: e.kind,
      record_id: e.recordId,
      leaf_hash: leafHash(data),
      commitment,
      salt,
      at: e.at,
    };
  });
  await insertRows(trx, 'ledger_leaves', rows);
  return rows.map((r) => r.idx);
}
