/**
 * The databases every store test runs on: SQLite always; PostgreSQL on the server named by
 * TEST_DATABASE_URL when set (CI sets it), else on PGlite so a fresh machine still covers PostgreSQL.
 * Each opened store gets its own empty schema or file, so suites never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from './store.ts';

export interface TestDialect {
  name: string;
  open(): Promise<Store>;
}

export const sqliteDialect: TestDialect = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'guarantor-test-'));
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'test.sqlite') });
    return withCleanup(store, async () => rmSync(dir, { recursive: true, force: true }));
  },
};

const url = process.env.TEST_DATABASE_URL;

const postgresDialect: TestDialect = url
  ? {
      name: 'postgres',
      async open() {
        const schema = `t_${randomBytes(6).toString('hex')}`;
        const store = await openStore({ kind: 'postgres', url, schema });
        return withCleanup(store, async () => {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            await client.query(`drop schema if exists ${schema} cascade`);
          } finally {
            await client.end();
          }
        });
      },
    }
  : {
      name: 'postgres (pglite)',
      async open() {
        return openStore({ kind: 'pglite' });
      },
    };

export const DIALECTS: TestDialect[] = [sqliteDialect, postgresDialect];

function withCleanup(store: Store, cleanup: () => Promise<void>): Store {
  return {
    ...store,
    async close() {
      await store.close();
      await cleanup();
    },
  };
}
