/**
 * Correlation: groups reports that describe the same event, or the same continuous exchange of fire, into
 * incidents. A report joins the incident it links best, starts a new one, or merges the incidents it links
 * strongly. Scoring is in correlation/score.ts, type rules in correlation/compatibility.ts, the candidate
 * index in correlation/grid.ts, the knobs in correlation/options.ts.
 *
 * Merge rule: when the best link and at least one other reach `mergeThreshold`, the incidents merge if
 * none is locked, their types and weapon sightings agree, the result spans at most the maximum duration,
 * and their centres are close given their own uncertainties. The survivor is the incident observed first
 * (ties: smallest id); `merged` lists the others.
 *
 * Deterministic: an incident's whole state is its summary (centre, uncertainty, times, type and class
 * sets), every tie is broken by first observation then id, and the default incident id is the id of the
 * report that started it. So the same sequence of reports gives the same incidents, and a correlator
 * seeded with `load()` from stored summaries (`candidateWindow` says which) decides exactly as one that saw
 * every report. A server must therefore store lon, lat, uncertaintyM and the times as a decision gives them.
 *
 * The incident centre is the inverse-variance weighted mean of its reports, kept as a running mean whose
 * weight is read back from the stored uncertainty. The uncertainty shrinks with each report but never below
 * `uncertaintyFloorM`: reports of one event share errors (the same map, the same sound over the same
 * ground), so many of them are not as precise as independent errors would make them. Capping the weight
 * also keeps a long-lived incident's centre able to move.
 *
 * The source of a report does not change its score: one monitor's pieces of an exchange of fire belong
 * together as much as different monitors' reports of it do. Longitudes are averaged as plain numbers, so
 * incidents across the antimeridian are not supported (nothing in the mission area comes near it).
 *
 * Cost: each report looks only at incidents in its grid cells whose time reach it overlaps, so a batch in
 * time order costs O(n log n) (the sort) plus O(n) near-constant work; reports out of time order are
 * correct and cost a scan of the hour buckets they fall in.
 */

import {
  CLASS_BIT,
  classesMask,
  classesOf,
  sightingClassesConflict,
  TYPE_BIT,
  typeMasksCompatible,
  typesMask,
  typesOf,
} from './correlation/compatibility.ts';
import { CandidateIndex, type Indexed, newSlot } from './correlation/grid.ts';
import {
  type CorrelationOptions,
  DEFAULT_CORRELATION_OPTIONS,
  resolveOptions,
} from './correlation/options.ts';
import {
  assessLink,
  equirectangularM,
  explainLink,
  type IncidentState,
  type LinkAssessment,
  spatialScore,
} from './correlation/score.ts';
import { M_PER_DEG } from './geo/geodesy.ts';
import { EVENT_TYPES, type EventType, WEAPON_CLASSES, type WeaponClass } from './report-schema.ts';
import type { CorrelationReport } from './types.ts';

export { compatibleTypes } from './correlation/compatibility.ts';
export type { CorrelationOptions } from './correlation/options.ts';
export { type IncidentShape, scoreLink } from './correlation/score.ts';
export { DEFAULT_CORRELATION_OPTIONS };

export interface IncidentSummary {
  id: string;
  /** In the order they joined; a merge appends the absorbed incidents' reports. */
  reportIds: string[];
  lon: number;
  lat: number;
  uncertaintyM: number;
  firstObserved: number;
  lastObserved: number;
  /** In the order of EVENT_TYPES. */
  types: readonly EventType[];
  /** In the order of WEAPON_CLASSES; weapon sightings of different classes never share an incident. */
  weaponClasses: readonly WeaponClass[];
  /** Analyst-split or -merged incidents never merge automatically (reports may still join them). */
  locked: boolean;
}

export interface CorrelationLink {
  reportId: string;
  incidentId: string;
  /** In [0, 1]; 1 for the report that starts an incident. */
  score: number;
  reason: string;
}

/**
 * An incident as a decision left it. It counts its reports rather than listing them: the links name them,
 * and copying a growing list into every decision would cost time and memory quadratic in incident size.
 */
