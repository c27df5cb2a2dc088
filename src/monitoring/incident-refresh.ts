/**
 * An incident's figures are derived from its reports, never typed in: after any change to which reports
 * belong to it (correlation, split, merge) they are recomputed here from the stored reports.
 */
import { highWaterMark, type LabelColumns, labelColumns, labelFromColumns } from '../access/labels.ts';
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
  // One pass over the rows for everything but the counts: correlation refreshes every incident a
  // batch touches, hundreds of thousands in a bulk import, so this runs in the import's hot path.
  const reports: CountableReport[] = new Array(rows.length);
  const reportsPerType = new Map<EventType, number>();
  const weaponClasses = new Set<string>();
  const sources = new Set<string>();
  let first = rows[0]!.observed_from;
  let last = rows[0]!.observed_to;
  let weaponViolation: 0 | 1 = 0;
  let labels = sameLabel(rows);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const type = r.type as EventType;
    reports[i] = {
      id: r.id,
      source: { kind: r.source_kind, id: r.source_id },
      type,
      count: r.count,
      supersedes: r.supersedes,
    };
    reportsPerType.set(type, (reportsPerType.get(type) ?? 0) + 1);
    weaponClasses.add(r.weapon_class);
    sources.add(`${r.source_kind}:${r.source_id}`);
    if (r.observed_from < first) first = r.observed_from;
    if (r.observed_to > last) last = r.observed_to;
    if (r.withdrawal_violation !== null) weaponViolation = 1;
  }
  // Whoever may read the incident may read every report in it: its figures reveal nothing more.
  labels ??= labelColumns(highWaterMark(rows.map(labelFromColumns)));
  const counts = countIncidentEvents(reports);
  const types = [...reportsPerType.keys()].sort();
  // The primary type is the one with the most events (then most reports), so a map symbol says the most.
  let primary = types[0]!;
  for (let i = 1; i < types.length; i++) {
    const t = types[i]!;
    const byEvents = (counts[t] ?? 0) - (counts[primary] ?? 0);
    if (byEvents > 0 || (byEvents === 0 && reportsPerType.get(t)! > reportsPerType.get(primary)!))
      primary = t;
  }
  const c: CorrelatedShape =
    centroid ??
    centroidOf(rows.map((r) => ({ lon: r.est_lon, lat: r.est_lat, uncertaintyM: r.est_uncertainty_m })));
  const firstMs = c.firstObserved ?? Date.parse(first);
  const lastMs = c.lastObserved ?? Date.parse(last);
  if (c.firstObserved !== undefined) first = new Date(c.firstObserved).toISOString();
  if (c.lastObserved !== undefined) last = new Date(c.lastObserved).toISOString();
  return {
    primary_type: primary,
    types: JSON.stringify(types),
    weapon_classes: JSON.stringify([...weaponClasses].sort()),
    first_observed: first,
    last_observed: last,
    lon: c.lon,
    lat: c.lat,
    uncertainty_m: c.uncertaintyM,
    oblast: oblastOf(c.lon, c.lat),
    sector_id: sectorAt(c.lon, c.lat, geography.sectors),
    report_count: rows.length,
    source_count: sources.size,
    counts: JSON.stringify(counts),
    weapon_violation: weaponViolation,
    long_span: isLongSpan(firstMs, lastMs) ? 1 : 0,
    cell: cellOf(c.lon, c.lat),
    ...labels,
  };
}

/**
 * The label columns of reports that all carry the same label, worked out once rather than per report:
 * nearly every incident's reports do. Undefined when they differ.
 */
function sameLabel(rows: readonly ReportTable[]): LabelColumns | undefined {
  const { label_level: level, label_releasable: releasable } = rows[0]!;
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.label_level !== level || rows[i]!.label_releasable !== releasable) return undefined;
  }
  return labelColumns(highWaterMark([labelFromColumns(rows[0]!)]));
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
