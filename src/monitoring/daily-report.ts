/**
 * The daily report: one UTC day's figures per sector, per oblast and for the whole day, in the manner
 * of the OSCE SMM daily reports. Pure: the server queries the incidents whose observed interval
 * intersects the day and passes them in with their reports; rendering is in daily-report-render.ts.
 *
 * Counting rules, so that the figures can be summed over days and places without double counting:
 * - within an incident, events are counted by `countIncidentEvents` (sources confirm, they do not add);
 * - across incidents, counts add up (distinct incidents are distinct events);
 * - a report belongs to the day its observation began, so a report spanning midnight is counted once;
 * - rejected and duplicate incidents are left out of every figure and only counted in `excluded`.
 */
import {
  addCasualties,
  addEventCounts,
  CASUALTY_CATEGORIES,
  type Casualties,
  type CasualtyCategory,
  type CountableReport,
  countIncidentEvents,
  currentReports,
  type Estimate,
  type EventCounts,
  incidentCasualties,
  sourceKey,
  supersededIds,
} from './event-counts.ts';
import {
  EVENT_TYPES,
  type EventType,
  type MEANS,
  type SourceKind,
  type WeaponClass,
} from './report-schema.ts';
import type { IncidentStatus, ZoneAssessment } from './types.ts';

export type Means = (typeof MEANS)[number];

/** One report as publications see it. */
export interface IncidentReport extends CountableReport {
  source: { kind: SourceKind; id: string; participant: string };
  weaponClass: WeaponClass;
  countApproximate: boolean;
  means: Means;
  /** RFC 3339. */
  observedFrom: string;
  observedTo: string;
  casualties?: Casualties | null;
  /** What the zones say about the report's estimated place; absent when not assessed. */
  zone?: ZoneAssessment | null;
  notes?: string | null;
}

/** One incident with its reports, as the server hands it to the publications. */
export interface IncidentWithReports {
  id: string;
  status: IncidentStatus;
  /** RFC 3339. */
  firstObserved: string;
  lastObserved: string;
  lon: number;
  lat: number;
  uncertaintyM: number;
  /** ISO 3166-2, e.g. UA-14; null when outside every oblast or not yet placed. */
  oblast: string | null;
  sectorId: string | null;
  sectorName: string | null;
  /** The secretariat's assessed attribution, kept apart from what any report claims. */
  assessedAttribution?: string | null;
  reports: IncidentReport[];
}

export type DailyIncidentInput = IncidentWithReports;

export interface DailyReportInput {
  /** The UTC day, YYYY-MM-DD. */
  date: string;
  incidents: DailyIncidentInput[];
  /** Every sector, so that a quiet sector still shows its zeros. */
  sectors: { id: string; name: string }[];
  /** RFC 3339. */
  generatedAt: string;
  /** Marks the publication as illustrative demonstration data. */
  demo?: boolean;
  /** Display names by ISO 3166-2 code; the code is shown where a name is missing. */
  oblastNames?: Readonly<Record<string, string>>;
  title?: string;
}

/** Statuses whose incidents appear in the figures; rejected and duplicate ones do not. */
export const PUBLISHED_STATUSES = [
  'received',
  'triaged',
  'under_investigation',
  'verified',
  'unverifiable',
] as const satisfies readonly IncidentStatus[];
export type PublishedStatus = (typeof PUBLISHED_STATUSES)[number];

export interface ScopeSummary {
  scope: 'day' | 'sector' | 'oblast';
  /** Sector id or oblast code; null for incidents with no sector (or no oblast), and for the day. */
  id: string | null;
  name: string;
  incidents: number;
  /** Incidents first observed on this day. */
  newIncidents: number;
  verifiedIncidents: number;
  byStatus: Record<PublishedStatus, number>;
  counts: Record<EventType, number>;
  /** Event types where some counted report gave an approximate count. */
  approximate: EventType[];
  casualties: Record<CasualtyCategory, Estimate>;
  weaponViolations: number;
}

export interface PublishedPlace {
  /** Rounded to 3 decimals (about 100 m), the precision a publication needs. */
  lon: number;
  lat: number;
  uncertaintyM: number;
  oblast: string | null;
  oblastName: string | null;
  sectorId: string | null;
  sectorName: string | null;
}

