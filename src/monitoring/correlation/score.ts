/**
 * How strongly one report belongs to one incident: a score in [0, 1] and the reason a person can read.
 *
 * score = spatial x time x weapon class, each in [0, 1], after hard gates (type compatibility, precision,
 * the incident's longest span). The parts multiply so any one weak part keeps a report out.
 */
import { M_PER_DEG } from '../geo/geodesy.ts';
import type { EventType, WeaponClass } from '../report-schema.ts';
import type { CorrelationReport } from '../types.ts';
import {
  CLASS_BIT,
  type ClassRelation,
  classesMask,
  classesOf,
  classRelation,
  sightingClassesConflict,
  TYPE_BIT,
  typeFitsMask,
  typesMask,
  typesOf,
} from './compatibility.ts';
import { type CorrelationOptions, resolveOptions } from './options.ts';

const DEG = Math.PI / 180;

/** What scoring needs to know of an incident, as a person or the UI would give it. */
export interface IncidentShape {
  lon: number;
  lat: number;
  uncertaintyM: number;
  firstObserved: number;
  lastObserved: number;
  types: readonly EventType[];
  weaponClasses: readonly WeaponClass[];
}

/** The same with type and class sets as masks (see compatibility.ts), as the correlator keeps them. */
export interface IncidentState {
  lon: number;
  lat: number;
  uncertaintyM: number;
  firstObserved: number;
  lastObserved: number;
  typeMask: number;
  classMask: number;
}

export type Refusal =
  | 'report-imprecise'
  | 'incident-imprecise'
  | 'report-duration'
  | 'type'
  | 'sighting-class'
  | 'duration'
  | 'time'
  | 'distance';

/** Every figure behind a score, so the reason can be written without computing anything twice. */
export interface LinkAssessment {
  score: number;
  refusal: Refusal | null;
  distanceM: number;
  combinedM: number;
  /** Distance in combined uncertainties. */
  z: number;
  /** > 0: the report starts this long after the incident's last observation. */
  afterMs: number;
  /** > 0: the report ends this long before the incident's first observation. */
  beforeMs: number;
  /** Span of the incident if the report joined. */
  spanMs: number;
  classes: ClassRelation;
}

/** Equirectangular distance in metres: fast, and within a fraction of a percent at tens of kilometres. */
export function equirectangularM(aLon: number, aLat: number, bLon: number, bLat: number): number {
  const dx = (bLon - aLon) * Math.cos(((aLat + bLat) / 2) * DEG);
  const dy = bLat - aLat;
  return Math.sqrt(dx * dx + dy * dy) * M_PER_DEG;
}

/**
 * 1 within one combined uncertainty, 0 from `maxSigma` on, a downward parabola between: estimates a
 * little apart are as good as together, and the score drops fast near the edge. With the defaults (3,
 * threshold 0.5) a report links out to 2.4 combined uncertainties when time and class fit perfectly.
 */
export function spatialScore(z: number, maxSigma: number): number {
  if (z <= 1) return 1;
  if (z >= maxSigma) return 0;
  const t = (z - 1) / (maxSigma - 1);
  return 1 - t * t;
}

/** 1 when intervals overlap, falling to 0.75 at the tolerance, 0 beyond it. */
export function timeScore(gapMs: number, toleranceMs: number): number {
  if (gapMs <= 0) return 1;
  if (gapMs > toleranceMs) return 0;
  return 1 - (0.25 * gapMs) / toleranceMs;
}

/** Scores a report against an incident's state; the correlator's inner loop. */
export function assessLink(
  report: CorrelationReport,
  incident: IncidentState,
  o: Readonly<CorrelationOptions>,
): LinkAssessment {
  const distanceM = equirectangularM(incident.lon, incident.lat, report.lon, report.lat);
  const ru = Math.max(report.uncertaintyM, o.uncertaintyFloorM);
  const iu = Math.max(incident.uncertaintyM, o.uncertaintyFloorM);
  const combinedM = Math.sqrt(ru * ru + iu * iu);
  const z = distanceM / combinedM;
  const afterMs = report.observedFrom - incident.lastObserved;
  const beforeMs = incident.firstObserved - report.observedTo;
  const spanMs =
    Math.max(incident.lastObserved, report.observedTo) -
    Math.min(incident.firstObserved, report.observedFrom);
  const classes = classRelation(report.weaponClass, incident.classMask);
  let refusal: Refusal | null = null;
  if (report.uncertaintyM > o.maxUncertaintyM) refusal = 'report-imprecise';
  else if (incident.uncertaintyM > o.maxUncertaintyM) refusal = 'incident-imprecise';
  else if (report.observedTo - report.observedFrom > o.maxIncidentDurationMs) refusal = 'report-duration';
  else if (!typeFitsMask(report.type, incident.typeMask)) refusal = 'type';
  else if (
    sightingClassesConflict(
      TYPE_BIT[report.type],
      CLASS_BIT[report.weaponClass],
      incident.typeMask,
      incident.classMask,
    )
  ) {
    refusal = 'sighting-class';
  } else if (spanMs > o.maxIncidentDurationMs) refusal = 'duration';
  else if (Math.max(afterMs, beforeMs) > o.timeToleranceMs) refusal = 'time';
  else if (z >= o.maxSigma) refusal = 'distance';
  let score = 0;
  if (refusal === null) {
    score = spatialScore(z, o.maxSigma) * timeScore(Math.max(0, afterMs, beforeMs), o.timeToleranceMs);
    if (classes === 'different') score *= o.weaponClassMismatchFactor;
  }
  return { score, refusal, distanceM, combinedM, z, afterMs, beforeMs, spanMs, classes };
}

