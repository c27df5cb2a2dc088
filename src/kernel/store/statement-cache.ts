/**
 * better-sqlite3 behind Kysely with its prepared statements kept, and rows read as arrays. Kysely's
 * SQLite driver prepares every query anew, and for the ingest path's multi-row inserts (hundreds of
 * rows of forty columns) preparing costs as much as running. The hot queries repeat the same SQL
 * text, so statements are kept by text, least recently used first out.
 *
 * better-sqlite3 builds each row object a field at a time; for the wide rows of incidents and reports
 * that took more than half of a list query's time. A reading statement therefore returns arrays of
 * values, which `objectOfValues` (row-shapes.ts) turns into the same objects at less than half the
 * cost (1,001 incident rows: 6.2 ms to 2.9 ms).
 */
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { objectOfValues } from './row-shapes.ts';

function rowsAsArrays(statement: SQLite.Statement): SqliteStatement {
  if (!statement.reader) return statement as unknown as SqliteStatement;
  const names = () => statement.columns().map((c) => c.name);
  let columns = names();
  let build = objectOfValues(columns);
  const raw = statement.raw(true);
  // SQLite prepares a kept statement again when the schema changes, and `select *` may then give
  // another set of columns (a migration adding one): the builder follows when the width changes.
  const builderFor = (width: number) => {
    if (width !== columns.length) {
      columns = names();
      build = objectOfValues(columns);
    }
    return build;
  };
  return {
    reader: true,
    all(parameters) {
      const rows = raw.all(parameters) as unknown[][];
      return rows.length === 0 ? rows : rows.map(builderFor(rows[0]!.length));
    },
    run: (parameters) => raw.run(parameters),
    *iterate(parameters) {
      for (const values of raw.iterate(parameters) as IterableIterator<unknown[]>) {
        yield builderFor(values.length)(values);
      }
    },
  };
}

export interface CachingDatabase extends SqliteDatabase {
  /** Lets every kept statement go: after migrations, so none prepared before them lives on. */
  forget(): void;
}

export function cachingDatabase(db: SQLite.Database, capacity = 256): CachingDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    forget() {
      statements.clear();
    },
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement) {
        // Re-inserting moves it to the back of the map's order: the front is the least recently used.
        statements.delete(sql);
      } else {
        statement = rowsAsArrays(db.prepare(sql));
        if (statements.size >= capacity) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
    close() {
      statements.clear();
      db.close();
    },
  };
}
