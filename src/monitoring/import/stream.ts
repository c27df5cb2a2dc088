/**
 * The streaming frame shared by the import formats. Each format is a synchronous push parser (text in,
 * items out), so the hot loop has no promise per row; the async wrappers only await the input chunks.
 * A 1M-row upload is therefore read, parsed and handed on chunk by chunk, never held whole (GeoJSON
 * excepted: it is one JSON document).
 */
import type { ImportItem } from './rows.ts';

export type ImportChunk = string | Uint8Array;

export interface ImportParser {
  /** Parses as much of the text as forms complete records; keeps the rest for the next push. */
  push(text: string): ImportItem[];
  /** The input has ended: parses what is left. */
  end(): ImportItem[];
  /** True once a fatal error was given; the parser ignores any further input. */
  readonly stopped: boolean;
}

/**
 * Turns chunks of UTF-8 bytes or of text into text. Multi-byte characters split across chunks are
 * joined; a byte-order mark at the start is dropped; invalid UTF-8 becomes U+FFFD, which the report's
 * own validation then shows where it matters.
 */
export class TextChunks {
  private readonly decoder = new TextDecoder('utf-8');
  private pendingBytes = false;
  private started = false;

  decode(chunk: ImportChunk): string {
    let text: string;
    if (typeof chunk === 'string') {
      text = this.pendingBytes ? this.decoder.decode() + chunk : chunk;
      this.pendingBytes = false;
    } else {
      text = this.decoder.decode(chunk, { stream: true });
      this.pendingBytes = true;
    }
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }

  flush(): string {
    if (!this.pendingBytes) return '';
    this.pendingBytes = false;
    return this.decoder.decode();
  }
}

/** The most items in one batch, so that a consumer never holds a whole big input as one array. */
export const MAX_BATCH_ITEMS = 4096;

function* sliced(items: ImportItem[]): Generator<ImportItem[]> {
  if (items.length <= MAX_BATCH_ITEMS) {
    if (items.length > 0) yield items;
    return;
  }
  for (let i = 0; i < items.length; i += MAX_BATCH_ITEMS) yield items.slice(i, i + MAX_BATCH_ITEMS);
}

/**
 * Yields the parser's items a batch at a time (a batch per input chunk, split when larger than
 * MAX_BATCH_ITEMS); stops reading the input after a fatal error.
 */
export async function* parseBatches(
  parser: ImportParser,
  chunks: AsyncIterable<ImportChunk> | Iterable<ImportChunk>,
): AsyncGenerator<ImportItem[], void, undefined> {
  const text = new TextChunks();
  for await (const chunk of chunks) {
    yield* sliced(parser.push(text.decode(chunk)));
    if (parser.stopped) return;
  }
  const rest = text.flush();
  if (rest.length > 0) {
    yield* sliced(parser.push(rest));
    if (parser.stopped) return;
  }
  yield* sliced(parser.end());
}

/** Yields the parser's items one at a time. */
export async function* parseItems(
  parser: ImportParser,
  chunks: AsyncIterable<ImportChunk> | Iterable<ImportChunk>,
): AsyncGenerator<ImportItem, void, undefined> {
  for await (const batch of parseBatches(parser, chunks)) yield* batch;
}

/** Parses a whole text at once, synchronously. */
export function parseAll(parser: ImportParser, text: string): ImportItem[] {
  const items = parser.push(new TextChunks().decode(text));
  if (parser.stopped) return items;
  for (const item of parser.end()) items.push(item);
  return items;
}