export type IncidentSnapshot = Omit<IncidentSummary, 'reportIds'> & { reportCount: number };

/** What correlating one report did. */
export interface CorrelationOutcome {
  incidentId: string;
  created: boolean;
  link: CorrelationLink;
  /** Ids of incidents absorbed into `incidentId`, oldest first; their reports now belong to it. */
  merged: readonly string[];
}

export interface CorrelationDecision extends CorrelationOutcome {
  /** The incident after the decision. */
  incident: IncidentSnapshot;
}

/**
 * Which stored incidents the server must load so that `add()` decides as a full in-memory run would: those
 * with lastObserved >= fromMs, firstObserved <= toMs and their centre in the box. Loading more never
 * changes a decision. (An index scan may also skip firstObserved < report.observedTo - maxIncidentDurationMs:
 * such an incident would span too long to take the report.)
 */
export interface CandidateWindow {
  fromMs: number;
  toMs: number;
  minLon: number;
  maxLon: number;
  minLat: number;
  maxLat: number;
}

/**
 * An incident as a database gives it back to `load()`. Without `weaponClasses`, they are read from the
 * reports passed alongside, which must then include every report the incident lists.
 */
export type StoredIncident = Omit<IncidentSummary, 'weaponClasses'> & {
  weaponClasses?: readonly WeaponClass[];
};

interface Live extends Indexed, IncidentState {
  id: string;
  reportIds: string[];
  locked: boolean;
}

interface Candidate {
  inc: Live;
  a: LinkAssessment;
}

const byFirstThenId = (x: Live, y: Live): number =>
  x.firstObserved - y.firstObserved || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

const byScoreThenAge = (x: Candidate, y: Candidate): number =>
  y.a.score - x.a.score || byFirstThenId(x.inc, y.inc);

const NO_MERGES: readonly string[] = Object.freeze([]);

