/**
 * Checkpoints a SQLite database's WAL on a thread of its own. SQLite's automatic checkpoint runs in
 * the commit that crosses its threshold, so every so often one commit (one request, one import
 * batch) also copies tens of megabytes back into the database and waits for the disk. Here the
 * writer's connection never checkpoints: once the WAL has grown past `startBytes`, commits ask the
 * checkpointer thread to copy what is committed, at most every `intervalMs`.
 *
 * The WAL starts over only at a write that finds every frame copied, and a writer that never pauses
 * keeps the thread a little behind. So past four times `startBytes` the writer's connection copies
 * the last frames itself, between transactions, which is quick with the rest already copied; its next
 * transaction then starts the WAL over and cuts the file back to `startBytes`. Should the thread fail,
 * the connection's automatic checkpoint is turned back on, so the WAL stays bounded either way.
 */
import { statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import { startWorker } from '../threads/start-worker.ts';

/** The connection's own checkpoint threshold, in pages, while no checkpointer runs. */
export const AUTOCHECKPOINT_PAGES = 16384;

export interface WalCheckpointerOptions {
  /** The WAL size from which the thread starts; smaller logs are left to grow (tests set it low). */
  startBytes?: number;
  intervalMs?: number;
}

export class WalCheckpointer {
  private worker: Worker | undefined;
  private busy = false;
  private failed = false;
  private lastAsked = 0;
  private readonly startBytes: number;
  private readonly intervalMs: number;
  /** Writes made outside `store.transaction` reach the WAL too: they are looked at now and then. */
  private readonly sweep: NodeJS.Timeout;
  /** Checkpoints the thread has completed; for tests and diagnostics. */
  completed = 0;

  constructor(
    private readonly file: string,
    private readonly sqlite: SQLite.Database,
    options: WalCheckpointerOptions = {},
  ) {
    this.startBytes = options.startBytes ?? 16 * 1024 * 1024;
    this.intervalMs = options.intervalMs ?? 200;
    sqlite.pragma('wal_autocheckpoint = 0');
    // After a checkpoint lets the WAL start over, a file grown by a burst is cut back to this size.
    sqlite.pragma(`journal_size_limit = ${this.startBytes}`);
    this.sweep = setInterval(() => this.afterCommit(), 5_000).unref();
  }

  /** Called after each commit; cheap when nothing is to be done. */
  afterCommit(): void {
    if (this.failed) return;
    const now = Date.now();
    if (now - this.lastAsked < this.intervalMs) return;
    this.lastAsked = now;
    const bytes = walBytes(this.file);
    // When the thread is copying at this moment, this returns at once and the next commit tries again.
    if (bytes > this.startBytes * 4) this.sqlite.pragma('wal_checkpoint(PASSIVE)');
    if (bytes < this.startBytes || this.busy) return;
    this.busy = true;
    this.thread().postMessage('checkpoint');
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(new URL('./wal-checkpoint-worker.ts', import.meta.url), { file: this.file });
    worker.on('message', (m: 'done' | { failed: string }) => {
      this.busy = false;
      if (m === 'done') this.completed++;
    });
    worker.on('error', () => this.fallBack());
    worker.on('exit', () => this.fallBack());
    // The thread never keeps a process alive that has nothing else to do.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private fallBack(): void {
    if (this.failed) return;
    this.failed = true;
    clearInterval(this.sweep);
    this.worker = undefined;
    this.sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    const worker = this.worker;
    this.failed = true;
    this.worker = undefined;
    await worker?.terminate();
  }
}

function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}
