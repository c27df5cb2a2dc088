/**
 * Multi-row inserts for the hot paths (ingest, ledger). Kysely compiles each query from scratch,
 * which for a few hundred rows of forty columns costs more than the database's own work; the SQL
 * text depends only on the table, the columns and the row count, so it is compiled once per shape
 * (per database adapter, since SQLite and PostgreSQL write placeholders differently) and reused
 * with fresh parameters.
 */
import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import { valuesOfRows } from './row-shapes.ts';
import type { Database } from './schema.ts';

/** SQLite allows 32,766 bound parameters per statement; PostgreSQL 65,535. */
const MAX_PARAMETERS = 30_000;

const compiled = new WeakMap<object, Map<string, string>>();

export async function insertRows<T extends keyof Database & string>(
  db: Kysely<Database>,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const adapter = db.getExecutor().adapter;
  let shapes = compiled.get(adapter);
  if (!shapes) {
    shapes = new Map();
    compiled.set(adapter, shapes);
  }
  for (let start = 0; start < rows.length; ) {
    const size = chunkSize(rows.length - start, perStatement);
    const chunk = rows.slice(start, start + size);
    start += size;
    const key = `${table}(${columns.join(',')})x${chunk.length}`;
    let text = shapes.get(key);
    if (text === undefined) {
      // Kysely cannot type the values of a table chosen at run time; the rows are typed by the caller.
      text = db
        .insertInto(table)
        .values(chunk as never)
        .compile().sql;
      shapes.set(key, text);
    }
    const parameters = valuesOfRows(columns)(chunk as readonly Record<string, unknown>[]);
    const missing = parameters.indexOf(undefined);
    // Neither database binds undefined: a missing column is the caller's mistake, named here.
    if (missing !== -1) {
      throw new Error(
        `insertRows: every row of ${table} needs the column ${columns[missing % columns.length]}`,
      );
    }
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
}

/**
 * Full statements first, then the rest in powers of two: a handful of row counts recur, so the
 * statements prepared for them are reused (see statement-cache.ts) instead of one per remainder.
 */
export function chunkSize(remaining: number, perStatement: number): number {
  if (remaining >= perStatement) return perStatement;
  return 2 ** Math.floor(Math.log2(remaining));
}
