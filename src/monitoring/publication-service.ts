/**
 * Publications: the daily report for a UTC day, spot reports, and compliance with the
 * reliable-ceasefire determination. Reads only; the pure builders do the counting.
 */
import type { Kysely } from 'kysely';
import { ACCESS_LEAF_KIND } from '../access/access-events.ts';
import { readableBy } from '../access/label-filter.ts';
import { type Reader, readerKey } from '../access/labels.ts';
import { noteRestrictedRead } from '../access/read-log.ts';
import { Problem } from '../kernel/http/errors.ts';
import type { Database, ReportTable } from '../kernel/store/schema.ts';
import {
  complianceByDay,
  determineReliableCeasefire,
  type ReliableCeasefireDetermination,
  type ReliableCeasefireRuleInput,
  type SectorDay,
} from './compliance.ts';
import {
  addDays,
  buildDailyReport,
  type DailyReport,
  type IncidentWithReports,
  utcDayStart,
} from './daily-report.ts';
import { type DaySummary, summariseDays } from './daily-summary.ts';
import { OBLASTS } from './geo/oblasts.ts';
import { incidentFromRow } from './incident-model.ts';
import { overlappingFingerprint, overlappingIncidents, overlappingSpans } from './overlapping-incidents.ts';
import { reportFromRow } from './report-model.ts';
import { type SpotReport, spotReport } from './spot-report-render.ts';
import type { IncidentStatus } from './types.ts';

export const OBLAST_NAMES: Record<string, string> = Object.fromEntries(OBLASTS.map((o) => [o.iso, o.name]));

export async function isDemo(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'demo').executeTakeFirst();
  return row?.value === 'loaded';
}

async function sectorNames(db: Kysely<Database>): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('sectors').select(['id', 'name']).orderBy('id').execute();
}

async function withReports(
  db: Kysely<Database>,
  incidents: Awaited<ReturnType<typeof loadIncidentRows>>,
  sectors: { id: string; name: string }[],
): Promise<IncidentWithReports[]> {
  const names = new Map(sectors.map((s) => [s.id, s.name]));
  const reportsBy = new Map<string, ReportTable[]>();
  const ids = incidents.map((i) => i.id);
  for (let i = 0; i < ids.length; i += 400) {
    const rows = await db
      .selectFrom('reports')
      .selectAll()
      .where('incident_id', 'in', ids.slice(i, i + 400))
      .execute();
    for (const r of rows) {
      const list = reportsBy.get(r.incident_id!) ?? [];
      list.push(r);
      reportsBy.set(r.incident_id!, list);
    }
  }
  return incidents.map((row) => {
    const i = incidentFromRow(row);
    return {
      id: i.id,
      status: i.status,
      firstObserved: i.firstObserved,
      lastObserved: i.lastObserved,
      lon: i.lon,
      lat: i.lat,
      uncertaintyM: i.uncertaintyM,
      oblast: i.oblast,
      sectorId: i.sectorId,
      sectorName: i.sectorId ? (names.get(i.sectorId) ?? null) : null,
      assessedAttribution: i.assessedAttribution?.party ?? null,
      reports: (reportsBy.get(i.id) ?? []).map(reportFromRow),
    };
  });
}

function loadIncidentRows(db: Kysely<Database>, fromIso: string, toIso: string, reader: Reader) {
  return overlappingIncidents(db, fromIso, toIso, reader);
}

/**
 * Every state change appends a ledger leaf, so the ledger's size says whether anything changed since
 * a publication was built: a cached daily report is served until the record grows, by any process.
 */
async function recordVersion(db: Kysely<Database>): Promise<number> {
  // The access trail's leaves change no publication: every audited read and sign-in appends one. The
  // walk back from the end passes only the access leaves since the last change, which live ingest keeps few.
  const row = await db
    .selectFrom('ledger_leaves')
    .select('idx')
    .where('kind', '!=', ACCESS_LEAF_KIND)
    .orderBy('idx', 'desc')
    .limit(1)
    .executeTakeFirst();
  return Number(row?.idx ?? -1);
}

const CACHE_SIZE = 128;
const caches = new WeakMap<Kysely<Database>, Map<string, unknown>>();

/** A publication built once per state of the record; the oldest entries make room for new ones. */
async function cached<T>(db: Kysely<Database>, key: string, build: () => Promise<T>): Promise<T> {
  return remembered(db, `${key}@${await recordVersion(db)}`, build);
}

