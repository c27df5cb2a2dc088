/**
 * The WAL checkpointer's thread: its own connection to the database file, copying committed WAL
 * frames back into the database whenever asked. PASSIVE never waits for the writer or readers, so
 * the writer's commits never wait for it either. Replies `done` after each checkpoint.
 */
import { parentPort } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { workerInput } from '../threads/start-worker.ts';

const { file } = workerInput<{ file: string }>();
const db = new SQLite(file);
db.pragma('busy_timeout = 5000');
const port = parentPort!;

port.on('message', () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    port.postMessage('done');
  } catch (e) {
    port.postMessage({ failed: e instanceof Error ? e.message : String(e) });
  }
});
