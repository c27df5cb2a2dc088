/**
 * Worker threads running the project's TypeScript modules. The module reads its own input from
 * `workerData.data`.
 */
import { Worker } from 'node:worker_threads';

export function startWorker(module: URL, data: unknown): Worker {
  return new Worker(new URL('./ts-entry.js', import.meta.url), {
    workerData: { module: module.href, data },
  });
}
