/**
 * Incidents observed during a period, found without scanning every incident before or after it.
 * Almost every incident lasts minutes to hours, so one that overlaps a period began at most a day
 * before it: an index range on first_observed finds those. The few that span more than a day
 * (long merges, week-long observations) carry `long_span = 1` and are looked up on their own index.
 */
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { readableBy } from '../access/label-filter.ts';
import type { Reader } from '../access/labels.ts';
import type { Database, IncidentTable } from '../kernel/store/schema.ts';

const DAY_MS = 86_400_000;

/** Whether an incident spans more than a day (`long_span`); times in milliseconds. */
export function isLongSpan(firstObservedMs: number, lastObservedMs: number): boolean {
  return lastObservedMs - firstObservedMs > DAY_MS;
}

/** The earliest first observation of a short incident (`long_span = 0`) still going on at `fromIso`. */
function earliestShortStart(fromIso: string): string {
  return new Date(Date.parse(fromIso) - DAY_MS).toISOString();
}

export type IncidentQuery = SelectQueryBuilder<Database, 'incidents', object>;

/**
 * Runs `query` restricted to the incidents overlapping [fromIso, toIso), short and long apart; without
 * `toIso`, to the incidents still going on at `fromIso` or begun since.
 */
export async function overlapping<R>(
  db: Kysely<Database>,
  fromIso: string,
  toIso: string | undefined,
  query: (q: IncidentQuery) => { execute(): Promise<R[]> },
  reader?: Reader,
): Promise<R[]> {
  const earliest = earliestShortStart(fromIso);
  const base = () => {
    const q = db
      .selectFrom('incidents')
      .where('merged_into', 'is', null)
      .$if(toIso !== undefined, (w) => w.where('first_observed', '<', toIso!))
      .where('last_observed', '>=', fromIso);
    return reader ? q.where(readableBy(reader)) : q;
  };
  const [short, long] = await Promise.all([
    query(base().where('long_span', '=', 0).where('first_observed', '>=', earliest)).execute(),
    query(base().where('long_span', '=', 1)).execute(),
  ]);
  return short.concat(long);
}

/** Whole incidents overlapping the period, in order of first observation. */
export async function overlappingIncidents(
  db: Kysely<Database>,
  fromIso: string,
  toIso: string,
  reader: Reader,
): Promise<IncidentTable[]> {
  const rows = await overlapping(db, fromIso, toIso, (q) => q.selectAll(), reader);
  return rows.sort(byFirstObserved);
}

/** Earlier first observation first, then the smaller id. */
export function byFirstObserved(
  a: Pick<IncidentTable, 'first_observed' | 'id'>,
  b: Pick<IncidentTable, 'first_observed' | 'id'>,
): number {
  if (a.first_observed !== b.first_observed) return a.first_observed < b.first_observed ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Only status and span, for counting over long periods. */
export function overlappingSpans(
  db: Kysely<Database>,
  fromIso: string,
  toIso: string,
  reader: Reader,
): Promise<Pick<IncidentTable, 'status' | 'first_observed' | 'last_observed'>[]> {
  return overlapping(
    db,
    fromIso,
    toIso,
    (q) => q.select(['status', 'first_observed', 'last_observed']),
    reader,
  );
}

/**
 * What changes whenever any incident overlapping the period changes (whoever may read it): how many there are, the sum of
 * their revisions (every update bumps one) and the latest update. An incident merged away leaves the
 * set and lowers the count; a new one raises the latest update. Cheap next to loading the incidents.
 */
export async function overlappingFingerprint(
  db: Kysely<Database>,
  fromIso: string,
  toIso: string,
): Promise<string> {
  const parts = await overlapping(db, fromIso, toIso, (q) =>
    q.select([
      sql<number>`count(*)`.as('n'),
      sql<number | null>`sum(revision)`.as('revisions'),
      sql<string | null>`max(updated_at)`.as('latest'),
    ]),
  );
  return parts.map((p) => `${Number(p.n)}.${Number(p.revisions ?? 0)}.${p.latest ?? ''}`).join('/');
}
