/**
 * How many events one incident stands for, counted so that nothing is counted twice.
 *
 * Two ways a naive sum goes wrong: several observers seeing the same shelling would multiply it,
 * and a corrected report would be counted next to its correction. So, per event type, the counts of
 * one source add up (a patrol's successive reports of one exchange are successive events), the
 * largest per-source total is taken across sources (a second observer confirms, it does not add),
 * and a report that a later report supersedes is left out.
 */
import type { z } from 'zod';
import type { casualtiesSchema, EventType } from './report-schema.ts';

export type Casualties = z.infer<typeof casualtiesSchema>;
export const CASUALTY_CATEGORIES = ['civilian', 'military', 'unknown'] as const;
export type CasualtyCategory = (typeof CASUALTY_CATEGORIES)[number];

/** A low/best/high estimate in the manner of the UCDP GED codebook. */
export interface Estimate {
  low: number;
  best: number;
  high: number;
}

export type EventCounts = Partial<Record<EventType, number>>;
export type CasualtyEstimates = Partial<Record<CasualtyCategory, Estimate>>;

/** The facts counting needs about one report. */
export interface CountableReport {
  id: string;
  source: { kind: string; id: string };
  type: EventType;
  count: number;
  casualties?: Casualties | null;
  /** Id of the report this one corrects. */
  supersedes?: string | null;
}

export interface CountOptions {
  /**
   * Ids superseded by reports outside `reports`: a correction may have been correlated into another
   * incident, so a caller holding a whole day's reports passes every superseded id it saw.
   */
  superseded?: ReadonlySet<string>;
}

/** One source, as correlation keys it (`CorrelationReport.sourceKey`). */
export function sourceKey(source: { kind: string; id: string }): string {
  return `${source.kind}:${source.id}`;
}

/** Ids of every report that some report in the list corrects. */
export function supersededIds(reports: readonly { supersedes?: string | null }[]): Set<string> {
  const ids = new Set<string>();
  for (const r of reports) if (r.supersedes) ids.add(r.supersedes);
  return ids;
}

/**
 * The reports that still stand: only the latest of a supersedes chain, since every earlier link is
 * named by the link after it.
 */
export function currentReports<R extends CountableReport>(
  reports: readonly R[],
  options: CountOptions = {},
): R[] {
  const own = supersededIds(reports);
  const other = options.superseded;
  return reports.filter((r) => !own.has(r.id) && !other?.has(r.id));
}

/** Per event type: the largest of the per-source sums of counts; types with no reports are absent. */
export function countIncidentEvents(
  reports: readonly CountableReport[],
  options: CountOptions = {},
): EventCounts {
  const perType = new Map<EventType, Map<string, number>>();
  // Most incidents hold no correction: then every report stands, and no list of them need be made.
  const corrected = reports.some((r) => r.supersedes) || !!options.superseded?.size;
  for (const r of corrected ? currentReports(reports, options) : reports) {
    let perSource = perType.get(r.type);
    if (!perSource) {
      perSource = new Map();
      perType.set(r.type, perSource);
    }
    const key = sourceKey(r.source);
    perSource.set(key, (perSource.get(key) ?? 0) + r.count);
  }
  const counts: EventCounts = {};
  for (const [type, perSource] of perType) {
    let largest = Number.NEGATIVE_INFINITY;
    for (const n of perSource.values()) if (n > largest) largest = n;
    counts[type] = largest;
  }
  return counts;
}

/**
 * Per casualty category: low, best and high each the largest per-source sum. Taking the maxima
 * separately keeps low <= best <= high, because every source's own estimate is ordered.
 */
export function incidentCasualties(
  reports: readonly CountableReport[],
  options: CountOptions = {},
): CasualtyEstimates {
  const perCategory = new Map<CasualtyCategory, Map<string, Estimate>>();
  for (const r of currentReports(reports, options)) {
    if (!r.casualties) continue;
    const key = sourceKey(r.source);
    for (const category of CASUALTY_CATEGORIES) {
      const e = r.casualties[category];
      if (!e) continue;
      let perSource = perCategory.get(category);
      if (!perSource) {
        perSource = new Map();
        perCategory.set(category, perSource);
      }
      const sum = perSource.get(key) ?? { low: 0, best: 0, high: 0 };
      perSource.set(key, { low: sum.low + e.low, best: sum.best + e.best, high: sum.high + e.high });
    }
  }
  const result: CasualtyEstimates = {};
  for (const category of CASUALTY_CATEGORIES) {
    const perSource = perCategory.get(category);
    if (!perSource) continue;
    const sums = [...perSource.values()];
    result[category] = {
      low: Math.max(...sums.map((s) => s.low)),
      best: Math.max(...sums.map((s) => s.best)),
      high: Math.max(...sums.map((s) => s.high)),
    };
  }
  return result;
}

/** Adds `add` into `into`: distinct incidents are distinct events, so across incidents counts sum. */
export function addEventCounts<T extends EventCounts>(into: T, add: EventCounts): T {
  for (const [type, n] of Object.entries(add) as [EventType, number][]) {
    (into as EventCounts)[type] = ((into as EventCounts)[type] ?? 0) + n;
  }
  return into;
}

/** Adds `add` into `into`, category by category. */
export function addCasualties<T extends CasualtyEstimates>(into: T, add: CasualtyEstimates): T {
  for (const category of CASUALTY_CATEGORIES) {
    const e = add[category];
    if (!e) continue;
    const sum = (into as CasualtyEstimates)[category] ?? { low: 0, best: 0, high: 0 };
    (into as CasualtyEstimates)[category] = {
      low: sum.low + e.low,
      best: sum.best + e.best,
      high: sum.high + e.high,
    };
  }
  return into;
}
