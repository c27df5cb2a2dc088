/**
 * The bulk import's baseline: raw better-sqlite3 prepared inserts of the very rows the import stored,
 * every column as stored, into the same table of a store opened the same way (foreign keys on, the
 * same synchronous mode, the WAL checkpointed as the store does), in transactions of as many rows as
 * an import batch. The incidents the rows link to are copied first, untimed, so that the foreign
 * key on `incident_id` is checked as it is during the import.
 */
import SQLite from 'better-sqlite3';
import { openStore } from '../src/kernel/store/store.ts';
import { MAX_BATCH_ROWS } from '../src/monitoring/import/prepare.ts';

export interface RawInsertResult {
  rows: number;
  ms: number;
}

/** Reads every row of `table` in `source` in stored order, and inserts rows into it in `target`. */
function copyStatements(source: SQLite.Database, target: SQLite.Database, table: string) {
  const read = source.prepare(`select * from ${table} order by rowid`).raw(true);
  const columns = read.columns().map((c) => c.name);
  const insert = target.prepare(
    `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
  );
  return { rows: () => read.iterate() as IterableIterator<unknown[]>, insert };
}

/**
 * Only the inserts and their commits are timed; the rows are read from the import's database a batch
 * at a time in between, so a million of them never sit in memory at once.
 */
export async function rawInsertOfStoredRows(
  sourceFile: string,
  targetFile: string,
): Promise<RawInsertResult> {
  const source = new SQLite(sourceFile, { readonly: true });
  const store = await openStore({ kind: 'sqlite', file: targetFile });
  try {
    const target = store.sqlite!;
    const incidents = copyStatements(source, target, 'incidents');
    target.transaction(() => {
      for (const r of incidents.rows()) incidents.insert.run(r);
    })();
    const reports = copyStatements(source, target, 'reports');
    let rows = 0;
    let ms = 0;
    let part: unknown[][] = [];
    const land = async () => {
      const start = performance.now();
      await store.transaction(async () => {
        for (const r of part) reports.insert.run(r);
      });
      ms += performance.now() - start;
      rows += part.length;
      part = [];
    };
    for (const r of reports.rows()) {
      part.push(r);
      if (part.length === MAX_BATCH_ROWS) await land();
    }
    if (part.length > 0) await land();
    return { rows, ms };
  } finally {
    source.close();
    await store.close();
  }
}
