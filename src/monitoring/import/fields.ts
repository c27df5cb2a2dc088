/**
 * The flattened report: every report field as a dotted name (`observer.lat`), the shape of Guarantor's
 * own CSV layout, of a column mapping's targets and of flattened GeoJSON properties. Cells arrive as
 * text; numbers and booleans are converted here, and a cell that does not convert is kept as text so that
 * report validation names the field and says what it expected.
 */
import type { FieldError } from './rows.ts';

export type FieldKind = 'string' | 'number' | 'boolean';

const estimateFields = (group: string) =>
  ({
    [`casualties.${group}.low`]: 'number',
    [`casualties.${group}.best`]: 'number',
    [`casualties.${group}.high`]: 'number',
  }) as Record<string, FieldKind>;

/**
 * Guarantor's flattened report fields, in the order of its own CSV layout. The event's distance range
 * is two fields, `event.distanceKmMin` and `event.distanceKmMax`, that become `event.distanceKm`.
 */
export const FLAT_REPORT_FIELDS: Readonly<Record<string, FieldKind>> = Object.freeze({
  clientInstanceId: 'string',
  'source.kind': 'string',
  'source.id': 'string',
  'source.participant': 'string',
  observedFrom: 'string',
  observedTo: 'string',
  timePrecision: 'string',
  'observer.lon': 'number',
  'observer.lat': 'number',
  'observer.accuracyM': 'number',
  'event.lon': 'number',
  'event.lat': 'number',
  'event.bearingDeg': 'number',
  'event.distanceKmMin': 'number',
  'event.distanceKmMax': 'number',
  geoPrecision: 'string',
  type: 'string',
  weaponClass: 'string',
  count: 'number',
  countApproximate: 'boolean',
  means: 'string',
  claimedAttribution: 'string',
  notes: 'string',
  lang: 'string',
  supersedes: 'string',
  ...estimateFields('civilian'),
  ...estimateFields('military'),
  ...estimateFields('unknown'),
});

/** The columns of Guarantor's own CSV layout, in order (casualty columns are optional extras). */
export const CSV_COLUMNS: readonly string[] = Object.keys(FLAT_REPORT_FIELDS).filter(
  (f) => !f.startsWith('casualties.'),
);

export function isFlatReportField(name: string): boolean {
  return Object.hasOwn(FLAT_REPORT_FIELDS, name);
}

export function fieldKind(name: string): FieldKind {
  return FLAT_REPORT_FIELDS[name] ?? 'string';
}

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number, or undefined; no hex, no `Infinity`, no empty string as zero. */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  return NUMBER_RE.test(t) ? Number(t) : undefined;
}

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

export function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return undefined;
}

/** Converts a text cell to the field's kind; a cell that does not convert stays text. */
export function convertCell(kind: FieldKind, cell: string): unknown {
  if (kind === 'number') return parseDecimal(cell) ?? cell;
  if (kind === 'boolean') return parseBoolean(cell) ?? cell;
  return cell;
}

export type FieldSetter = (report: Record<string, unknown>, value: unknown) => void;

const setters = new Map<string, FieldSetter>();

/**
 * A setter for one flattened field on a nested report object, made once per field name so that a
 * million rows do not split the same names a million times. Only for names in FLAT_REPORT_FIELDS, so
 * that no input can reach `__proto__` or another inherited name.
 */
export function flatFieldSetter(name: string): FieldSetter {
  let setter = setters.get(name);
  if (setter) return setter;
  const path = name.split('.');
  const leaf = path.pop()!;
  setter = (report, value) => {
    let target = report;
    for (const key of path) {
      let inner = target[key];
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
        inner = {};
        target[key] = inner;
      }
      target = inner as Record<string, unknown>;
    }
    target[leaf] = value;
  };
  setters.set(name, setter);
  return setter;
}

export function setFlatField(report: Record<string, unknown>, name: string, value: unknown): void {
  flatFieldSetter(name)(report, value);
}

/**
 * Completes a report built from flattened fields: `event.distanceKmMin`/`Max` become
 * `event.distanceKm: [min, max]`. Both halves are needed, since one alone could mean "at least" or
 * "at most" and guessing would put the event in the wrong place.
 */
export function finishFlatReport(report: Record<string, unknown>): FieldError | undefined {
  const event = report.event;
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as Record<string, unknown>;
  const hasMin = Object.hasOwn(e, 'distanceKmMin');
  const hasMax = Object.hasOwn(e, 'distanceKmMax');
  if (!hasMin && !hasMax) return undefined;
  if (hasMin !== hasMax) {
    const missing = hasMin ? 'event.distanceKmMax' : 'event.distanceKmMin';
    return {
      field: missing,
      code: 'invalid_value',
      message: 'a distance range needs both event.distanceKmMin and event.distanceKmMax',
    };
  }
  if (Object.hasOwn(e, 'distanceKm')) {
    return {
      field: 'event.distanceKm',
      code: 'invalid_value',
      message: 'give event.distanceKm or event.distanceKmMin/Max, not both',
    };
  }
  e.distanceKm = [e.distanceKmMin, e.distanceKmMax];
  delete e.distanceKmMin;
  delete e.distanceKmMax;
  return undefined;
}
