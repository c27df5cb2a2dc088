/** Which import format an upload is in, from its media type or its file name. */

export const IMPORT_FORMATS = ['ndjson', 'csv', 'geojson'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

const MEDIA_TYPES: Readonly<Record<string, ImportFormat>> = {
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/x-jsonlines': 'ndjson',
  'application/jsonlines': 'ndjson',
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/geo+json': 'geojson',
};

const EXTENSIONS: Readonly<Record<string, ImportFormat>> = {
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  csv: 'csv',
  geojson: 'geojson',
};

/**
 * `text/csv; charset=utf-8` -> 'csv'. Plain `application/json` gives null: it could be GeoJSON or a
 * single report, and guessing would turn a wrong upload into a screen of row errors.
 */
export function formatFromContentType(contentType: string): ImportFormat | null {
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return Object.hasOwn(MEDIA_TYPES, mediaType) ? MEDIA_TYPES[mediaType]! : null;
}

/** `reports.CSV` -> 'csv'; a path may have folders. */
export function formatFromFileName(name: string): ImportFormat | null {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  const ext = base.slice(dot + 1).toLowerCase();
  return Object.hasOwn(EXTENSIONS, ext) ? EXTENSIONS[ext]! : null;
}
