import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTOCHECKPOINT_PAGES, WalCheckpointer } from './wal-checkpointer.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function database() {
  const dir = mkdtempSync(join(tmpdir(), 'guarantor-wal-'));
  dirs.push(dir);
  const file = join(dir, 'db.sqlite');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.exec('create table t (id integer primary key, body text not null)');
  return { file, sqlite };
}

/** Commits `n` transactions of about 256 KiB each, as a writer under load does. */
async function write(sqlite: SQLite.Database, checkpointer: WalCheckpointer, n: number) {
  const insert = sqlite.prepare('insert into t (body) values (?)');
  const commit = sqlite.transaction(() => {
    for (let i = 0; i < 64; i++) insert.run('x'.repeat(4096));
  });
  for (let i = 0; i < n; i++) {
    commit();
    checkpointer.afterCommit();
    await new Promise((r) => setTimeout(r, 5));
  }
}

const settled = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
};

describe('the WAL checkpointer', () => {
  it('copies the WAL back on its own thread while the writer never checkpoints, keeping the WAL bounded', async () => {
    const { file, sqlite } = database();
    const checkpointer = new WalCheckpointer(file, sqlite, { startBytes: 1 << 20, intervalMs: 20 });
    try {
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      const before = statSync(file).size;
      await write(sqlite, checkpointer, 120);
      await settled(() => checkpointer.completed > 3);
      expect(checkpointer.completed).toBeGreaterThan(3);
      // Pages reached the database file without the writer checkpointing...
      expect(statSync(file).size).toBeGreaterThan(before + (10 << 20));
      // ...and the WAL started over instead of holding all 30 MiB written.
      expect(statSync(`${file}-wal`).size).toBeLessThan(16 << 20);
      expect(sqlite.prepare('select count(*) n from t').get()).toEqual({ n: 120 * 64 });
    } finally {
      await checkpointer.close();
      sqlite.close();
    }
  });

  it('leaves a small WAL alone: no thread is started for it', async () => {
    const { file, sqlite } = database();
    const checkpointer = new WalCheckpointer(file, sqlite, { intervalMs: 0 });
    try {
      await write(sqlite, checkpointer, 5);
      expect(checkpointer.completed).toBe(0);
      expect((checkpointer as unknown as { worker?: unknown }).worker).toBeUndefined();
    } finally {
      await checkpointer.close();
      sqlite.close();
    }
  });

  it('hands checkpoints back to the connection when its thread dies', async () => {
    const { file, sqlite } = database();
    const checkpointer = new WalCheckpointer(file, sqlite, { startBytes: 1 << 20, intervalMs: 0 });
    try {
      await write(sqlite, checkpointer, 8);
      await settled(() => checkpointer.completed > 0);
      await (checkpointer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      await settled(() => sqlite.pragma('wal_autocheckpoint', { simple: true }) !== 0);
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(AUTOCHECKPOINT_PAGES);
    } finally {
      await checkpointer.close();
      sqlite.close();
    }
  });
});
