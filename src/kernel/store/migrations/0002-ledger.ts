import type { Kysely } from 'kysely';

/**
 * The ledger's Merkle tree as C2SP tlog-tiles (one row per tile, the rightmost of each level
 * rewritten as it fills) and its signed checkpoints. Hashes are base64 text so the column means
 * the same on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ledger_tiles')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('hashes', 'text', (c) => c.notNull())
    .addColumn('interior', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_tiles_pk', ['level', 'idx'])
    .execute();

  await db.schema
    .createTable('ledger_checkpoints')
    .addColumn('size', 'integer', (c) => c.primaryKey())
    .addColumn('root', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
