import type { Kysely } from 'kysely';

/**
 * Witness cosignatures (C2SP tlog-cosignature) collected for the ledger's checkpoints, one row per
 * checkpoint size and witness key (`<name>+<key ID hex>`, as its vkey begins), and the checkpoints a configured quorum of witnesses has cosigned.
 * `line` is the signature line exactly as the witness returned it, so the cosigned note can be
 * rebuilt byte for byte; the timestamp inside it is the witness's, `cosigned_at` its RFC 3339 form.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ledger_cosignatures')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('witness', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addColumn('cosigned_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_cosignatures_pk', ['size', 'witness'])
    .execute();

  await db.schema
    .createTable('ledger_witnessed')
    .addColumn('size', 'integer', (c) => c.primaryKey())
    /** The checkpoint note with the quorum's cosignature lines appended. */
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('cosigners', 'integer', (c) => c.notNull())
    .addColumn('witnessed_at', 'text', (c) => c.notNull())
    .execute();
}