/** Built once per key, which must name everything the publication depends on. */
async function remembered<T>(db: Kysely<Database>, versioned: string, build: () => Promise<T>): Promise<T> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  if (cache.has(versioned)) return cache.get(versioned) as T;
  const value = await build();
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(versioned, value);
  return value;
}

/**
 * A day's report changes only when an incident overlapping that day changes, so it is kept per day
 * under the day's own fingerprint: live ingest about today does not make past days rebuild.
 */
export async function dailyReport(db: Kysely<Database>, date: string, reader: Reader): Promise<DailyReport> {
  const day = {
    start: new Date(utcDayStart(date)).toISOString(),
    end: new Date(utcDayStart(addDays(date, 1))).toISOString(),
  };
  const [incidents, sectors, demo] = await Promise.all([
    overlappingFingerprint(db, day.start, day.end),
    sectorNames(db),
    isDemo(db),
  ]);
  const names = sectors.map((s) => `${s.id}=${s.name}`).join(',');
  // Each reader gets the day as counted over what they may read; readers who see the same share it.
  return remembered(db, `daily:${date}:${readerKey(reader)}@${incidents}|${names}|${demo}`, async () => {
    const rows = await loadIncidentRows(db, day.start, day.end, reader);
    return buildDailyReport({
      date,
      incidents: await withReports(db, rows, sectors),
      sectors,
      generatedAt: new Date().toISOString(),
      demo,
      oblastNames: OBLAST_NAMES,
    });
  });
}

export function dailySummaries(
  db: Kysely<Database>,
  from: string,
  to: string,
  reader: Reader,
): Promise<DaySummary[]> {
  return cached(db, `days:${from}:${to}:${readerKey(reader)}`, async () => {
    const rows = await overlappingSpans(
      db,
      new Date(utcDayStart(from)).toISOString(),
      new Date(utcDayStart(addDays(to, 1))).toISOString(),
      reader,
    );
    return summariseDays(
      from,
      to,
      rows.map((r) => ({
        status: r.status as IncidentStatus,
        firstObserved: r.first_observed,
        lastObserved: r.last_observed,
      })),
    );
  });
}

export async function spotReportFor(db: Kysely<Database>, id: string, reader: Reader): Promise<SpotReport> {
  const row = await db
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', id)
    .where(readableBy(reader))
    .executeTakeFirst();
  if (!row) throw new Problem('not_found', `no incident ${id}`);
  noteRestrictedRead(id, row.label_level);
  const [incident] = await withReports(db, [row], await sectorNames(db));
  return spotReport(incident!, { demo: await isDemo(db), oblastNames: OBLAST_NAMES });
}

export interface ComplianceAnswer {
  from: string;
  to: string;
  sectorDays: SectorDay[];
  determination: ReliableCeasefireDetermination;
}

export function compliance(
  db: Kysely<Database>,
  q: { from: string; to: string; rule: ReliableCeasefireRuleInput },
  reader: Reader,
): Promise<ComplianceAnswer> {
  return cached(db, `compliance:${JSON.stringify(q)}:${readerKey(reader)}`, () =>
    buildCompliance(db, q, reader),
  );
}

async function buildCompliance(
  db: Kysely<Database>,
  q: { from: string; to: string; rule: ReliableCeasefireRuleInput },
  reader: Reader,
): Promise<ComplianceAnswer> {
  const sectors = await sectorNames(db);
  const rows = await db
    .selectFrom('incidents')
    .select(['id', 'status', 'sector_id', 'first_observed', 'counts', 'weapon_violation'])
    .where('merged_into', 'is', null)
    .where(readableBy(reader))
    .where('first_observed', '>=', new Date(utcDayStart(q.from)).toISOString())
    .where('first_observed', '<', new Date(utcDayStart(addDays(q.to, 1))).toISOString())
    .execute();
  const sectorDays = complianceByDay({
    from: q.from,
    to: q.to,
    sectors,
    rule: q.rule,
    incidents: rows.map((r) => ({
      id: r.id,
      status: r.status as never,
      sectorId: r.sector_id,
      firstObserved: r.first_observed,
      counts: JSON.parse(r.counts),
      weaponViolation: r.weapon_violation === 1,
    })),
  });
  return {
    from: q.from,
    to: q.to,
    sectorDays,
    determination: determineReliableCeasefire(q.rule, sectorDays, q.to),
  };
}
