/**
 * One entry point for the route and the CLI: a format, the upload's chunks and options in, batches of
 * candidate reports and row errors out. Validation with `reportInputSchema` is the caller's step.
 */
import { CsvParser } from './csv.ts';
import type { ImportFormat } from './detect.ts';
import { GeojsonParser } from './geojson.ts';
import type { ColumnMapping } from './mapping.ts';
import { NdjsonParser } from './ndjson.ts';
import type { ImportItem } from './rows.ts';
import { type ImportChunk, type ImportParser, parseAll } from './stream.ts';

export interface ImportOptions {
  /** Reads a foreign CSV layout; only for CSV. */
  mapping?: ColumnMapping;
}

export function createImportParser(format: ImportFormat, options: ImportOptions = {}): ImportParser {
  if (options.mapping && format !== 'csv') {
    throw new Error(`a column mapping reads CSV, not ${format}`);
  }
  switch (format) {
    case 'ndjson':
      return new NdjsonParser();
    case 'csv':
      return new CsvParser(options.mapping ? { mapping: options.mapping } : {});
    case 'geojson':
      return new GeojsonParser();
  }
}

/** All items of a whole input: a text, or its chunks in order. */
export function parseImportText(
  format: ImportFormat,
  input: string | readonly ImportChunk[],
  options: ImportOptions = {},
): ImportItem[] {
  return parseAll(createImportParser(format, options), input);
}
