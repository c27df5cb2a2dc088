/**
 * Incidents observed during a period, found without scanning every incident before or after it.
 * Almost every incident lasts minutes to hours, so one that overlaps a period began at most a day
 * before it: an index range on first_observed finds those. The few that span more than a day
 * (long merges, week-long observations) carry `long_span = 1` and are looked up on their own index.
 */
import type { Kysely } from 'kysely';
import type { Database, IncidentTable } from '../kernel/store/schema.ts';

const DAY_MS = 86_400_000;

export function isLongSpan(firstObserved: string, lastObserved: string): boolean {
  return Date.parse(lastObserved) - Date.parse(firstObserved) > DAY_MS;
}

export async function overlappingIncidents(
  db: Kysely<Database>,
  fromIso: string,
  toIso: string,
): Promise<IncidentTable[]> {
  const earliest = new Date(Date.parse(fromIso) - DAY_MS).toISOString();
  const base = () =>
    db
      .selectFrom('incidents')
      .selectAll()
      .where('merged_into', 'is', null)
      .where('first_observed', '<', toIso)
      .where('last_observed', '>=', fromIso);
  const [short, long] = await Promise.all([
    base().where('long_span', '=', 0).where('first_observed', '>=', earliest).execute(),
    base().where('long_span', '=', 1).execute(),
  ]);
  return [...short, ...long].sort(
    (a, b) => a.first_observed.localeCompare(b.first_observed) || (a.id < b.id ? -1 : 1),
  );
}
