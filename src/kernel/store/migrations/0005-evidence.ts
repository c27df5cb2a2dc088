import type { Kysely } from 'kysely';

/**
 * Evidence files attached to reports, their chain of custody, and copies derived from them
 * (thumbnails). The originals themselves live on disk, content-addressed by SHA-256; these rows
 * say what each is, where it came from and who handled it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('evidence_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('original_name', 'text')
    .addColumn('capture', 'text', (c) => c.notNull())
    .addColumn('c2pa', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('evidence_items_report')
    .on('evidence_items')
    .columns(['report_id', 'id'])
    .execute();
  await db.schema.createIndex('evidence_items_sha256').on('evidence_items').column('sha256').execute();

  await db.schema
    .createTable('evidence_custody')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('evidence_id', 'text', (c) => c.notNull().references('evidence_items.id'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .execute();
  await db.schema
    .createIndex('evidence_custody_item')
    .on('evidence_custody')
    .columns(['evidence_id', 'id'])
    .execute();

  await db.schema
    .createTable('evidence_derived')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('evidence_id', 'text', (c) => c.notNull().references('evidence_items.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('evidence_derived_item')
    .on('evidence_derived')
    .columns(['evidence_id', 'id'])
    .execute();
}
