/**
 * Correlation against the database: seed the pure Correlator with the stored incidents that a batch
 * of new reports could touch (its candidate window), run it, and write back what changed: new
 * incidents, merges, and each touched incident's figures. Runs in the ingest transaction.
 */

import { uuid7 } from '../kernel/ids/uuid7.ts';
import { appendLeaves } from '../kernel/ledger/append.ts';
import { insertRows } from '../kernel/store/insert-rows.ts';
import type { ReportTable } from '../kernel/store/schema.ts';
import type { Tx } from '../kernel/store/store.ts';
import { type CorrelationOutcome, Correlator, candidateWindow, type StoredIncident } from './correlate.ts';
import type { Geography } from './enrich.ts';
import { cellsCovering } from './geo/cells.ts';
import { bumpRevision } from './incident-model.ts';
import { figuresOf } from './incident-refresh.ts';
import { overlapping } from './overlapping-incidents.ts';
import type { EventType, WeaponClass } from './report-schema.ts';
import type { CorrelationReport } from './types.ts';

export function correlationFacts(r: ReportTable): CorrelationReport {
  return {
    id: r.id,
    type: r.type as EventType,
    weaponClass: r.weapon_class as WeaponClass,
    sourceKey: `${r.source_kind}:${r.source_id}`,
    observedFrom: Date.parse(r.observed_from),
    observedTo: Date.parse(r.observed_to),
    lon: r.est_lon,
    lat: r.est_lat,
    uncertaintyM: r.est_uncertainty_m,
    count: r.count,
  };
}

/**
 * Loads the stored incidents that new reports in a window could join, as the correlator needs them,
 * in id order so a seeded correlator decides the same way whatever order the database returns rows.
 * The time bounds go through `overlapping`, whose two index ranges keep the cost to the incidents near
 * the window instead of every incident before it.
 */
export async function loadCandidates(
  trx: Tx,
  window: { fromMs: number; toMs: number; minLon: number; maxLon: number; minLat: number; maxLat: number },
): Promise<StoredIncident[]> {
  const cells = cellsCovering(window);
  if (cells?.length === 0) return [];
  // The window is closed at both ends; `overlapping` takes a half-open period.
  const rows = await overlapping(
    trx,
    new Date(window.fromMs).toISOString(),
    new Date(window.toMs + 1).toISOString(),
    (q) =>
      q
        .select([
          'id',
          'lon',
          'lat',
          'uncertainty_m',
          'first_observed',
          'last_observed',
          'types',
          'weapon_classes',
          'locked',
        ])
        .where('lon', '>=', window.minLon)
        .where('lon', '<=', window.maxLon)
        .where('lat', '>=', window.minLat)
        .where('lat', '<=', window.maxLat)
        // Say which grid cells the window covers, so the index reads only incidents near it.
        .$if(cells !== undefined, (w) => w.where('cell', 'in', cells!)),
  );
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Report ids are not needed: a new report is never one the store already holds.
  return rows.map((r) => ({
    id: r.id,
    reportIds: [],
    lon: r.lon,
    lat: r.lat,
    uncertaintyM: r.uncertainty_m,
    firstObserved: Date.parse(r.first_observed),
    lastObserved: Date.parse(r.last_observed),
    types: JSON.parse(r.types) as EventType[],
    weaponClasses: JSON.parse(r.weapon_classes) as WeaponClass[],
    locked: r.locked === 1,
  }));
}

export interface CorrelationPlan {
  /** Ids of the incidents this batch created, already inserted with their figures. */
  created: string[];
  /** Completes the change once the new reports are stored: merges, figures of stored incidents, history, leaves. */
  finish(): Promise<void>;
}

/**
 * Correlates new report rows (setting each row's incident and link), inserts the incidents they start
 * and returns the rest of the work for after the rows are inserted. Figures of incidents that only
 * hold new reports are computed from the rows in hand; stored incidents read their other reports.
 */
