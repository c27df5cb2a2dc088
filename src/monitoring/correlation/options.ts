/** The knobs of correlation, their defaults, and the reach they imply. */

export interface CorrelationOptions {
  /** Lowest score at which a report joins an incident. */
  linkThreshold: number;
  /**
   * Lowest score at which a report that links several incidents merges them; it must also hold between the
   * incidents' own centres. Set it above 1 to never merge automatically.
   */
  mergeThreshold: number;
  /** Gap allowed between a report's observed interval and an incident's, so a fire exchange reported in pieces stays one. */
  timeToleranceMs: number;
  /** Longest span an incident may grow to, so a day of fire in one area does not become one incident. */
  maxIncidentDurationMs: number;
  /**
   * Distance, in combined uncertainties, at which the spatial score reaches 0. Within one combined
   * uncertainty the score is 1; between the two it falls as a parabola (see `spatialScore`).
   */
  maxSigma: number;
  /** No estimate, alone or combined, is taken as more precise than this (metres). */
  uncertaintyFloorM: number;
  /** A report less precise than this (metres) starts its own incident; an analyst links it by hand. */
  maxUncertaintyM: number;
  /** Score multiplier when report and incident name different determined weapon classes. */
  weaponClassMismatchFactor: number;
  /** Cell size of the spatial index (km). Changes speed only, never a result. */
  indexCellKm: number;
}

export const DEFAULT_CORRELATION_OPTIONS: Readonly<CorrelationOptions> = Object.freeze({
  linkThreshold: 0.5,
  mergeThreshold: 0.7,
  timeToleranceMs: 10 * 60_000,
  maxIncidentDurationMs: 6 * 3_600_000,
  maxSigma: 3,
  uncertaintyFloorM: 50,
  maxUncertaintyM: 10_000,
  weaponClassMismatchFactor: 0.8,
  indexCellKm: 5,
});

/** Fills in defaults and rejects settings that would make scores meaningless. */
export function resolveOptions(options?: Partial<CorrelationOptions>): Readonly<CorrelationOptions> {
  if (options === undefined) return DEFAULT_CORRELATION_OPTIONS;
  const o: CorrelationOptions = { ...DEFAULT_CORRELATION_OPTIONS };
  for (const [key, value] of Object.entries(options) as [keyof CorrelationOptions, number | undefined][]) {
    if (value !== undefined) o[key] = value;
  }
  const bad = (name: keyof CorrelationOptions, rule: string): never => {
    throw new RangeError(`correlation option ${name} must be ${rule}, got ${o[name]}`);
  };
  if (!(o.linkThreshold > 0 && o.linkThreshold <= 1)) bad('linkThreshold', 'in (0, 1]');
  if (!(o.mergeThreshold >= o.linkThreshold)) bad('mergeThreshold', 'at least linkThreshold');
  if (!(o.timeToleranceMs >= 0 && Number.isFinite(o.timeToleranceMs)))
    bad('timeToleranceMs', 'finite and >= 0');
  if (!(o.maxIncidentDurationMs >= 0 && Number.isFinite(o.maxIncidentDurationMs))) {
    bad('maxIncidentDurationMs', 'finite and >= 0');
  }
  if (!(o.maxSigma > 1 && Number.isFinite(o.maxSigma))) bad('maxSigma', 'finite and > 1');
  if (!(o.uncertaintyFloorM > 0 && Number.isFinite(o.uncertaintyFloorM)))
    bad('uncertaintyFloorM', 'finite and > 0');
  if (!(o.maxUncertaintyM >= o.uncertaintyFloorM && Number.isFinite(o.maxUncertaintyM))) {
    bad('maxUncertaintyM', 'finite and >= uncertaintyFloorM');
  }
  if (!(o.weaponClassMismatchFactor >= 0 && o.weaponClassMismatchFactor <= 1)) {
    bad('weaponClassMismatchFactor', 'in [0, 1]');
  }
  if (!(o.indexCellKm >= 0.1 && o.indexCellKm <= 1000)) bad('indexCellKm', 'in [0.1, 1000]');
  return Object.freeze(o);
}