export interface WeaponViolationEntry {
  incidentId: string;
  status: PublishedStatus;
  weaponClass: WeaponClass;
  /** Weapons seen: the largest per-source total among the reports of this class. */
  count: number;
  zoneId: string;
  zoneName: string;
  requiredKm: number;
  /** The smallest distance from the contact line any report gave. */
  actualKm: number;
  /** RFC 3339: when the first of these reports began. */
  observedAt: string;
  place: PublishedPlace;
}

export interface MovementRestrictionEntry {
  incidentId: string;
  status: PublishedStatus;
  observedFrom: string;
  observedTo: string;
  place: PublishedPlace;
  /** Who reported it: kind and participant, never the source's id. */
  source: { kind: SourceKind; participant: string };
  notes: string | null;
}

export interface DailyReport {
  date: string;
  /** The reporting period, half open: [periodStart, periodEnd). */
  periodStart: string;
  periodEnd: string;
  generatedAt: string;
  title: string;
  demo: boolean;
  totals: ScopeSummary;
  /** Sectors by id, then the incidents with no sector. */
  sectors: ScopeSummary[];
  /** Oblasts by code, then the incidents with no oblast. */
  oblasts: ScopeSummary[];
  excluded: { rejected: number; duplicate: number; total: number };
  weaponViolations: WeaponViolationEntry[];
  movementRestrictions: MovementRestrictionEntry[];
}

const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

// Publications ask for the same few days many thousand times; remembering them keeps that cheap.
const dayStarts = new Map<string, number>();

/** Epoch ms of a YYYY-MM-DD day's UTC midnight; throws on anything that is not a real date. */
export function utcDayStart(date: string): number {
  const known = dayStarts.get(date);
  if (known !== undefined) return known;
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!DATE_RE.test(date) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  }
  if (dayStarts.size > 10_000) dayStarts.clear();
  dayStarts.set(date, ms);
  return ms;
}

