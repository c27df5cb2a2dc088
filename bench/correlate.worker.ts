/**
 * Runs the correlation benchmark on a thread of its own: a heap of its own, so neither the garbage the
 * import leaves behind slows its collections nor its million reports slow the read benchmarks after it.
 */
import { parentPort } from 'node:worker_threads';
import { workerInput } from '../src/kernel/threads/start-worker.ts';
import { benchCorrelation } from './correlate.bench.ts';

const { n } = workerInput<{ n: number }>();
parentPort!.postMessage(await benchCorrelation(n));
