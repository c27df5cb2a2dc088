/**
 * What every bulk-import parser produces: candidate report objects with the line they came from, or
 * errors with a line, a field and a stable code. Parsers never validate reports; the caller runs
 * `reportInputSchema` over each value, so a report is judged by one rule whatever its format.
 *
 * `line` is 1-based and means:
 * - NDJSON, CSV: the line of the file where the record starts (a CSV record with a quoted multi-line
 *   cell is reported at its first line; the CSV header is line 1 when the file does not start blank).
 * - GeoJSON: the feature's number in the FeatureCollection (feature index + 1), because a GeoJSON
 *   document is often a single line. Line 0 means the document as a whole.
 */

export const IMPORT_ERROR_CODES = [
  /** An NDJSON line or a GeoJSON document is not well-formed JSON. */
  'invalid_json',
  /** An NDJSON line holds JSON that is not an object. */
  'not_an_object',
  /** An NDJSON line or a CSV record is over the size limit (1 MiB). */
  'line_too_long',
  /** CSV that breaks RFC 4180 (a broken quote, fatal) or a row with the wrong number of cells. */
  'invalid_csv',
  /** A CSV header that is missing, repeats a name, or names a column the layout does not know. */
  'invalid_header',
  /** The column mapping names a column that the CSV header lacks. */
  'missing_column',
  /** Not a FeatureCollection of Point features. */
  'invalid_geojson',
  /** A cell whose value is missing from the mapping's `values` table. */
  'unknown_value',
  /** A value the importer cannot turn into a report field (a bad date, half a distance range). */
  'invalid_value',
] as const;
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

export interface ImportRow {
  line: number;
  /** A candidate report object, not yet validated. */
  value: unknown;
}

export interface ImportRowError {
  line: number;
  /** The report field at fault as a dotted path (`observer.lat`), or the source column/property. */
  field?: string;
  code: ImportErrorCode;
  message: string;
  /** Parsing stopped here: nothing after this point of the input was read. */
  fatal?: boolean;
}

/** One parsed record: a candidate report, or the reason there is none. */
export type ImportItem = ImportRow | { line: number; error: ImportRowError };

export interface ImportResult {
  rows: ImportRow[];
  errors: ImportRowError[];
}

/** An error without its line: what a row converter knows before the parser places it. */
export type FieldError = Omit<ImportRowError, 'line' | 'fatal'>;

export function isImportError(item: ImportItem): item is { line: number; error: ImportRowError } {
  return 'error' in item;
}

export function rowError(
  line: number,
  error: FieldError,
  fatal = false,
): { line: number; error: ImportRowError } {
  return { line, error: fatal ? { line, ...error, fatal } : { line, ...error } };
}

/** Gathers a whole parse into rows and errors; for small inputs, tests and previews. */
export function collectImport(items: Iterable<ImportItem>): ImportResult {
  const result: ImportResult = { rows: [], errors: [] };
  for (const item of items) {
    if ('error' in item) result.errors.push(item.error);
    else result.rows.push(item);
  }
  return result;
}
