/**
 * What the import page sends: the content type the server reads a file by (its extension, as the
 * command line decides it). The server's answer is read and put in words by import/summary.ts.
 */

const TYPES: Record<string, string> = {
  ndjson: 'application/x-ndjson',
  jsonl: 'application/x-ndjson',
  csv: 'text/csv',
  geojson: 'application/geo+json',
};

/** The content type for a file name, or undefined when the import cannot read it. */
export function importContentType(fileName: string): string | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.geo.json')) return TYPES.geojson;
  const ext = lower.slice(lower.lastIndexOf('.') + 1);
  return lower.includes('.') ? TYPES[ext] : undefined;
}

export const IMPORT_EXTENSIONS = '.ndjson,.jsonl,.csv,.geojson,.geo.json';
