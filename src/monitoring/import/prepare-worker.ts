/**
 * The import worker: decodes, parses and prepares a large upload on its own thread while the main thread
 * lands what is already prepared. Messages in: first `{ replies }`, the port for the prepared batches;
 * then `{ piece }`, the upload's chunks (bytes or text) in order, and `{ end: true }`. For each, one
 * `PreparedBatch[]` goes out on the replies port and `ready` on the worker's own, or `{ failed }` with
 * the reason it could not be prepared.
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
}

export type PrepareWorkerMessage = { replies: MessagePort } | { piece: ImportChunk[] } | { end: true };

const { format, options, geography } = workerInput<PrepareWorkerData>();
const preparer = new TextPreparer(format, options, prepareGeography(geography.zones, geography.sectors));
const port = parentPort!;
let replies: MessagePort | undefined;

port.on('message', (message: PrepareWorkerMessage) => {
  if ('replies' in message) {
    replies = message.replies;
    return;
  }
  try {
    if (!replies) throw new Error('no port for replies was given');
    replies.postMessage('end' in message ? preparer.end() : preparer.push(message.piece));
    port.postMessage('ready');
  } catch (e) {
    port.postMessage({ failed: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