/**
 * A reason is built from many pieces, which V8 keeps as a rope several times the size of the text; reading
 * a character makes it flatten the rope, and a batch run keeps a million reasons.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
const WEAPON_CLASS_SET: ReadonlySet<string> = new Set(WEAPON_CLASSES);

export class Correlator {
  private readonly o: Readonly<CorrelationOptions>;
  private readonly newId: (() => string) | undefined;
  private readonly live = new Map<string, Live>();
  private readonly seenReports = new Set<string>();
  private readonly index: CandidateIndex<Live>;
  private readonly found: Live[] = [];

  /**
   * Without `newId` an incident takes the id of the report that starts it, which keeps runs deterministic
   * and lets a seeded correlator name incidents as a full run would; a server passes a UUIDv7 maker.
   */
  constructor(options?: Partial<CorrelationOptions>, newId?: () => string) {
    this.o = resolveOptions(options);
    this.newId = newId;
    this.index = new CandidateIndex<Live>(this.o);
  }

  get options(): Readonly<CorrelationOptions> {
    return this.o;
  }

  /**
   * Seeds the correlator with existing incidents, such as the candidates `candidateWindow` selects from a
   * database, with their reports when the incidents do not carry their weapon classes. Report ids are
   * remembered so a report is never correlated twice.
   */
  load(incidents: readonly StoredIncident[], reports: readonly CorrelationReport[] = []): void {
    // Everything is checked before anything is kept, so a refused load leaves the correlator as it was.
    const classOf = new Map(reports.map((r) => [r.id, r.weaponClass]));
    const ids = new Set<string>();
    const reportIds = new Set<string>();
    const loaded = incidents.map((s): Live => {
      const what = (): string => `incident ${s.id}`;
      if (this.live.has(s.id) || ids.has(s.id)) throw new Error(`${what()} is already loaded`);
      ids.add(s.id);
      for (const r of s.reportIds) {
        if (this.seenReports.has(r) || reportIds.has(r)) throw new Error(`report ${r} is already correlated`);
        reportIds.add(r);
      }
      const weaponClasses =
        s.weaponClasses ??
        s.reportIds.map((id) => {
          const c = classOf.get(id);
          if (c === undefined) throw new Error(`${what()}: give its weaponClasses or its report ${id}`);
          return c;
        });
      for (const t of s.types)
        if (!EVENT_TYPE_SET.has(t)) throw new RangeError(`${what()}: unknown type ${t}`);
      for (const c of weaponClasses) {
        if (!WEAPON_CLASS_SET.has(c)) throw new RangeError(`${what()}: unknown weapon class ${c}`);
      }
      checkPlace('incident', s.id, s.lon, s.lat, s.uncertaintyM);
      checkTimes('incident', s.id, s.firstObserved, s.lastObserved);
      return {
        id: s.id,
        reportIds: [...s.reportIds],
        lon: s.lon,
        lat: s.lat,
        uncertaintyM: s.uncertaintyM,
        firstObserved: s.firstObserved,
        lastObserved: s.lastObserved,
        typeMask: typesMask(s.types),
        classMask: classesMask(weaponClasses),
        locked: s.locked,
        dead: false,
        linkable: s.uncertaintyM <= this.o.maxUncertaintyM,
        slot: newSlot(),
      };
    });
    for (const r of reportIds) this.seenReports.add(r);
    for (const inc of loaded) {
      this.live.set(inc.id, inc);
      this.index.upsert(inc);
    }
  }

  /** Correlates one report: it joins an incident, starts one, or merges several. */
  add(report: CorrelationReport): CorrelationDecision {
    const outcome = this.correlate(report);
    return { ...outcome, incident: snapshot(this.live.get(outcome.incidentId)!) };
  }

  /**
   * Correlates reports in the order given. A batch needs only the incidents at the end, so its outcomes
   * carry no snapshot of the incident each report left behind.
   */
  addAll(reports: readonly CorrelationReport[]): CorrelationOutcome[] {
    const outcomes = new Array<CorrelationOutcome>(reports.length);
    for (let i = 0; i < reports.length; i++) outcomes[i] = this.correlate(reports[i]!);
    return outcomes;
  }

  private correlate(report: CorrelationReport): CorrelationOutcome {
    checkReport(report);
    this.remember(report.id);
    const o = this.o;
    let linked: Candidate[] | null = null;
    let nearMiss: Candidate | null = null;
    const found = this.found;
    if (
      report.uncertaintyM <= o.maxUncertaintyM &&
      report.observedTo - report.observedFrom <= o.maxIncidentDurationMs
    ) {
      this.index.query(report, found);
    }
    for (const inc of found) {
      const a = assessLink(report, inc, o);
      if (a.score <= 0) continue;
      const c = { inc, a };
      if (a.score >= o.linkThreshold) {
        if (linked === null) linked = [c];
        else linked.push(c);
      } else if (nearMiss === null || byScoreThenAge(c, nearMiss) < 0) nearMiss = c;
    }
    found.length = 0;
    this.index.advance(report.observedFrom);
    if (linked === null) return this.create(report, nearMiss);
    if (linked.length > 1) linked.sort(byScoreThenAge);
    const best = linked[0]!;
    const group = this.mergeGroup(report, linked);
    let survivor = best.inc;
    let reason = explainLink(report, best.inc, best.a, o);
    let merged = NO_MERGES;
    if (group !== null) {
      group.sort(byFirstThenId);
      survivor = group[0]!;
      const absorbed = group.slice(1);
      merged = absorbed.map((g) => g.id);
      const others = linked.filter((c) => c !== best && group.includes(c.inc));
      reason += `; also links ${others.map((c) => `${c.inc.id} (${c.a.score.toFixed(2)})`).join(', ')}: merged into ${survivor.id}`;
      for (const other of absorbed) {
        absorb(survivor, other, o.uncertaintyFloorM);
        for (const id of other.reportIds) survivor.reportIds.push(id);
        other.dead = true;
        this.live.delete(other.id);
      }
    }
    absorbReport(survivor, report, o.uncertaintyFloorM);
    this.index.upsert(survivor);
    return {
      incidentId: survivor.id,
      created: false,
      link: { reportId: report.id, incidentId: survivor.id, score: best.a.score, reason: flat(reason) },
      merged,
    };
  }

  /** Every incident, oldest first (ties by id). */
  incidents(): IncidentSummary[] {
    return [...this.live.values()].sort(byFirstThenId).map(summarise);
  }

  /**
   * The incidents a report merges: the best one and every other strongly linked one that fits with all
   * already chosen (types, weapon sightings, span, and centres close given their own uncertainties, so
   * that one vague report cannot fuse two distinct events). Locked incidents never merge.
   */
  private mergeGroup(report: CorrelationReport, linked: readonly Candidate[]): Live[] | null {
    const o = this.o;
    const best = linked[0]!.inc;
    if (linked.length < 2 || best.locked || linked[0]!.a.score < o.mergeThreshold) return null;
    const group = [best];
    let types = best.typeMask | TYPE_BIT[report.type];
    let classes = best.classMask | CLASS_BIT[report.weaponClass];
    let first = Math.min(best.firstObserved, report.observedFrom);
    let last = Math.max(best.lastObserved, report.observedTo);
    for (let i = 1; i < linked.length; i++) {
      const { inc, a } = linked[i]!;
      if (a.score < o.mergeThreshold) break;
      if (inc.locked || !typeMasksCompatible(types, inc.typeMask)) continue;
      if (sightingClassesConflict(types, classes, inc.typeMask, inc.classMask)) continue;
      if (Math.max(last, inc.lastObserved) - Math.min(first, inc.firstObserved) > o.maxIncidentDurationMs)
        continue;
      if (!group.every((g) => centresAgree(g, inc, o))) continue;
      group.push(inc);
      types |= inc.typeMask;
      classes |= inc.classMask;
      first = Math.min(first, inc.firstObserved);
      last = Math.max(last, inc.lastObserved);
    }
    return group.length > 1 ? group : null;
  }

  private create(report: CorrelationReport, nearMiss: Candidate | null): CorrelationOutcome {
    const o = this.o;
    const id = this.newId === undefined ? report.id : this.newId();
    if (this.live.has(id)) {
      this.seenReports.delete(report.id);
      throw new Error(`incident id ${id} is already in use`);
    }
    const inc: Live = {
      id,
      reportIds: [report.id],
      lon: report.lon,
      lat: report.lat,
      uncertaintyM: Math.max(report.uncertaintyM, o.uncertaintyFloorM),
      firstObserved: report.observedFrom,
      lastObserved: report.observedTo,
      typeMask: TYPE_BIT[report.type],
      classMask: CLASS_BIT[report.weaponClass],
      locked: false,
      dead: false,
      linkable: report.uncertaintyM <= o.maxUncertaintyM,
      slot: newSlot(),
    };
    this.live.set(id, inc);
    this.index.upsert(inc);
    let reason = 'first report';
    const alone = soloRefusal(report, o);
    if (alone !== null) reason += `; ${alone}`;
    else if (nearMiss !== null) {
      reason += `; closest incident ${nearMiss.inc.id} scored ${nearMiss.a.score.toFixed(2)}, under ${o.linkThreshold}: ${explainLink(report, nearMiss.inc, nearMiss.a, o)}`;
    }
    return {
      incidentId: id,
      created: true,
      link: { reportId: report.id, incidentId: id, score: 1, reason: flat(reason) },
      merged: NO_MERGES,
    };
  }

  private remember(reportId: string): void {
    const known = this.seenReports.size;
    // One hash lookup instead of has() then add(): this runs for every report.
    if (this.seenReports.add(reportId).size === known)
      throw new Error(`report ${reportId} is already correlated`);
  }
}