export async function correlateNewReports(
  trx: Tx,
  rows: ReportTable[],
  geography: Geography,
  now: string,
): Promise<CorrelationPlan> {
  if (rows.length === 0) return { created: [], finish: async () => {} };
  const facts = rows
    .map(correlationFacts)
    .sort((a, b) => a.observedFrom - b.observedFrom || (a.id < b.id ? -1 : 1));

  // The union of every report's window, grown in place: a batch holds thousands of reports.
  const union = candidateWindow(facts[0]!);
  for (let i = 1; i < facts.length; i++) {
    const w = candidateWindow(facts[i]!);
    union.fromMs = Math.min(union.fromMs, w.fromMs);
    union.toMs = Math.max(union.toMs, w.toMs);
    union.minLon = Math.min(union.minLon, w.minLon);
    union.maxLon = Math.max(union.maxLon, w.maxLon);
    union.minLat = Math.min(union.minLat, w.minLat);
    union.maxLat = Math.max(union.maxLat, w.maxLat);
  }
  const candidates = await loadCandidates(trx, union);
  const stored = new Set(candidates.map((i) => i.id));

  const correlator = new Correlator({}, uuid7);
  correlator.load(candidates);
  const created = new Set<string>();
  const absorbed = new Map<string, string>();
  const decided = new Map<string, CorrelationOutcome>();
  // The batch needs only where each report went, not the incident it left behind: see addAll.
  const outcomes = correlator.addAll(facts);
  for (let i = 0; i < facts.length; i++) {
    const d = outcomes[i]!;
    decided.set(facts[i]!.id, d);
    if (d.created) created.add(d.incidentId);
    for (const m of d.merged) absorbed.set(m, d.incidentId);
  }
  // A chain of merges within the batch: follow each absorbed incident to its final survivor.
  const survivor = (id: string): string => {
    let s = id;
    while (absorbed.has(s)) s = absorbed.get(s)!;
    return s;
  };

  const members = new Map<string, ReportTable[]>();
  const addMember = (id: string, row: ReportTable) => {
    const list = members.get(id);
    if (list) list.push(row);
    else members.set(id, [row]);
  };
  for (const row of rows) {
    const d = decided.get(row.id)!;
    row.incident_id = survivor(d.incidentId);
    row.link_score = d.link.score;
    row.link_reason = d.link.reason;
    addMember(row.incident_id, row);
  }
  const storedAbsorbed = [...absorbed.keys()].filter((id) => stored.has(id));
  // Stored reports of every incident whose figures change: touched stored ones and those merged away.
  const storedTouched = [...members.keys()].filter((id) => stored.has(id));
  const toRead = [...storedTouched, ...storedAbsorbed];
  for (let i = 0; i < toRead.length; i += 400) {
    const part = await trx
      .selectFrom('reports')
      .selectAll()
      .where('incident_id', 'in', toRead.slice(i, i + 400))
      .execute();
    for (const r of part) addMember(survivor(r.incident_id!), r);
  }

  const summaries = new Map(correlator.incidents().map((i) => [i.id, i]));
  const figuresFor = (id: string) => figuresOf(members.get(id)!, geography, summaries.get(id));
  const newIncidents = [...created].filter((id) => !absorbed.has(id));
  const values = newIncidents.map((id) => ({
    id,
    status: 'received',
    ...figuresFor(id),
    locked: 0,
    attribution_party: null,
    attribution_confidence: null,
    attribution_basis: null,
    attribution_notes: null,
    merged_into: null,
    created_at: now,
    updated_at: now,
    revision: 0,
  }));
  await insertRows(trx, 'incidents', values);

  return {
    created: newIncidents,
    finish: async () => {
      for (const id of storedAbsorbed) {
        const into = survivor(id);
        await trx.updateTable('reports').set({ incident_id: into }).where('incident_id', '=', id).execute();
        await trx
          .updateTable('incidents')
          .set({ merged_into: into, updated_at: now, revision: bumpRevision })
          .where('id', '=', id)
          .execute();
      }
      for (const id of storedTouched) {
        await trx
          .updateTable('incidents')
          .set({ ...figuresFor(id), updated_at: now, revision: bumpRevision })
          .where('id', '=', id)
          .execute();
      }
      // Incidents this batch started have no stored creation entry: see `historyOf`.
      const history = storedAbsorbed.map((id) => ({
        id: uuid7(),
        incident_id: survivor(id),
        at: now,
        actor: 'correlation',
        action: 'merged',
        from_status: null,
        to_status: null,
        reason: 'a new report linked both incidents',
        details: JSON.stringify({ absorbed: id }),
      }));
      await insertRows(trx, 'incident_events', history);
      if (storedAbsorbed.length) {
        await appendLeaves(
          trx,
          storedAbsorbed.map((id) => ({
            kind: 'incident.merged',
            recordId: survivor(id),
            content: { incident: survivor(id), absorbed: id, by: 'correlation' },
            at: now,
          })),
        );
      }
    },
  };
}
