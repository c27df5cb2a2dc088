/**
 * The one place that writes ledger leaves (worked out in leaf.ts), inside the same transaction as the
 * change they record.
 */
import { sql } from 'kysely';
import { insertRows } from '../store/insert-rows.ts';
import type { Tx } from '../store/store.ts';
import { type LedgerEntry, type PreparedLeaf, prepareLeaves } from './leaf.ts';

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