/** Whether two incidents' centres are close enough, given their own uncertainties, to be one event. */
function centresAgree(a: IncidentState, b: IncidentState, o: Readonly<CorrelationOptions>): boolean {
  const ua = Math.max(a.uncertaintyM, o.uncertaintyFloorM);
  const ub = Math.max(b.uncertaintyM, o.uncertaintyFloorM);
  const z = equirectangularM(a.lon, a.lat, b.lon, b.lat) / Math.sqrt(ua * ua + ub * ub);
  return spatialScore(z, o.maxSigma) >= o.mergeThreshold;
}

/** Folds `b` into `a`: inverse-variance weighted centre, uncertainty floored, union of times and sets. */
function absorb(a: Live, b: IncidentState, floorM: number): void {
  moveCentre(a, b.lon, b.lat, b.uncertaintyM, floorM);
  a.firstObserved = Math.min(a.firstObserved, b.firstObserved);
  a.lastObserved = Math.max(a.lastObserved, b.lastObserved);
  a.typeMask |= b.typeMask;
  a.classMask |= b.classMask;
}

function absorbReport(a: Live, r: CorrelationReport, floorM: number): void {
  moveCentre(a, r.lon, r.lat, r.uncertaintyM, floorM);
  a.firstObserved = Math.min(a.firstObserved, r.observedFrom);
  a.lastObserved = Math.max(a.lastObserved, r.observedTo);
  a.typeMask |= TYPE_BIT[r.type];
  a.classMask |= CLASS_BIT[r.weaponClass];
  a.reportIds.push(r.id);
}

