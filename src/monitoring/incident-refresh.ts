/**
 * An incident's figures are derived from its reports, never typed in: after any change to which reports
 * belong to it (correlation, split, merge) they are recomputed here from the stored reports.
 */
import { highWaterMark, labelColumns, labelFromColumns } from '../access/labels.ts';
import type { IncidentTable, ReportTable } from '../kernel/store/schema.ts';
import type { Tx } from '../kernel/store/store.ts';
import { type Geography, oblastOf } from './enrich.ts';
import { type CountableReport, countIncidentEvents } from './event-counts.ts';
import { cellOf } from './geo/cells.ts';
import { bumpRevision } from './incident-model.ts';
import { isLongSpan } from './overlapping-incidents.ts';
import type { EventType } from './report-schema.ts';
import { sectorAt } from './zones.ts';

const MIN_UNCERTAINTY_M = 50;

export interface Centroid {
  lon: number;
  lat: number;
  uncertaintyM: number;
}

/** What correlation says about an incident; stored as given so a later seeded run reads it back exactly. */
export interface CorrelatedShape extends Centroid {
  firstObserved?: number;
  lastObserved?: number;
}

/** Inverse-variance weighted mean of the reports' estimates: sharper reports count for more. */
export function centroidOf(places: readonly { lon: number; lat: number; uncertaintyM: number }[]): Centroid {
  let w = 0;
  let lon = 0;
  let lat = 0;
  for (const p of places) {
    const wi = 1 / Math.max(p.uncertaintyM, MIN_UNCERTAINTY_M) ** 2;
    w += wi;
    lon += p.lon * wi;
    lat += p.lat * wi;
  }
  return { lon: lon / w, lat: lat / w, uncertaintyM: Math.max(MIN_UNCERTAINTY_M, 1 / Math.sqrt(w)) };
}

/** The columns of an incident that are derived from its reports. */
export type IncidentFigures = Pick<
  IncidentTable,
  | 'primary_type'
  | 'types'
  | 'weapon_classes'
  | 'first_observed'
  | 'last_observed'
  | 'lon'
  | 'lat'
  | 'uncertainty_m'
  | 'oblast'
  | 'sector_id'
  | 'report_count'
  | 'source_count'
  | 'counts'
  | 'weapon_violation'
  | 'long_span'
  | 'cell'
  | 'label_level'
  | 'label_releasable'
>;

export function figuresOf(
  rows: readonly ReportTable[],
  geography: Geography,
  centroid?: Centroid,
): IncidentFigures {
  // Only what counting needs, read off the rows: correlation refreshes every incident a batch touches.
  const reports: CountableReport[] = rows.map((r) => ({
    id: r.id,
    source: { kind: r.source_kind, id: r.source_id },
    type: r.type as EventType,
    count: r.count,
    supersedes: r.supersedes,
  }));
  const counts = countIncidentEvents(reports);
  const typeOrder = new Map<EventType, number>();
  for (const r of reports) typeOrder.set(r.type, (typeOrder.get(r.type) ?? 0) + 1);
  const types = [...typeOrder.keys()].sort();
  // The primary type is the one with the most events (then most reports), so a map symbol says the most.
  const primary = [...types].sort(
    (a, b) =>
      (counts[b] ?? 0) - (counts[a] ?? 0) || typeOrder.get(b)! - typeOrder.get(a)! || (a < b ? -1 : 1),
  )[0]!;
  const c: CorrelatedShape =
    centroid ??
    centroidOf(rows.map((r) => ({ lon: r.est_lon, lat: r.est_lat, uncertaintyM: r.est_uncertainty_m })));
  let first = rows[0]!.observed_from;
  let last = rows[0]!.observed_to;
  for (const r of rows) {
    if (r.observed_from < first) first = r.observed_from;
    if (r.observed_to > last) last = r.observed_to;
  }
  if (c.firstObserved !== undefined) first = new Date(c.firstObserved).toISOString();
  if (c.lastObserved !== undefined) last = new Date(c.lastObserved).toISOString();
  return {
    primary_type: primary,
    types: JSON.stringify(types),
    weapon_classes: JSON.stringify([...new Set(rows.map((r) => r.weapon_class))].sort()),
    first_observed: first,
    last_observed: last,
    lon: c.lon,
    lat: c.lat,
    uncertainty_m: c.uncertaintyM,
    oblast: oblastOf(c.lon, c.lat),
    sector_id: sectorAt(c.lon, c.lat, geography.sectors),
    report_count: rows.length,
    source_count: new Set(rows.map((r) => `${r.source_kind}:${r.source_id}`)).size,
    counts: JSON.stringify(counts),
    weapon_violation: rows.some((r) => r.withdrawal_violation !== null) ? 1 : 0,
    long_span: isLongSpan(first, last) ? 1 : 0,
    cell: cellOf(c.lon, c.lat),
    // Whoever may read the incident may read every report in it: its figures reveal nothing more.
    ...labelColumns(highWaterMark(rows.map(labelFromColumns))),
  };
}

export async function refreshIncidents(
  trx: Tx,
  ids: readonly string[],
  now: string,
  geography: Geography,
  centroidFor?: (id: string) => Centroid | undefined,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 400) {
    const part = ids.slice(i, i + 400);
    const rows = await trx.selectFrom('reports').selectAll().where('incident_id', 'in', part).execute();
    const byIncident = new Map<string, ReportTable[]>();
    for (const r of rows) {
      const list = byIncident.get(r.incident_id!) ?? [];
      list.push(r);
      byIncident.set(r.incident_id!, list);
    }
    for (const id of part) {
      const reports = byIncident.get(id);
      if (!reports?.length) continue;
      const figures = figuresOf(reports, geography, centroidFor?.(id));
      await trx
        .updateTable('incidents')
        .set({ ...figures, updated_at: now, revision: bumpRevision })
        .where('id', '=', id)
        .execute();
    }
  }
}
