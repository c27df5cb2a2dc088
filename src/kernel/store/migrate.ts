import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as m0001 from './migrations/0001-monitoring.ts';
import * as m0002 from './migrations/0002-ledger.ts';
import * as m0003 from './migrations/0003-witness.ts';
import * as m0004 from './migrations/0004-devices.ts';
import * as m0005 from './migrations/0005-evidence.ts';
import * as m0006 from './migrations/0006-access.ts';
import * as m0007 from './migrations/0007-incident-revision.ts';
import * as m0008 from './migrations/0008-evidence-derivatives.ts';
import * as m0009 from './migrations/0009-labels.ts';
import * as m0010 from './migrations/0010-clearance.ts';
import * as m0011 from './migrations/0011-incident-cells.ts';
import * as m0012 from './migrations/0012-incident-list-order.ts';
import * as m0013 from './migrations/0013-derived-creation-entries.ts';
import * as m0014 from './migrations/0014-drop-unused-incident-index.ts';

/** Migrations live in code (not read from a folder at run time) so the CLI and tests find them anywhere. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-monitoring': m0001,
  '0002-ledger': m0002,
  '0003-witness': m0003,
  '0004-devices': m0004,
  '0005-evidence': m0005,
  '0006-access': m0006,
  '0007-incident-revision': m0007,
  '0008-evidence-derivatives': m0008,
  '0009-labels': m0009,
  '0010-clearance': m0010,
  '0011-incident-cells': m0011,
  '0012-incident-list-order': m0012,
  '0013-derived-creation-entries': m0013,
  '0014-drop-unused-incident-index': m0014,
};

class CodeMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/**
 * `schema` names the PostgreSQL schema the store lives in: Kysely otherwise looks for its bookkeeping
 * tables on the whole search path and can find another schema's, in a database shared by several.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new CodeMigrationProvider(),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${String(error)}`, { cause: error });
  }
}
