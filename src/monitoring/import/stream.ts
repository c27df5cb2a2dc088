/**
 * The streaming frame shared by the import formats. Each format is a synchronous push parser (text in,
 * items out), so the hot loop has no promise per row; an upload is read, parsed and handed on piece by
 * piece (see prepared-upload.ts), never held whole (GeoJSON excepted: it is one JSON document).
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

/**
 * A parser fed an upload's chunks (bytes or text) as they come, through one decoder for the whole
 * upload, so a character split between chunks is joined. After a fatal error it reads nothing more.
 */
export class ChunkParser {
  private readonly text = new TextChunks();

  constructor(private readonly parser: ImportParser) {}

  push(chunks: readonly ImportChunk[]): ImportItem[] {
    const items: ImportItem[] = [];
    for (const chunk of chunks) {
      if (this.parser.stopped) break;
      for (const item of this.parser.push(this.text.decode(chunk))) items.push(item);
    }
    return items;
  }

  end(): ImportItem[] {
    if (this.parser.stopped) return [];
    const rest = this.text.flush();
    const items = rest.length > 0 ? this.parser.push(rest) : [];
    return this.parser.stopped ? items : items.concat(this.parser.end());
  }
}

/** Parses a whole input at once, synchronously: a text, or its chunks (bytes or text) in order. */
export function parseAll(parser: ImportParser, input: string | readonly ImportChunk[]): ImportItem[] {
  const chunks = new ChunkParser(parser);
  return chunks.push(typeof input === 'string' ? [input] : input).concat(chunks.end());
}
