/**
 * Worker threads running the project's TypeScript modules; the module reads what it was given with
 * `workerInput`.
 */
import { type ResourceLimits, Worker, workerData } from 'node:worker_threads';

export function startWorker(module: URL, data: unknown, resourceLimits?: ResourceLimits): Worker {
  return new Worker(new URL('./ts-entry.js', import.meta.url), {
    workerData: { module: module.href, data },
    ...(resourceLimits ? { resourceLimits } : {}),
  });
}

/** Inside a worker started by `startWorker`: the data it was started with. */
export function workerInput<T>(): T {
  return (workerData as { data: T }).data;
}
