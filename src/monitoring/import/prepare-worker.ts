/**
 * The import worker: decodes, parses and prepares a large upload on its own thread while the main thread
 * lands what is already prepared. It starts with the port for its replies. Messages in: `{ piece }`,
 * the upload's chunks (bytes or text) in order, then `{ end: true }`. For each, one `PreparedBatch[]`
 * goes out on the replies port and `ready` on the worker's own, or `{ failed }` with the reason it
 * could not be prepared.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import { workerInput } from '../../kernel/threads/start-worker.ts';
import { type GeographySource, prepareGeography } from '../enrich.ts';
import type { ImportFormat } from './detect.ts';
import type { ImportOptions } from './parse.ts';
import { TextPreparer } from './prepare.ts';
import type { ImportChunk } from './stream.ts';

export interface PrepareWorkerData {
  format: ImportFormat;
  options: ImportOptions;
  geography: GeographySource;
  /** Where the prepared batches go; the writer takes each when it lands it. */
  replies: MessagePort;
}

export type PrepareWorkerMessage = { piece: ImportChunk[] } | { end: true };

const { format, options, geography, replies } = workerInput<PrepareWorkerData>();
const preparer = new TextPreparer(format, options, prepareGeography(geography.zones, geography.sectors));
const port = parentPort!;

port.on('message', (message: PrepareWorkerMessage) => {
  try {
    replies.postMessage('end' in message ? preparer.end() : preparer.push(message.piece));
    port.postMessage('ready');
  } catch (e) {
    port.postMessage({ failed: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
