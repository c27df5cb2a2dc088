import { type Kysely, sql } from 'kysely';

/**
 * Each account's clearance (see access/labels.ts): the highest classification it may read. Accounts
 * from before were all cleared to CONFIDENTIAL, which is where the default leaves them. The check keeps
 * out anything that is not a classification, on SQLite and PostgreSQL alike.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('clearance', 'text', (c) =>
      c
        .notNull()
        .defaultTo(sql`'CONFIDENTIAL'`)
        .check(sql`clearance in ('PUBLIC', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET')`),
    )
    .execute();
}
