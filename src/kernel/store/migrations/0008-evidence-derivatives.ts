import type { Kysely } from 'kysely';

/**
 * How each derived copy of evidence was made, and the attempts that made none. A thumbnail rendered
 * here is only as trustworthy as the record of how it was rendered (tool, version, settings, size),
 * so that goes beside it; and a photo that could not be rendered is recorded as such, with the
 * reason, rather than left looking as if nobody tried.
 *
 * One column per ALTER: SQLite accepts only one ADD COLUMN per statement. The columns are nullable
 * because copies recorded before this migration have no such record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('evidence_derived').addColumn('width', 'integer').execute();
  await db.schema.alterTable('evidence_derived').addColumn('height', 'integer').execute();
  /** JSON: the tool, its version and the settings used. */
  await db.schema.alterTable('evidence_derived').addColumn('params', 'text').execute();

  await db.schema
    .createTable('evidence_derivation_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('evidence_id', 'text', (c) => c.notNull().references('evidence_items.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('evidence_derivation_failures_item')
    .on('evidence_derivation_failures')
    .columns(['evidence_id', 'id'])
    .execute();
}
