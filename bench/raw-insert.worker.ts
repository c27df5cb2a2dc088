/**
 * Runs the raw-insert baseline on a thread of its own, so that the million rows it reads into memory
 * neither slow the import's collections nor stay live through the read benchmarks after it.
 */
import { parentPort } from 'node:worker_threads';
import { workerInput } from '../src/kernel/threads/start-worker.ts';
import { rawInsertOfStoredRows } from './raw-insert.ts';

const { source, target } = workerInput<{ source: string; target: string }>();
parentPort!.postMessage(await rawInsertOfStoredRows(source, target));
