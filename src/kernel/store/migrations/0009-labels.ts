import { type Kysely, sql } from 'kysely';

/**
 * Confidentiality labels on reports and incidents (see access/labels.ts): the classification's level
 * and the releasability as `,FRA,GBR,`. Records from before labels existed were shared with the whole
 * coalition, which is what RESTRICTED REL TO COALITION says.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['reports', 'incidents']) {
    await db.schema
      .alterTable(table)
      .addColumn('label_level', 'integer', (c) => c.notNull().defaultTo(sql`1`))
      .execute();
    await db.schema
      .alterTable(table)
      .addColumn('label_releasable', 'text', (c) => c.notNull().defaultTo(sql`',COALITION,'`))
      .execute();
  }
}
