/**
 * better-sqlite3 behind Kysely with its prepared statements kept. Kysely's SQLite driver prepares
 * every query anew, and for the ingest path's multi-row inserts (hundreds of rows of forty columns)
 * preparing costs as much as running. The hot queries repeat the same SQL text, so statements are
 * kept by text, least recently used first out.
 */
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export function cachingDatabase(db: SQLite.Database, capacity = 256): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement) {
        // Re-inserting moves it to the back of the map's order: the front is the least recently used.
        statements.delete(sql);
      } else {
        statement = db.prepare(sql) as unknown as SqliteStatement;
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
