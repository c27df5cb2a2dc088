/** Report queries. Only this module and the ingest path touch the reports table. */
import type { Kysely } from 'kysely';
import { readableBy } from '../access/label-filter.ts';
import type { Reader } from '../access/labels.ts';
import { Problem } from '../kernel/http/errors.ts';
import { decodeCursor, type Page, pageOf } from '../kernel/http/paging.ts';
import type { Database } from '../kernel/store/schema.ts';
import { type Report, reportFromRow } from './report-model.ts';

export interface ReportFilter {
  from?: string;
  to?: string;
  incidentId?: string;
  type?: string;
  sourceKind?: string;
  participant?: string;
  oblast?: string;
  sectorId?: string;
  bbox?: [number, number, number, number];
  limit: number;
  cursor?: string;
}

/** The report if the reader may see it; an unreadable one is answered exactly like a missing one. */
export async function getReport(db: Kysely<Database>, id: string, reader: Reader): Promise<Report> {
  const row = await db
    .selectFrom('reports')
    .selectAll()
    .where('id', '=', id)
    .where(readableBy(reader))
    .executeTakeFirst();
  if (!row) throw new Problem('not_found', `no report ${id}`);
  const [report] = await withReadableIncidents(db, [reportFromRow(row)], reader);
  return report!;
}

/**
 * A reader may see a report but not the incident it is in (the incident also holds a report they may
 * not see): then the report does not say which incident, nor why it was linked.
 */
export async function withReadableIncidents(
  db: Kysely<Database>,
  reports: Report[],
  reader: Reader,
): Promise<Report[]> {
  const ids = [...new Set(reports.map((r) => r.incidentId).filter((i): i is string => i !== null))];
  const readable = new Set<string>();
  for (let i = 0; i < ids.length; i += 400) {
    const rows = await db
      .selectFrom('incidents')
      .select('id')
      .where('id', 'in', ids.slice(i, i + 400))
      .where(readableBy(reader))
      .execute();
    for (const r of rows) readable.add(r.id);
  }
  return reports.map((r) =>
    r.incidentId === null || readable.has(r.incidentId) ? r : { ...r, incidentId: null, link: null },
  );
}

export async function listReports(
  db: Kysely<Database>,
  f: ReportFilter,
  reader: Reader,
): Promise<Page<Report>> {
  let q = db.selectFrom('reports').selectAll().where(readableBy(reader));
  if (f.from) q = q.where('observed_to', '>=', f.from);
  if (f.to) q = q.where('observed_from', '<', f.to);
  if (f.incidentId) {
    // Only an incident the reader may see: its membership would otherwise show that it exists.
    const incidentId = f.incidentId;
    q = q.where('incident_id', 'in', (eb) =>
      eb.selectFrom('incidents').select('id').where('id', '=', incidentId).where(readableBy(reader)),
    );
  }
  if (f.type) q = q.where('type', '=', f.type);
  if (f.sourceKind) q = q.where('source_kind', '=', f.sourceKind);
  if (f.participant) q = q.where('participant', '=', f.participant);
  if (f.oblast) q = q.where('oblast', '=', f.oblast);
  if (f.sectorId) q = q.where('sector_id', '=', f.sectorId);
  if (f.bbox) {
    const [w, s, e, n] = f.bbox;
    q = q
      .where('est_lon', '>=', w)
      .where('est_lon', '<=', e)
      .where('est_lat', '>=', s)
      .where('est_lat', '<=', n);
  }
  if (f.cursor) {
    const [observed, id] = decodeCursor(f.cursor, 2) as [string, string];
    q = q.where((eb) =>
      eb.or([
        eb('observed_from', '<', observed),
        eb.and([eb('observed_from', '=', observed), eb('id', '<', id)]),
      ]),
    );
  }
  // Newest first: the order an operations room reads in.
  const rows = await q
    .orderBy('observed_from', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
  const page = pageOf(rows, f.limit, reportFromRow, (r) => [r.observedFrom, r.id]);
  return { ...page, items: await withReadableIncidents(db, page.items, reader) };
}

/** Ids of reports that a later report corrects. */
export async function supersededBy(db: Kysely<Database>, id: string, reader: Reader): Promise<string[]> {
  const rows = await db
    .selectFrom('reports')
    .select('id')
    .where('supersedes', '=', id)
    .where(readableBy(reader))
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
