import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as m0001 from './migrations/0001-monitoring.ts';
import * as m0002 from './migrations/0002-ledger.ts';
import * as m0003 from './migrations/0003-witness.ts';
import * as m0004 from './migrations/0004-devices.ts';
import * as m0005 from './migrations/0005-evidence.ts';
import * as m0006 from './migrations/0006-access.ts';
import * as m0007 from './migrations/0007-incident-revision.ts';

/** Migrations live in code (not read from a folder at run time) so the CLI and tests find them anywhere. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-monitoring': m0001,
  '0002-ledger': m0002,
  '0003-witness': m0003,
  '0004-devices': m0004,
  '0005-evidence': m0005,
  '0006-access': m0006,
  '0007-incident-revision': m0007,
};

class CodeMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({ db, provider: new CodeMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${String(error)}`, { cause: error });
  }
}
