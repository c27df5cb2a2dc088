/**
 * Worker threads running the project's TypeScript modules; the module reads what it was given with
 * `workerInput`.
 */
import { type ResourceLimits, type Transferable, Worker, workerData } from 'node:worker_threads';

export interface WorkerOptions {
  resourceLimits?: ResourceLimits;
  /** What `data` holds that moves to the thread rather than being copied, such as a MessagePort. */
  transferList?: Transferable[];
}

export function startWorker(module: URL, data: unknown, options: WorkerOptions = {}): Worker {
  return new Worker(new URL('./ts-entry.js', import.meta.url), {
    workerData: { module: module.href, data },
    ...options,
  });
}

/** Inside a worker started by `startWorker`: the data it was started with. */
export function workerInput<T>(): T {
  return (workerData as { data: T }).data;
}
