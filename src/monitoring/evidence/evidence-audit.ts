/**
 * How `guarantor audit` rebuilds what each evidence leaf committed to, from today's rows: the item
 * (`evidence`), each custody event (`evidence.custody`), each derived copy (`evidence.derived`) and
 * each derivation that made none (`evidence.not-derived`). Every one is written once and never
 * updated, so each leaf must match its row exactly. The custody, copy and failure leaves also commit
 * to the item's SHA-256, so a row moved to another item, or an item whose hash was rewritten, shows.
 *
 * These mirror the `appendLeaves` call in evidence-service.ts: a change to what a leaf commits to
 * must change its auditor too (the audit tests fail otherwise).
 */
import { type Kysely, sql } from 'kysely';
import type { AuditLeaf, Rebuilt, RecordAuditor } from '../../kernel/ledger/audit.ts';
import type { Database } from '../../kernel/store/schema.ts';
import {
  custodyFromRow,
  custodyLeafContent,
  derivedFromRow,
  derivedLeafContent,
  failureFromRow,
  failureLeafContent,
  itemFromRow,
  itemLeafContent,
  LEAF_KINDS,
} from './evidence-model.ts';
import { evidenceDb } from './evidence-schema.ts';

type Db = Kysely<Database>;

const IN_CHUNK = 400;

async function byIds<T>(ids: string[], fetch: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const unique = [...new Set(ids)];
  const out: T[] = [];
  for (let i = 0; i < unique.length; i += IN_CHUNK) out.push(...(await fetch(unique.slice(i, i + IN_CHUNK))));
  return out;
}

/** The stored SHA-256 of each named item. */
async function itemHashes(db: Db, ids: string[]): Promise<Map<string, string>> {
  const rows = await byIds(ids, (chunk) =>
    db.selectFrom('evidence_items').select(['id', 'sha256']).where('id', 'in', chunk).execute(),
  );
  return new Map(rows.map((r) => [r.id, r.sha256]));
}

/** The first row of `table` that has no leaf of `kind`. */
async function firstUnledgered(
  db: Db,
  table: string,
  kind: string,
): Promise<{ recordKind: string; recordId: string } | undefined> {
  const { rows } = await sql<{ id: string }>`
    select t.id as id from ${sql.table(table)} t
    left join ledger_leaves l on l.record_id = t.id and l.kind = ${kind}
    where l.idx is null order by t.id limit 1`.execute(db);
  const row = rows[0];
  return row && { recordKind: kind, recordId: String(row.id) };
}

/**
 * An auditor for one kind of evidence record: rows fetched by id, each rebuilt with the SHA-256 of
 * the item it belongs to (the item's own row, for items).
 */
function evidenceAuditor<Row extends { id: string }>(spec: {
  kind: string;
  table: string;
  /** What the row is called in findings. */
  noun: string;
  rows: (db: Db, ids: string[]) => Promise<Row[]>;
  itemOf: (row: Row) => string;
  content: (row: Row, itemSha256: string) => unknown;
}): RecordAuditor {
  return {
    kinds: [spec.kind],
    onePerRecord: true,
    async rebuild(db, leaves: AuditLeaf[]) {
      const rows = await byIds(
        leaves.map((l) => l.recordId),
        (chunk) => spec.rows(db, chunk),
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const hashes = await itemHashes(db, rows.map(spec.itemOf));
      const out = new Map<number, Rebuilt>();
      for (const leaf of leaves) {
        const row = byId.get(leaf.recordId);
        if (row === undefined) {
          out.set(leaf.idx, {
            finding: 'record_deleted',
            message: `the ${spec.noun} is gone from the database`,
          });
          continue;
        }
        const sha256 = hashes.get(spec.itemOf(row));
        if (sha256 === undefined) {
          out.set(leaf.idx, {
            finding: 'record_modified',
            message: `the ${spec.noun} belongs to evidence ${spec.itemOf(row)}, which is not in the database`,
          });
          continue;
        }
        let content: unknown;
        try {
          content = spec.content(row, sha256);
        } catch (e) {
          out.set(leaf.idx, {
            finding: 'record_modified',
            message: `the stored ${spec.noun} cannot be read: ${(e as Error).message.slice(0, 200)}`,
          });
          continue;
        }
        out.set(leaf.idx, { candidates: [content] });
      }
      return out;
    },
    unledgered: (db) => firstUnledgered(db, spec.table, spec.kind),
  };
}

export const evidenceItemAuditor = evidenceAuditor({
  kind: LEAF_KINDS.item,
  table: 'evidence_items',
  noun: 'evidence item',
  rows: (db, ids) => db.selectFrom('evidence_items').selectAll().where('id', 'in', ids).execute(),
  itemOf: (row) => row.id,
  content: (row) => itemLeafContent(itemFromRow(row)),
});

export const custodyAuditor = evidenceAuditor({
  kind: LEAF_KINDS.custody,
  table: 'evidence_custody',
  noun: 'custody event',
  rows: (db, ids) => db.selectFrom('evidence_custody').selectAll().where('id', 'in', ids).execute(),
  itemOf: (row) => row.evidence_id,
  content: (row, sha256) => custodyLeafContent(custodyFromRow(row), sha256),
});

export const derivedAuditor = evidenceAuditor({
  kind: LEAF_KINDS.derived,
  table: 'evidence_derived',
  noun: 'derived copy',
  rows: (db, ids) =>
    evidenceDb(db).selectFrom('evidence_derived').selectAll().where('id', 'in', ids).execute(),
  itemOf: (row) => row.evidence_id,
  content: (row, sha256) => derivedLeafContent(derivedFromRow(row), sha256),
});

export const notDerivedAuditor = evidenceAuditor({
  kind: LEAF_KINDS.notDerived,
  table: 'evidence_derivation_failures',
  noun: 'record of a derivation that failed',
  rows: (db, ids) =>
    evidenceDb(db).selectFrom('evidence_derivation_failures').selectAll().where('id', 'in', ids).execute(),
  itemOf: (row) => row.evidence_id,
  content: (row, sha256) => failureLeafContent(failureFromRow(row), sha256),
});

export const EVIDENCE_AUDITORS: readonly RecordAuditor[] = [
  evidenceItemAuditor,
  custodyAuditor,
  derivedAuditor,
  notDerivedAuditor,
];