/**
 * The weight of the current centre is read back from its uncertainty, never kept apart, so an incident
 * loaded from its summary moves exactly as it would have in the run that made it.
 */
function moveCentre(a: Live, lon: number, lat: number, uncertaintyM: number, floorM: number): void {
  const ua = Math.max(a.uncertaintyM, floorM);
  const ub = Math.max(uncertaintyM, floorM);
  const wa = 1 / (ua * ua);
  const wb = 1 / (ub * ub);
  const w = wa + wb;
  a.lon = (wa * a.lon + wb * lon) / w;
  a.lat = (wa * a.lat + wb * lat) / w;
  a.uncertaintyM = Math.max(floorM, 1 / Math.sqrt(w));
}

/** Why a report cannot join any incident whatever incidents exist, or null. */
function soloRefusal(report: CorrelationReport, o: Readonly<CorrelationOptions>): string | null {
  if (
    report.uncertaintyM > o.maxUncertaintyM ||
    report.observedTo - report.observedFrom > o.maxIncidentDurationMs
  ) {
    // Scored against the report itself, the same gates give the same words as scoreLink.
    const self: IncidentState = {
      lon: report.lon,
      lat: report.lat,
      uncertaintyM: report.uncertaintyM,
      firstObserved: report.observedFrom,
      lastObserved: report.observedTo,
      typeMask: TYPE_BIT[report.type],
      classMask: CLASS_BIT[report.weaponClass],
    };
    return explainLink(report, self, assessLink(report, self, o), o);
  }
  return null;
}

function snapshot(inc: Live): IncidentSnapshot {
  return {
    id: inc.id,
    reportCount: inc.reportIds.length,
    lon: inc.lon,
    lat: inc.lat,
    uncertaintyM: inc.uncertaintyM,
    firstObserved: inc.firstObserved,
    lastObserved: inc.lastObserved,
    types: typesOf(inc.typeMask),
    weaponClasses: classesOf(inc.classMask),
    locked: inc.locked,
  };
}

function summarise(inc: Live): IncidentSummary {
  return {
    id: inc.id,
    reportIds: [...inc.reportIds],
    lon: inc.lon,
    lat: inc.lat,
    uncertaintyM: inc.uncertaintyM,
    firstObserved: inc.firstObserved,
    lastObserved: inc.lastObserved,
    types: typesOf(inc.typeMask),
    weaponClasses: classesOf(inc.classMask),
    locked: inc.locked,
  };
}

function checkPlace(what: string, id: string, lon: number, lat: number, uncertaintyM: number): void {
  if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90))
    throw new RangeError(`${what} ${id}: place out of range`);
  if (!(uncertaintyM >= 0 && Number.isFinite(uncertaintyM)))
    throw new RangeError(`${what} ${id}: bad uncertaintyM`);
}

