/**
 * What the import page sends: the content type the server reads a file by (its extension, as the
 * command line decides it), and a summary of the server's answer in words.
 */
import type { ImportSummary } from '../../src/monitoring/import/summary.ts';

export type { ImportSummary };

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

/** One sentence on the outcome, as the page's status line says it. */
export function importOutcome(s: ImportSummary): string {
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  if (s.rolledBack) {
    return `Nothing was imported: ${n(s.rejected, 'row was', 'rows were')} refused, and all-or-nothing rolled the rest back.`;
  }
  const parts = [`${n(s.accepted, 'report')} imported`];
  if (s.duplicates) parts.push(`${n(s.duplicates, 'duplicate')} skipped`);
  if (s.rejected) parts.push(`${n(s.rejected, 'row')} refused`);
  const stopped = s.stoppedAtLine !== null ? ` The file could not be read past line ${s.stoppedAtLine}.` : '';
  return `${parts.join(', ')}.${stopped}`;
}