export function formatDistance(m: number): string {
  return m < 1000 ? `${Math.round(m / 10) * 10} m` : `${(m / 1000).toFixed(1)} km`;
}

export function formatDuration(ms: number): string {
  const min = ms / 60_000;
  if (min < 1) return `${Math.round(ms / 1000)} s`;
  if (min < 90) return `${Math.round(min)} min`;
  return `${Number((min / 60).toFixed(1))} h`;
}

const words = (s: string): string => s.replaceAll('_', ' ');
const typeWords = new Map<number, string>();
const classWords = new Map<number, string>();

/** "explosion, muzzle flash": reasons are written for every decision, so each set's words are made once. */
function typesInWords(mask: number): string {
  let w = typeWords.get(mask);
  if (w === undefined) {
    w = typesOf(mask).map(words).join(', ');
    typeWords.set(mask, w);
  }
  return w;
}

function determinedClassesInWords(mask: number): string {
  let w = classWords.get(mask);
  if (w === undefined) {
    w = classesOf(mask)
      .filter((c) => c !== 'undetermined')
      .map(words)
      .join(', ');
    classWords.set(mask, w);
  }
  return w;
}

/** The reason for an assessment, in words an analyst reads in the incident's history. */
export function explainLink(
  report: CorrelationReport,
  incident: IncidentState,
  a: LinkAssessment,
  o: Readonly<CorrelationOptions>,
): string {
  const type = typesInWords(TYPE_BIT[report.type]);
  const tolerance = formatDuration(o.timeToleranceMs);
  switch (a.refusal) {
    case 'report-imprecise':
      return `report too imprecise to correlate automatically (uncertainty ${formatDistance(report.uncertaintyM)}, over ${formatDistance(o.maxUncertaintyM)})`;
    case 'incident-imprecise':
      return `incident too imprecise to correlate automatically (uncertainty ${formatDistance(incident.uncertaintyM)}, over ${formatDistance(o.maxUncertaintyM)})`;
    case 'report-duration':
      return `observation spans ${formatDuration(report.observedTo - report.observedFrom)}, longer than the ${formatDuration(o.maxIncidentDurationMs)} an incident may span`;
    case 'type':
      return `${type} not compatible with ${typesInWords(incident.typeMask)}`;
    case 'sighting-class':
      return `sighting of ${determinedClassesInWords(CLASS_BIT[report.weaponClass])}, the incident's is ${determinedClassesInWords(incident.classMask)}`;
    case 'duration':
      return `incident would span ${formatDuration(a.spanMs)}, over the ${formatDuration(o.maxIncidentDurationMs)} maximum`;
    case 'time':
      return a.afterMs > 0
        ? `starts ${formatDuration(a.afterMs)} after the incident's last report, beyond the ${tolerance} tolerance`
        : `ends ${formatDuration(a.beforeMs)} before the incident's first report, beyond the ${tolerance} tolerance`;
    case 'distance':
      return `${formatDistance(a.distanceM)} from incident centre, beyond ${o.maxSigma} combined uncertainties (${formatDistance(a.combinedM)})`;
    case null:
      break;
  }
  let reason = `${formatDistance(a.distanceM)} from incident centre (combined uncertainty ${formatDistance(a.combinedM)}); `;
  if (a.afterMs > 0)
    reason += `starts ${formatDuration(a.afterMs)} after the incident's last report (tolerance ${tolerance})`;
  else if (a.beforeMs > 0)
    reason += `ends ${formatDuration(a.beforeMs)} before the incident's first report (tolerance ${tolerance})`;
  else reason += 'times overlap';
  reason +=
    incident.typeMask === TYPE_BIT[report.type]
      ? `; ${type} like the incident`
      : `; ${type} compatible with ${typesInWords(incident.typeMask)}`;
  const weaponClass = determinedClassesInWords(CLASS_BIT[report.weaponClass]);
  if (a.classes === 'same') reason += `; weapon class ${weaponClass} matches`;
  if (a.classes === 'different') {
    reason += `; weapon class ${weaponClass} differs from ${determinedClassesInWords(incident.classMask)} (x${o.weaponClassMismatchFactor})`;
  }
  return reason;
}

/** Converts an incident as people see it into the state the correlator keeps. */
export function incidentState(incident: IncidentShape): IncidentState {
  return {
    lon: incident.lon,
    lat: incident.lat,
    uncertaintyM: incident.uncertaintyM,
    firstObserved: incident.firstObserved,
    lastObserved: incident.lastObserved,
    typeMask: typesMask(incident.types),
    classMask: classesMask(incident.weaponClasses),
  };
}

/**
 * Pure scoring of one report against one incident, with its reason; the correlator gives the same score.
 * The incident may be any summary or a single other report seen as an incident.
 */
export function scoreLink(
  report: CorrelationReport,
  incident: IncidentShape,
  options?: Partial<CorrelationOptions>,
): { score: number; reason: string } {
  const o = resolveOptions(options);
  const state = incidentState(incident);
  const a = assessLink(report, state, o);
  return { score: a.score, reason: explainLink(report, state, a, o) };
}
