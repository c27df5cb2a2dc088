/**
 * An upload, prepared as it streams in. Small uploads (under one piece) are prepared on the calling
 * thread; larger ones on an import worker, a piece at a time, so that decoding, parsing, validation,
 * hashing and enrichment of the next pieces run while the caller lands the previous one. A piece of
 * bytes is gathered into one buffer and moved to the worker undecoded, since the calling thread is the
 * one that writes. At most `MAX_IN_FLIGHT` pieces are in flight: memory stays bounded whatever the
 * upload's size.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { startWorker } from '../../kernel/threads/start-worker.ts';
import type { Geography } from '../enrich.ts';
import type { ImportFormat } from './detect.ts';
import type { ImportOptions } from './parse.ts';
import { type PreparedBatch, TextPreparer } from './prepare.ts';
import type { PrepareWorkerData, PrepareWorkerMessage } from './prepare-worker.ts';
import type { ImportChunk } from './stream.ts';

/** Bytes (or characters) handed to the worker at a time: about 2,000 NDJSON reports. */
export const PIECE_CHARS = 1 << 20;
/** Pieces sent to the worker and not yet landed: enough to ride out uneven batches on either side. */
const MAX_IN_FLIGHT = 4;
/**
 * The worker's young generation, in MiB (64 MiB semi-spaces): almost everything it makes dies with the
 * piece it belongs to, and it serves no reads, so it collects rarely whatever the process's own
 * setting; at 200k reports its CPU time went from 10.4 to 9.0 s beside V8's default.
 */
const WORKER_YOUNG_GENERATION_MB = 192;

/** A piece's prepared batches, ready to be taken: they become objects only when taken. */
type Prepared = () => PreparedBatch[];

interface Preparer {
  push(piece: HandOver): Promise<Prepared>;
  end(): Promise<Prepared>;
  close(): Promise<void>;
}

function inThread(preparer: TextPreparer): Preparer {
  return {
    push: async ({ piece }) => {
      const batches = preparer.push(piece);
      return () => batches;
    },
    end: async () => {
      const batches = preparer.end();
      return () => batches;
    },
    close: async () => {},
  };
}

/**
 * Replies come back in the order the pieces were sent, so each waits its turn in a queue. A reply's
 * batches come on a port of their own and stay there, serialised, until the writer takes them: read
 * as they arrived, the pieces waiting their turn would be thousands of rows kept alive through several
 * collections, which the garbage collector then copies and promotes for nothing. The worker's note
 * on its own port says a reply is there.
 */
class WorkerPreparer implements Preparer {
  private readonly worker: Worker;
  private readonly replies: MessagePort;
  private readonly waiting: { resolve: (b: Prepared) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  constructor(data: Omit<PrepareWorkerData, 'replies'>) {
    const { port1, port2 } = new MessageChannel();
    this.replies = port1;
    this.worker = startWorker(
      new URL('./prepare-worker.ts', import.meta.url),
      { ...data, replies: port2 } satisfies PrepareWorkerData,
      { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB }, transferList: [port2] },
    );
    const take = (): PreparedBatch[] => {
      const reply = receiveMessageOnPort(this.replies);
      if (!reply) throw new Error('the import worker said a reply was ready, but none was');
      return reply.message as PreparedBatch[];
    };
    this.worker.on('message', (m: 'ready' | { failed: string }) => {
      const next = this.waiting.shift();
      if (m === 'ready') next?.resolve(take);
      else next?.reject(new Error(`the import worker failed: ${m.failed}`));
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the import worker stopped (exit code ${code})`)));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }

  private send(message: PrepareWorkerMessage, moved: ArrayBuffer[] = []): Promise<Prepared> {
    if (this.failure) return Promise.reject(this.failure);
    const reply = new Promise<Prepared>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
    });
    this.worker.postMessage(message, moved);
    return reply;
  }

  push({ piece, moved }: HandOver): Promise<Prepared> {
    return this.send({ piece }, moved);
  }

  end(): Promise<Prepared> {
    return this.send({ end: true });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the import worker was closed');
    this.replies.close();
    await this.worker.terminate();
  }
}

export interface UploadOptions extends ImportOptions {
  geography: Geography;
  /** Text read before deciding: an upload shorter than this is prepared in-thread (tests set it low). */
  pieceChars?: number;
}

/**
 * A piece as it is handed over: bytes copied into one buffer of its own, which then moves to the
 * worker (a stream's chunks may share a pool, so theirs never do); a piece holding text goes as it
 * came. Decoding is left to the preparer, whose decoder joins characters split between pieces.
 */
interface HandOver {
  piece: ImportChunk[];
  moved: ArrayBuffer[];
}

function handOver(chunks: ImportChunk[]): HandOver {
  if (chunks.some((c) => typeof c === 'string')) return { piece: chunks, moved: [] };
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks as Uint8Array[]) {
    bytes.set(c, at);
    at += c.length;
  }
  return { piece: [bytes], moved: [bytes.buffer] };
}

/** Prepared batches of an upload, in input order; stops after a batch whose input could not be read on. */
export async function* prepareUpload(
  format: ImportFormat,
  chunks: AsyncIterable<ImportChunk> | Iterable<ImportChunk>,
  options: UploadOptions,
): AsyncGenerator<PreparedBatch, void, undefined> {
  const { geography, pieceChars = PIECE_CHARS, ...parse } = options;
  const inFlight: Promise<Prepared>[] = [];
  let preparer: Preparer | undefined;
  let piece: ImportChunk[] = [];
  let size = 0;
  let stopped = false;
  /** The batches of the oldest piece in flight, up to one whose input could not be read on. */
  async function* oldest(): AsyncGenerator<PreparedBatch> {
    for (const batch of (await inFlight.shift()!)()) {
      yield batch;
      stopped = batch.stoppedAtLine !== null;
      if (stopped) return;
    }
  }
  try {
    for await (const chunk of chunks) {
      piece.push(chunk);
      size += chunk.length;
      if (size < pieceChars) continue;
      preparer ??= new WorkerPreparer({ format, options: parse, geography: geography.source });
      inFlight.push(preparer.push(handOver(piece)));
      piece = [];
      size = 0;
      if (inFlight.length < MAX_IN_FLIGHT) continue;
      yield* oldest();
      if (stopped) return;
    }
    // The whole upload fitted in one piece: no thread is worth starting for it.
    preparer ??= inThread(new TextPreparer(format, parse, geography));
    if (piece.length > 0) inFlight.push(preparer.push(handOver(piece)));
    inFlight.push(preparer.end());
    while (inFlight.length > 0 && !stopped) yield* oldest();
  } finally {
    // Pieces still in flight are abandoned: their replies, or the rejections closing causes, go unread.
    for (const p of inFlight) p.catch(() => {});
    await preparer?.close();
  }
}
