/**
 * CSV reports. The header row is required. Without a column mapping the header uses Guarantor's own
 * layout, the report's fields flattened with dots (`observer.lat`, see CSV_COLUMNS), in any order and
 * any subset; a column the layout does not know is an error before any row is read, since it would
 * otherwise be dropped silently or fail every row. With a mapping, any layout is read and columns the
 * mapping does not name are ignored.
 *
 * Cells are trimmed; empty cells are left out of the report; numbers and booleans are converted by the
 * field's kind. A row whose cells are all empty is skipped (spreadsheets export such rows). A row with
 * a different number of cells than the header is an error for that row (extra empty cells at the end
 * are tolerated); a syntax error (a broken quote) is fatal, see csv-records.ts.
 */

import { counted } from '../../kernel/text/counted.ts';
import { CsvRecordReader, type CsvRecordReaderOptions, type CsvSyntaxError } from './csv-records.ts';
import {
  convertCell,
  type FieldKind,
  type FieldSetter,
  FLAT_REPORT_FIELDS,
  finishFlatReport,
  flatFieldSetter,
  isFlatReportField,
} from './fields.ts';
import { type ColumnMapping, compileMapping, type RowConverter } from './mapping.ts';
import { type FieldError, type ImportItem, rowError } from './rows.ts';
import { type ImportChunk, type ImportParser, parseAll } from './stream.ts';

export interface CsvOptions extends CsvRecordReaderOptions {
  /** Reads a foreign layout; its `delimiter`, if any, overrides the option's. */
  mapping?: ColumnMapping;
}

export class CsvParser implements ImportParser {
  private readonly reader: CsvRecordReader;
  private readonly mapping: ColumnMapping | undefined;
  private header: string[] | undefined;
  private convert: RowConverter | undefined;
  private items: ImportItem[] = [];
  private readonly sink = (cells: string[], line: number): void => this.record(cells, line);

  constructor(options: CsvOptions = {}) {
    this.mapping = options.mapping;
    this.reader = new CsvRecordReader({
      ...options,
      delimiter: options.mapping?.delimiter ?? options.delimiter,
    });
  }

  get stopped(): boolean {
    return this.reader.stopped;
  }

  push(text: string): ImportItem[] {
    return this.finish(this.reader.push(text, this.sink));
  }

  end(): ImportItem[] {
    if (this.reader.stopped) return [];
    const error = this.reader.end(this.sink);
    if (!error && this.header === undefined) {
      this.items.push(
        rowError(1, { code: 'invalid_header', message: 'the CSV is empty; a header row is required' }, true),
      );
    }
    return this.finish(error);
  }

  private finish(error: CsvSyntaxError | undefined): ImportItem[] {
    if (error) {
      const code = error.tooLong ? 'line_too_long' : 'invalid_csv';
      this.items.push(
        rowError(error.line, { code, message: `${error.message}; the import stops here` }, true),
      );
    }
    const items = this.items;
    this.items = [];
    return items;
  }

  private record(cells: string[], line: number): void {
    // After a header error the reader is stopped, but it finishes the text it was given.
    if (this.reader.stopped) return;
    const header = this.header;
    if (header === undefined) {
      this.readHeader(cells, line);
      return;
    }
    if (allEmpty(cells, 0)) return;
    const tooMany = cells.length > header.length && !allEmpty(cells, header.length);
    if (cells.length < header.length || tooMany) {
      const message = `the row has ${counted(cells.length, 'cell')}; the header has ${header.length}`;
      this.items.push(rowError(line, { code: 'invalid_csv', message }));
      return;
    }
    const result = this.convert!(cells);
    this.items.push('error' in result ? rowError(line, result.error) : { line, value: result.value });
  }

  private readHeader(cells: string[], line: number): void {
    const header = cells.map((c) => c.trim());
    this.header = header;
    const compiled = this.mapping ? compileMapping(this.mapping, header) : compileOwnLayout(header);
    if ('error' in compiled) {
      this.items.push(rowError(line, compiled.error, true));
      this.reader.stop(undefined);
      return;
    }
    this.convert = compiled.convert;
  }
}

function allEmpty(cells: string[], from: number): boolean {
  for (let i = from; i < cells.length; i++) if (cells[i]!.trim() !== '') return false;
  return true;
}

/** The row converter for Guarantor's own layout, or the header's fault. */
export function compileOwnLayout(header: string[]): { convert: RowConverter } | { error: FieldError } {
  const seen = new Set<string>();
  const unknown: string[] = [];
  for (const name of header) {
    if (!isFlatReportField(name)) unknown.push(name === '' ? '(an empty name)' : JSON.stringify(name));
    else if (seen.has(name)) {
      return {
        error: {
          field: name,
          code: 'invalid_header',
          message: `the column ${name} appears twice in the header`,
        },
      };
    }
    seen.add(name);
  }
  if (unknown.length > 0) {
    return {
      error: {
        code: 'invalid_header',
        message:
          `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: Guarantor's layout has ` +
          `${Object.keys(FLAT_REPORT_FIELDS).join(', ')}; to read another layout, give a column mapping`,
      },
    };
  }
  const columns: { index: number; set: FieldSetter; kind: FieldKind }[] = header.map((name, index) => ({
    index,
    set: flatFieldSetter(name),
    kind: FLAT_REPORT_FIELDS[name]!,
  }));
  const convert: RowConverter = (cells) => {
    const report: Record<string, unknown> = {};
    for (const { index, set, kind } of columns) {
      const cell = cells[index]?.trim();
      if (!cell) continue;
      set(report, kind === 'string' ? cell : convertCell(kind, cell));
    }
    const error = finishFlatReport(report);
    return error ? { error } : { value: report };
  };
  return { convert };
}

/** CSV reports from a whole input: a text, or its chunks in order. */
export function parseCsvText(input: string | readonly ImportChunk[], options?: CsvOptions): ImportItem[] {
  return parseAll(new CsvParser(options), input);
}
