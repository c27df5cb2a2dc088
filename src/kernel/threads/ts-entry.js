// A worker thread's first module: plain JavaScript, so it runs whatever loaded the main thread (the
// guarantor command, tsx, vitest); it registers tsx's hooks and then loads the TypeScript module named
// in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
