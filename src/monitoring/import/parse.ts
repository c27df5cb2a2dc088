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
import { type ImportChunk, type ImportParser, parseAll, parseBatches } from './stream.ts';

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

/** Batches of items from a stream of chunks (a Node stream, a web stream's reader, an array). */
export function parseImportStream(
  format: ImportFormat,
  chunks: AsyncIterable<ImportChunk> | Iterable<ImportChunk>,
  options: ImportOptions = {},
): AsyncGenerator<ImportItem[], void, undefined> {
  return parseBatches(createImportParser(format, options), chunks);
}

/** All items of a whole text. */
export function parseImportText(
  format: ImportFormat,
  text: string,
  options: ImportOptions = {},
): ImportItem[] {
  return parseAll(createImportParser(format, options), text);
}
