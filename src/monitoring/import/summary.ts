/**
 * What a bulk import answers, shared by the server, the command line and the web page. An import
 * that lands answers its summary; one that all-or-nothing rolled back is refused as the problem
 * `import_rejected`, which carries the same summary in its `summary` member.
 */
import type { RowRejection } from '../report-preparation.ts';

export interface ImportSummary {
  accepted: number;
  rejected: number;
  duplicates: number;
  /** Every rejected row with its line and field; at most `MAX_LISTED_ERRORS` are listed. */
  errors: RowRejection[];
  errorsTruncated: boolean;
  /** With all-or-nothing, any rejection rolls the whole import back. */
  rolledBack: boolean;
  /** The input could not be read past this point (for example a CSV with a broken quote). */
  stoppedAtLine: number | null;
}

export const MAX_LISTED_ERRORS = 1000;

export function isImportSummary(value: unknown): value is ImportSummary {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ImportSummary>;
  return typeof v.accepted === 'number' && typeof v.rejected === 'number' && Array.isArray(v.errors);
}

/** The summary in a server's answer to an import, whether it landed or was rolled back; else undefined. */
export function importSummaryIn(answer: unknown): ImportSummary | undefined {
  if (isImportSummary(answer)) return answer;
  if (typeof answer !== 'object' || answer === null) return undefined;
  const problem = answer as { code?: unknown; summary?: unknown };
  return problem.code === 'import_rejected' && isImportSummary(problem.summary) ? problem.summary : undefined;
}

/** One sentence on the outcome: the web page's status line, and the detail of `import_rejected`. */
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
