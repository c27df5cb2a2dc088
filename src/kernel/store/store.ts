/**
 * The one store: a Kysely database over embedded SQLite (the default) or PostgreSQL, migrated on
 * open. Services write only through `store.transaction`, so every state change and its ledger leaf
 * commit together or not at all.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { runCommitHook } from './commit-hook.ts';
import { migrateToLatest } from './migrate.ts';
import type { Database } from './schema.ts';
import { type CachingDatabase, cachingDatabase } from './statement-cache.ts';
import { AUTOCHECKPOINT_PAGES, WalCheckpointer } from './wal-checkpointer.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Tx = Transaction<Database>;

export type StoreOptions =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; schema?: string }
  | { kind: 'pglite'; dataDir?: string };

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The raw SQLite handle, for online backup and the benchmark's baseline; absent on PostgreSQL. */
  readonly sqlite?: SQLite.Database;
  transaction<T>(work: (trx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Any constant will do: it names the lock that orders writers on PostgreSQL.
const WRITE_LOCK = 7_260_2026;

// pg returns int8 and numeric as strings; our counts fit in a double.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export async function openStore(options: StoreOptions): Promise<Store> {
  let db: Kysely<Database>;
  let dialect: Dialect;
  let sqlite: SQLite.Database | undefined;
  let checkpointer: WalCheckpointer | undefined;
  let statements: CachingDatabase | undefined;
  if (options.kind === 'sqlite') {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    sqlite = new SQLite(options.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    // NORMAL in WAL mode survives a process crash (the case that matters for a killed server);
    // only a power cut can lose the last commits, and the ledger's checkpoints bound that.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('cache_size = -65536');
    if (options.file === ':memory:') sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    else checkpointer = new WalCheckpointer(options.file, sqlite);
    statements = cachingDatabase(sqlite);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
    dialect = 'sqlite';
  } else if (options.kind === 'postgres') {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema))
      throw new Error(`bad schema name ${schema}`);
    if (schema) {
      const admin = new pg.Client({ connectionString: options.url });
      await admin.connect();
      try {
        await admin.query(`create schema if not exists ${schema}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    dialect = 'postgres';
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGliteDialect } = await import('./pglite-dialect.ts');
    const instance = new PGlite(options.dataDir);
    db = new Kysely<Database>({ dialect: new PGliteDialect(instance) });
    dialect = 'postgres';
  }

  await migrateToLatest(db as Kysely<unknown>, options.kind === 'postgres' ? options.schema : undefined);
  statements?.forget();

  return {
    db,
    dialect,
    ...(sqlite ? { sqlite } : {}),
    async transaction<T>(work: (trx: Tx) => Promise<T>): Promise<T> {
      const result = await db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${WRITE_LOCK})`.execute(trx);
        const result = await work(trx);
        await runCommitHook(trx);
        return result;
      });
      checkpointer?.afterCommit();
      return result;
    },
    async close() {
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

/** Where the configured data lives: PostgreSQL when a URL is given, else SQLite in the data directory. */
export function storeOptionsFor(config: { databaseUrl?: string | undefined; dataDir: string }): StoreOptions {
  if (config.databaseUrl) return { kind: 'postgres', url: config.databaseUrl };
  return { kind: 'sqlite', file: `${config.dataDir}/guarantor.sqlite` };
}
