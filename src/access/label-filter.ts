/**
 * The label rule (labels.ts `mayRead`) as a SQL condition, so lists, counts and pages are computed
 * over readable rows only: a row a reader may not see never reaches the application, let alone a total.
 * For queries over one labelled table (reports or incidents), whose columns it names unqualified.
 */
import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { Problem } from '../kernel/http/errors.ts';
import type { Database } from '../kernel/store/schema.ts';
import type { Reader } from './labels.ts';
import { noteRestrictedRead } from './read-log.ts';

export function readableBy(reader: Reader): RawBuilder<SqlBool> {
  const cleared = sql<SqlBool>`label_level <= ${reader.clearance}`;
  if (reader.secretariat) return cleared;
  // Names are validated codes (letters, digits, hyphen): nothing in them is a LIKE wildcard.
  const named = reader.names.map((n) => sql`label_releasable like ${`%,${n},%`}`);
  return sql<SqlBool>`(${cleared} and (label_level = 0${named.length ? sql` or ${sql.join(named, sql` or `)}` : sql``}))`;
}

/**
 * Throws not_found unless the reader may read the report or incident: one indexed lookup, for a route
 * that needs only the yes or no (evidence, leaf openings), answered exactly like a missing record.
 * A restricted record let through is noted for the request's access-trail entry.
 */
export async function mustBeReadable(
  db: Kysely<Database>,
  table: 'reports' | 'incidents',
  id: string,
  reader: Reader,
): Promise<void> {
  const row = await db
    .selectFrom(table)
    .select('label_level')
    .where('id', '=', id)
    .where(readableBy(reader))
    .executeTakeFirst();
  if (!row) throw new Problem('not_found', `no ${table === 'reports' ? 'report' : 'incident'} ${id}`);
  noteRestrictedRead(id, row.label_level);
}