/** The UTC day (YYYY-MM-DD) of an RFC 3339 time, whatever its offset. */
export function utcDayOf(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 time: ${time}`);
  // A valid time already in UTC names its day in its first ten characters.
  if (time.endsWith('Z') && time[10] === 'T') return time.slice(0, 10);
  return new Date(ms).toISOString().slice(0, 10);
}

/** The day `days` after `date` (negative for before). */
export function addDays(date: string, days: number): string {
  return new Date(utcDayStart(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Code-unit order, so the same input gives the same bytes on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function roundCoordinate(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Rounding moves a point by up to ~80 m, so the published radius is never smaller than that. */
export function publishedUncertaintyM(uncertaintyM: number): number {
  return Math.max(100, Math.ceil(uncertaintyM / 10) * 10);
}

function zeroCounts(): Record<EventType, number> {
  return Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
}

function zeroCasualties(): Record<CasualtyCategory, Estimate> {
  return Object.fromEntries(CASUALTY_CATEGORIES.map((c) => [c, { low: 0, best: 0, high: 0 }])) as Record<
    CasualtyCategory,
    Estimate
  >;
}

function emptySummary(scope: ScopeSummary['scope'], id: string | null, name: string): ScopeSummary {
  return {
    scope,
    id,
    name,
    incidents: 0,
    newIncidents: 0,
    verifiedIncidents: 0,
    byStatus: Object.fromEntries(PUBLISHED_STATUSES.map((s) => [s, 0])) as Record<PublishedStatus, number>,
    counts: zeroCounts(),
    approximate: [],
    casualties: zeroCasualties(),
    weaponViolations: 0,
  };
}

export function isPublished(status: IncidentStatus): status is PublishedStatus {
  return (PUBLISHED_STATUSES as readonly string[]).includes(status);
}

/** What one incident contributes to the day. */
interface IncidentDay {
  incident: DailyIncidentInput;
  status: PublishedStatus;
  isNew: boolean;
  counts: EventCounts;
  approximate: Set<EventType>;
  casualties: ReturnType<typeof incidentCasualties>;
  violations: WeaponViolationEntry[];
  restrictions: MovementRestrictionEntry[];
}

function publishedPlace(
  incident: DailyIncidentInput,
  oblastNames: Readonly<Record<string, string>>,
): PublishedPlace {
  return {
    lon: roundCoordinate(incident.lon),
    lat: roundCoordinate(incident.lat),
    uncertaintyM: publishedUncertaintyM(incident.uncertaintyM),
    oblast: incident.oblast,
    oblastName: incident.oblast === null ? null : (oblastNames[incident.oblast] ?? incident.oblast),
    sectorId: incident.sectorId,
    sectorName: incident.sectorName,
  };
}

function weaponViolations(
  incident: DailyIncidentInput,
  status: PublishedStatus,
  reports: IncidentReport[],
  place: PublishedPlace,
): WeaponViolationEntry[] {
  // One entry per weapon class and withdrawal line: several reports of the same tanks are one finding.
  const groups = new Map<string, IncidentReport[]>();
  for (const r of reports) {
    const v = r.zone?.withdrawalViolation;
    if (!v) continue;
    const key = `${v.weaponClass}\u0000${v.zoneId}`;
    const group = groups.get(key) ?? [];
    group.push(r);
    groups.set(key, group);
  }
  const entries: WeaponViolationEntry[] = [];
  for (const group of groups.values()) {
    const first = group[0]!.zone!.withdrawalViolation!;
    const perSource = new Map<string, number>();
    for (const r of group)
      perSource.set(sourceKey(r.source), (perSource.get(sourceKey(r.source)) ?? 0) + r.count);
    entries.push({
      incidentId: incident.id,
      status,
      weaponClass: first.weaponClass,
      count: Math.max(...perSource.values()),
      zoneId: first.zoneId,
      zoneName: first.zoneName,
      requiredKm: first.requiredKm,
      actualKm: Math.min(...group.map((r) => r.zone!.withdrawalViolation!.actualKm)),
      observedAt: earliest(group.map((r) => r.observedFrom)),
      place,
    });
  }
  return entries;
}

function earliest(times: string[]): string {
  let best = times[0]!;
  for (const t of times) if (Date.parse(t) < Date.parse(best)) best = t;
  return best;
}

function incidentDay(
  incident: DailyIncidentInput,
  status: PublishedStatus,
  dayStart: number,
  superseded: ReadonlySet<string>,
  oblastNames: Readonly<Record<string, string>>,
): IncidentDay {
  const inDay = (time: string) => {
    const t = Date.parse(time);
    return t >= dayStart && t < dayStart + DAY_MS;
  };
  const reports = currentReports(incident.reports, { superseded }).filter((r) => inDay(r.observedFrom));
  const place = publishedPlace(incident, oblastNames);
  const approximate = new Set(reports.filter((r) => r.countApproximate).map((r) => r.type));
  return {
    incident,
    status,
    isNew: inDay(incident.firstObserved),
    counts: countIncidentEvents(reports),
    approximate,
    casualties: incidentCasualties(reports),
    violations: weaponViolations(incident, status, reports, place),
    restrictions: reports
      .filter((r) => r.type === 'movement_restriction')
      .map((r) => ({
        incidentId: incident.id,
        status,
        observedFrom: r.observedFrom,
        observedTo: r.observedTo,
        place,
        source: { kind: r.source.kind, participant: r.source.participant },
        notes: r.notes ?? null,
      })),
  };
}

function addToSummary(summary: ScopeSummary, day: IncidentDay): void {
  summary.incidents += 1;
  if (day.isNew) summary.newIncidents += 1;
  if (day.status === 'verified') summary.verifiedIncidents += 1;
  summary.byStatus[day.status] += 1;
  addEventCounts(summary.counts, day.counts);
  for (const t of day.approximate) if (!summary.approximate.includes(t)) summary.approximate.push(t);
  addCasualties(summary.casualties, day.casualties);
  summary.weaponViolations += day.violations.length;
}

export function overlapsDay(
  incident: Pick<DailyIncidentInput, 'firstObserved' | 'lastObserved'>,
  dayStart: number,
): boolean {
  const from = Date.parse(incident.firstObserved);
  const to = Date.parse(incident.lastObserved);
  return from < dayStart + DAY_MS && to >= dayStart;
}

export function buildDailyReport(input: DailyReportInput): DailyReport {
  const dayStart = utcDayStart(input.date);
  const oblastNames = input.oblastNames ?? {};
  // A correction may sit in another incident than the report it corrects; both are in the day's input.
  const superseded = supersededIds(input.incidents.flatMap((i) => i.reports));

  const totals = emptySummary('day', null, 'All sectors');
  const sectors = new Map<string, ScopeSummary>();
  for (const s of input.sectors) sectors.set(s.id, emptySummary('sector', s.id, s.name));
  const unassignedSector = emptySummary('sector', null, 'Unassigned');
  const oblasts = new Map<string, ScopeSummary>();
  const unassignedOblast = emptySummary('oblast', null, 'Unassigned');
  const excluded = { rejected: 0, duplicate: 0, total: 0 };
  const violations: WeaponViolationEntry[] = [];
  const restrictions: MovementRestrictionEntry[] = [];

  // The server should only pass incidents of the day; one outside it is ignored, not published.
  for (const incident of input.incidents.filter((i) => overlapsDay(i, dayStart))) {
    if (!isPublished(incident.status)) {
      excluded[incident.status === 'rejected' ? 'rejected' : 'duplicate'] += 1;
      excluded.total += 1;
      continue;
    }
    const day = incidentDay(incident, incident.status, dayStart, superseded, oblastNames);
    addToSummary(totals, day);

    let sector = unassignedSector;
    if (incident.sectorId !== null) {
      sector =
        sectors.get(incident.sectorId) ??
        emptySummary('sector', incident.sectorId, incident.sectorName ?? incident.sectorId);
      sectors.set(incident.sectorId, sector);
    }
    addToSummary(sector, day);

    let oblast = unassignedOblast;
    if (incident.oblast !== null) {
      oblast =
        oblasts.get(incident.oblast) ??
        emptySummary('oblast', incident.oblast, oblastNames[incident.oblast] ?? incident.oblast);
      oblasts.set(incident.oblast, oblast);
    }
    addToSummary(oblast, day);

    violations.push(...day.violations);
    restrictions.push(...day.restrictions);
  }

  for (const summary of [
    totals,
    unassignedSector,
    unassignedOblast,
    ...sectors.values(),
    ...oblasts.values(),
  ]) {
    summary.approximate.sort((a, b) => EVENT_TYPES.indexOf(a) - EVENT_TYPES.indexOf(b));
  }
  const byId = (a: ScopeSummary, b: ScopeSummary) => compareIds(a.id ?? '', b.id ?? '');
  const byTime = (a: string, b: string) => Date.parse(a) - Date.parse(b);

  return {
    date: input.date,
    periodStart: new Date(dayStart).toISOString(),
    periodEnd: new Date(dayStart + DAY_MS).toISOString(),
    generatedAt: input.generatedAt,
    title: input.title ?? `Daily report for ${input.date}`,
    demo: input.demo === true,
    totals,
    sectors: [
      ...[...sectors.values()].sort(byId),
      ...(unassignedSector.incidents > 0 ? [unassignedSector] : []),
    ],
    oblasts: [
      ...[...oblasts.values()].sort(byId),
      ...(unassignedOblast.incidents > 0 ? [unassignedOblast] : []),
    ],
    excluded,
    weaponViolations: violations.sort(
      (a, b) =>
        byTime(a.observedAt, b.observedAt) ||
        compareIds(a.incidentId, b.incidentId) ||
        compareIds(a.weaponClass, b.weaponClass) ||
        compareIds(a.zoneId, b.zoneId),
    ),
    movementRestrictions: restrictions.sort(
      (a, b) =>
        byTime(a.observedFrom, b.observedFrom) ||
        compareIds(a.incidentId, b.incidentId) ||
        compareIds(a.source.kind, b.source.kind) ||
        compareIds(a.source.participant, b.source.participant) ||
        compareIds(a.notes ?? '', b.notes ?? ''),
    ),
  };
}
