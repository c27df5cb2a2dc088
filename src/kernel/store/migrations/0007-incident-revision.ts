import { type Kysely, sql } from 'kysely';

/**
 * Every change to an incident bumps its revision, so a publication over a day can tell whether any
 * incident of that day changed since it was built without rebuilding it (see publication-service).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('incidents')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(sql`0`))
    .execute();
}
