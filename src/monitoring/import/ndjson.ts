/**
 * NDJSON (JSON Lines) reports: one JSON object per line. Blank lines are skipped; a line that is not a
 * JSON object, or is over 1 MiB, gives an error for that line and parsing goes on with the next.
 */
import { type ImportItem, rowError } from './rows.ts';
import { type ImportChunk, type ImportParser, parseAll } from './stream.ts';

export const MAX_LINE_BYTES = 1024 * 1024;

const CR = 0x0d;

export interface NdjsonOptions {
  /** The longest line accepted, in UTF-8 bytes; 1 MiB unless told. */
  maxLineBytes?: number;
}

export class NdjsonParser implements ImportParser {
  readonly stopped = false;
  private readonly maxLineBytes: number;
  private pending = '';
  /** The line number of the first line in `pending`. */
  private line = 1;
  /** Inside a line already known to be too long: its text is dropped until the next newline. */
  private skipping = false;

  constructor(options: NdjsonOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  push(text: string): ImportItem[] {
    const items: ImportItem[] = [];
    const buf = this.pending.length > 0 ? this.pending + text : text;
    let start = 0;
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', start)) {
      if (this.skipping) {
        this.skipping = false;
        items.push(this.tooLong());
      } else {
        this.parseLine(buf, start, nl, items);
      }
      start = nl + 1;
      this.line++;
    }
    this.pending = start === 0 ? buf : buf.slice(start);
    // A line with no end in sight is not kept whole: its length alone already decides it.
    if (this.skipping || this.pending.length > this.maxLineBytes) {
      this.skipping = true;
      this.pending = '';
    }
    return items;
  }

  end(): ImportItem[] {
    const items: ImportItem[] = [];
    if (this.skipping) {
      this.skipping = false;
      items.push(this.tooLong());
    } else if (this.pending.length > 0) {
      this.parseLine(this.pending, 0, this.pending.length, items);
    }
    this.pending = '';
    return items;
  }

  private parseLine(buf: string, start: number, end: number, items: ImportItem[]): void {
    if (end > start && buf.charCodeAt(end - 1) === CR) end--;
    if (end === start) return;
    const text = buf.slice(start, end);
    // Every UTF-16 unit is at least one UTF-8 byte, so only long lines need counting.
    if (text.length * 3 > this.maxLineBytes && utf8Length(text) > this.maxLineBytes) {
      items.push(this.tooLong());
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      if (isBlank(text)) return;
      items.push(rowError(this.line, { code: 'invalid_json', message: (e as Error).message }));
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
      items.push(
        rowError(this.line, {
          code: 'not_an_object',
          message: `the line holds ${kind}, not a report object`,
        }),
      );
      return;
    }
    items.push({ line: this.line, value });
  }

  private tooLong(): ImportItem {
    return rowError(this.line, {
      code: 'line_too_long',
      message: `the line is longer than ${this.maxLineBytes} bytes`,
    });
  }
}

function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

/** The UTF-8 length of a string, without allocating its bytes. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** NDJSON reports from a whole input: a text, or its chunks in order. */
export function parseNdjsonText(
  input: string | readonly ImportChunk[],
  options?: NdjsonOptions,
): ImportItem[] {
  return parseAll(new NdjsonParser(options), input);
}
