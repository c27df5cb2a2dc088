import type { Kysely } from 'kysely';

/**
 * Correlation no longer stores a history entry for each incident it starts: the API derives it from the
 * incident row (see `historyOf` in incident-model.ts). The entries stored before are removed, so that
 * no incident shows its creation twice. They were never ledger leaves, and each said only what the
 * derived one says: correlation created the incident, as received, when the row was created.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const events = db as unknown as Kysely<{ incident_events: { action: string; actor: string } }>;
  await events
    .deleteFrom('incident_events')
    .where('action', '=', 'created')
    .where('actor', '=', 'correlation')
    .execute();
}
