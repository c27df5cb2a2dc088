/**
 * The pure half of a bulk import: parsed items in, prepared reports and row rejections out. Each value
 * is validated with the shared report schema and prepared for landing (body hash, enrichment, row,
 * ledger leaf). Runs on the import worker for large inputs and in-line for small ones, with the same
 * result either way.
 */
import { fieldErrors } from '../../kernel/http/validate.ts';
import type { Geography } from '../enrich.ts';
import {
  type IngestItem,
  type PreparedReport,
  prepareReports,
  type RowRejection,
} from '../report-preparation.ts';
import { reportInputSchema } from '../report-schema.ts';
import type { ImportFormat } from './detect.ts';
import { createImportParser, type ImportOptions } from './parse.ts';
import type { ImportItem } from './rows.ts';
import { ChunkParser, type ImportChunk } from './stream.ts';

export interface PreparedBatch {
  reports: PreparedReport[];
  /** Rows that failed to parse or to validate, in line order. */
  rejected: RowRejection[];
  /** The input could not be read past this line (a fatal parse error); null when reading went on. */
  stoppedAtLine: number | null;
}

/**
 * Validates and prepares items, a few hundred at a time, letting each go once it is read: the JSON
 * parsed from a piece of an upload is then garbage as soon as it is validated, rather than live, and
 * copied by every collection, until the whole piece is prepared. `items` is emptied as it is read.
 */
function prepareItems(items: (ImportItem | undefined)[], geography: Geography, now: string): PreparedBatch {
  const reports: PreparedReport[] = [];
  const rejected: RowRejection[] = [];
  let valid: IngestItem[] = [];
  let stoppedAtLine: number | null = null;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    items[i] = undefined;
    if ('error' in item) {
      const { code, message, field, fatal } = item.error;
      rejected.push({ line: item.line, code, message, ...(field ? { field } : {}) });
      if (fatal) stoppedAtLine = item.line;
      continue;
    }
    const parsed = reportInputSchema.safeParse(item.value);
    if (parsed.success) {
      // The report as sent is kept only where a signature covers it.
      const raw = parsed.data.signature ? { raw: item.value } : {};
      valid.push({ line: item.line, input: parsed.data, ...raw });
      if (valid.length === PREPARED_TOGETHER) {
        for (const r of prepareReports(valid, geography, now)) reports.push(r);
        valid = [];
      }
    } else {
      for (const e of fieldErrors(parsed.error)) {
        rejected.push({ line: item.line, field: e.field, code: 'validation_failed', message: e.message });
      }
    }
  }
  for (const r of prepareReports(valid, geography, now)) reports.push(r);
  return { reports, rejected, stoppedAtLine };
}

/** Valid reports prepared together (one draw of salts for their leaves). */
const PREPARED_TOGETHER = 250;

/** The most rows in one prepared batch: the rows an import lands in one transaction. */
export const MAX_BATCH_ROWS = 2000;

/** Items in slices of at most `MAX_BATCH_ROWS`, each prepared; `items` is left as it was. */
export function prepareSlices(items: readonly ImportItem[], geography: Geography): PreparedBatch[] {
  return prepareTaken(items.slice(), geography);
}

/** `prepareSlices` for items no one else holds: each is let go as it is read (see prepareItems). */
function prepareTaken(items: (ImportItem | undefined)[], geography: Geography): PreparedBatch[] {
  const batches: PreparedBatch[] = [];
  const now = new Date().toISOString();
  for (let i = 0; i < items.length; i += MAX_BATCH_ROWS) {
    const slice = items.slice(i, i + MAX_BATCH_ROWS);
    items.fill(undefined, i, i + MAX_BATCH_ROWS);
    batches.push(prepareItems(slice, geography, now));
  }
  return batches;
}

/** An upload's chunks (bytes or text) in, parsed and prepared batches out, piece by piece. */
export class TextPreparer {
  private readonly parser: ChunkParser;

  constructor(
    format: ImportFormat,
    options: ImportOptions,
    private readonly geography: Geography,
  ) {
    this.parser = new ChunkParser(createImportParser(format, options));
  }

  push(chunks: readonly ImportChunk[]): PreparedBatch[] {
    return prepareTaken(this.parser.push(chunks), this.geography);
  }

  end(): PreparedBatch[] {
    return prepareTaken(this.parser.end(), this.geography);
  }
}
