/**
 * The evidence originals on disk, content-addressed: `<root>/sha256/ab/cd/<hash>`. A file is written
 * once, under a temporary name while it is hashed, then hard-linked into place; an existing file is
 * never replaced, and stored files are read-only. Two uploads of the same bytes share one file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { chmod, link, mkdir, open, readFile, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Problem } from '../../kernel/http/errors.ts';
import { HEAD_BYTES, isPlainText } from './media-type.ts';

export interface ReceivedFile {
  tmpPath: string;
  sha256: string;
  size: number;
  /** The first bytes, for the type check. */
  head: Uint8Array;
  /** Whether the whole file is UTF-8 text without control characters. */
  isText: boolean;
}

export interface ReceiveOptions {
  maxBytes: number;
  /** Looks at the first bytes as soon as they are in; throwing refuses the file before more is written. */
  checkHead?: (head: Uint8Array) => void;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class EvidenceFiles {
  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * Streams `source` into a temporary file while hashing it. Once refused (too large, or by
   * checkHead), nothing more is written and the rest of the source is drained, so the client gets its
   * answer without a reset connection; the temporary file is removed before the refusal is thrown.
   */
  async receive(source: AsyncIterable<Uint8Array>, options: ReceiveOptions): Promise<ReceivedFile> {
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, randomUUID());
    const file = await open(tmpPath, 'wx', 0o600);
    const hash = createHash('sha256');
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let size = 0;
    let head = new Uint8Array(0);
    let headChecked = false;
    let isText = true;
    let refused: unknown;
    const checkHead = () => {
      headChecked = true;
      try {
        options.checkHead?.(head);
      } catch (e) {
        refused = e;
      }
    };
    try {
      for await (const chunk of source) {
        if (refused) continue;
        size += chunk.length;
        if (size > options.maxBytes) {
          refused = new Problem('payload_too_large', `an evidence file is at most ${options.maxBytes} bytes`);
          continue;
        }
        if (!headChecked) {
          const more = chunk.subarray(0, HEAD_BYTES - head.length);
          const grown = new Uint8Array(head.length + more.length);
          grown.set(head);
          grown.set(more, head.length);
          head = grown;
          if (head.length >= HEAD_BYTES) checkHead();
          if (refused) continue;
        }
        hash.update(chunk);
        if (isText) {
          try {
            isText = isPlainText(decoder.decode(chunk, { stream: true }));
          } catch {
            isText = false;
          }
        }
        await file.write(chunk);
      }
      if (!refused && !headChecked) checkHead();
      if (!refused && isText) {
        try {
          decoder.decode();
        } catch {
          isText = false;
        }
      }
      if (!refused) await file.sync();
    } catch (e) {
      refused ??= e;
    } finally {
      await file.close();
    }
    if (refused) {
      await rm(tmpPath, { force: true });
      throw refused;
    }
    return { tmpPath, sha256: hash.digest('hex'), size, head, isText: isText && size > 0 };
  }

  /** Moves a received file into its content address; the same bytes stored before are kept as they are. */
  async keep(tmpPath: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    await mkdir(dirname(target), { recursive: true });
    try {
      await chmod(tmpPath, 0o444);
      await link(tmpPath, target);
      await syncDir(dirname(target));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      await unlink(tmpPath).catch(() => undefined);
    }
  }

  /** Stores bytes made here (a derived copy) the same way; returns their SHA-256. */
  async keepBytes(bytes: Uint8Array): Promise<string> {
    async function* once() {
      yield bytes;
    }
    const received = await this.receive(once(), { maxBytes: Number.MAX_SAFE_INTEGER });
    await this.keep(received.tmpPath, received.sha256);
    return received.sha256;
  }

  async discard(tmpPath: string): Promise<void> {
    await rm(tmpPath, { force: true });
  }

  read(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256));
  }

  stream(sha256: string): ReadStream {
    return createReadStream(this.pathOf(sha256));
  }

  async size(sha256: string): Promise<number> {
    return (await stat(this.pathOf(sha256))).size;
  }

  /** Whether the stored bytes still hash to their name: checked before an original leaves the server. */
  async intact(sha256: string): Promise<boolean> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of this.stream(sha256)) hash.update(chunk as Buffer);
    } catch {
      return false;
    }
    return hash.digest('hex') === sha256;
  }
}

async function syncDir(dir: string): Promise<void> {
  // A directory fsync makes the new link durable; some file systems refuse it, which is harmless.
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // not supported here
  } finally {
    await handle.close();
  }
}