function checkTimes(what: string, id: string, from: number, to: number): void {
  if (!(Number.isFinite(from) && Number.isFinite(to) && from <= to)) {
    throw new RangeError(`${what} ${id}: observed times must be finite with from <= to`);
  }
}

function checkReport(r: CorrelationReport): void {
  if (!EVENT_TYPE_SET.has(r.type)) throw new RangeError(`report ${r.id}: unknown type ${r.type}`);
  if (!WEAPON_CLASS_SET.has(r.weaponClass))
    throw new RangeError(`report ${r.id}: unknown weapon class ${r.weaponClass}`);
  checkPlace('report', r.id, r.lon, r.lat, r.uncertaintyM);
  checkTimes('report', r.id, r.observedFrom, r.observedTo);
}

/** Orders reports as the batch run correlates them: by observedFrom, then id. */
export function compareReports(a: CorrelationReport, b: CorrelationReport): number {
  return a.observedFrom - b.observedFrom || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The reports in the order the batch run correlates them: by observedFrom, then id. */
export function sortReports(reports: readonly CorrelationReport[]): CorrelationReport[] {
  const n = reports.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integral = true;
  for (const r of reports) {
    const t = r.observedFrom;
    if (t < min) min = t;
    if (t > max) max = t;
    if (!Number.isInteger(t)) integral = false;
  }
  const scale = 2 ** Math.ceil(Math.log2(n + 1));
  if (n < 1000 || !integral || (max - min + 1) * scale > Number.MAX_SAFE_INTEGER) {
    return [...reports].sort(compareReports);
  }
  // Time and position packed into one exact number sort natively, several times faster than a comparator.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (reports[i]!.observedFrom - min) * scale + i;
  keys.sort();
  const out = new Array<CorrelationReport>(n);
  for (let i = 0; i < n; i++) out[i] = reports[keys[i]! % scale]!;
  // Equal times came out in input order; ids decide.
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && out[j]!.observedFrom === out[i]!.observedFrom) j++;
    if (j - i > 1) {
      const run = out.slice(i, j).sort(compareReports);
      for (let k = i; k < j; k++) out[k] = run[k - i]!;
    }
    i = j;
  }
  return out;
}

/** Correlates a batch: sorts by (observedFrom, id), then adds one by one. */
export function correlateAll(
  reports: readonly CorrelationReport[],
  options?: Partial<CorrelationOptions>,
  newId?: () => string,
): { decisions: CorrelationOutcome[]; incidents: IncidentSummary[] } {
  const correlator = new Correlator(options, newId);
  const decisions = correlator.addAll(sortReports(reports));
  return { decisions, incidents: correlator.incidents() };
}

/**
 * The stored incidents that could take this report. Loading them (and any others) into a fresh
 * Correlator with the same options and calling add() gives the decision a run over every report would.
 */
export function candidateWindow(
  report: CorrelationReport,
  options?: Partial<CorrelationOptions>,
): CandidateWindow {
  const o = resolveOptions(options);
  const ru = Math.max(report.uncertaintyM, o.uncertaintyFloorM);
  // No linkable incident is less precise than maxUncertaintyM.
  const reachM = o.maxSigma * Math.sqrt(ru * ru + o.maxUncertaintyM * o.maxUncertaintyM) * (1 + 1e-9) + 1;
  const dLat = reachM / M_PER_DEG;
  // The distance uses the cosine of the pair's mean latitude, at most half the latitude reach away.
  const worstLat = Math.abs(report.lat) + dLat / 2;
  const cos = worstLat >= 90 ? 0 : Math.cos((worstLat * Math.PI) / 180);
  const dLon = cos < 1e-6 ? 360 : dLat / cos;
  return {
    fromMs: report.observedFrom - o.timeToleranceMs,
    toMs: report.observedTo + o.timeToleranceMs,
    minLon: Math.max(-180, report.lon - dLon),
    maxLon: Math.min(180, report.lon + dLon),
    minLat: Math.max(-90, report.lat - dLat),
    maxLat: Math.min(90, report.lat + dLat),
  };
}
