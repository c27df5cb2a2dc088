/**
 * Multi-row inserts for the hot paths (ingest, ledger). Kysely compiles each query from scratch,
 * which for a few hundred rows of forty columns costs more than the database's own work; the SQL
 * text depends only on the table, the columns and the row count, so it is compiled once per shape
 * (per database adapter, since SQLite and PostgreSQL write placeholders differently) and reused
 * with fresh parameters.
 */
import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
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
    const parameters = parametersOf(columns)(chunk as readonly Record<string, unknown>[]);
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

type Parameters = (rows: readonly Record<string, unknown>[]) => unknown[];
const extractors = new Map<string, Parameters>();

/**
 * The rows' values in column order, one row after another. Written out per column list as one function
 * reading each column by its name: a loop over the names read every value through a lookup by a
 * changing key, which cost about as much as SQLite's own work on the ingest path. Column names come
 * from the rows' own keys (our code's, never a client's) and are quoted besides.
 */
function parametersOf(columns: readonly string[]): Parameters {
  const key = columns.join(',');
  let extract = extractors.get(key);
  if (!extract) {
    const reads = columns.map((c, i) => `p[at + ${i}] = r[${JSON.stringify(c)}];`).join(' ');
    extract = new Function(
      'rows',
      `const w = ${columns.length}; const p = new Array(rows.length * w); let at = 0;
       for (const r of rows) { ${reads} at += w; }
       return p;`,
    ) as Parameters;
    extractors.set(key, extract);
  }
  return extract;
}

/**
 * Full statements first, then the rest in powers of two: a handful of row counts recur, so the
 * statements prepared for them are reused (see statement-cache.ts) instead of one per remainder.
 */
export function chunkSize(remaining: number, perStatement: number): number {
  if (remaining >= perStatement) return perStatement;
  return 2 ** Math.floor(Math.log2(remaining));
}
