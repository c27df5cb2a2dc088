import type { Kysely } from 'kysely';

/**
 * `incidents_time` (last and first observation) served the time-window queries before those went
 * through `incidents_long` and `incidents_cell` (migrations 0011 and 0012). No query plan uses it
 * any more, on the benchmark's store or in the application's queries, yet every incident a bulk
 * import starts, and every change to an incident's times, wrote it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('incidents_time').ifExists().execute();
}
