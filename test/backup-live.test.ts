/**
 * `guarantor backup` and `guarantor restore` as an operator runs them: the backup taken from a
 * running server (its own process, writing all the while) and restored, with the exit codes the
 * commands promise: 0 done, 1 refused or failed, 2 used wrongly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupCommand } from '../src/cli/backup.ts';
import type { Io } from '../src/cli/io.ts';
import { restoreCommand } from '../src/cli/restore.ts';
import { loadOrCreateLogKey } from '../src/kernel/ledger/log-key.ts';
import { hashFile } from '../src/kernel/store/backup-files.ts';
import type { BackupManifest } from '../src/kernel/store/backup-manifest.ts';
import { aReport, secretariatTokenFor } from './harness.ts';

const REPO = resolve(fileURLToPath(import.meta.url), '../..');

function capture(): Io & { out: (l: string) => void; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/guarantor.js', 'serve', '--data', dataDir, '--port', '0'], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'info', GUARANTOR_DEMO: 'off', GUARANTOR_RATE_LIMIT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`the server did not start:\n${log}`)), 30_000);
    child.once('exit', (code) => rej(new Error(`the server exited with ${code}:\n${log}`)));
    child.stdout!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /Guarantor is serving at http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

let auth: Record<string, string> = {};

async function importReports(url: string, n: number): Promise<void> {
  const res = await fetch(`${url}/api/v1/reports/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...auth },
    body: `${Array.from({ length: n }, () => JSON.stringify(aReport())).join('\n')}\n`,
  });
  expect(res.status).toBe(200);
}

describe('guarantor backup and restore against a running server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guarantor-backup-live-'));
  const dataDir = join(dir, 'data');
  const backup = join(dir, 'backup');
  let server: { child: ChildProcess; url: string };
  let vkey: string;

  beforeAll(async () => {
    vkey = loadOrCreateLogKey(dataDir).vkey;
    auth = { authorization: `Bearer ${await secretariatTokenFor(dataDir)}` };
    server = await startServer(dataDir);
    await importReports(server.url, 500);
    await fetch(`${server.url}/api/v1/ledger/checkpoints`, { method: 'POST', headers: auth });
  }, 60_000);

  afterAll(async () => {
    if (server.child.exitCode === null) {
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up while the server writes, and restores what verifies', async () => {
    let writing = true;
    let batches = 0;
    const writer = (async () => {
      for (let i = 0; writing && i < 500; i++) {
        await importReports(server.url, 50);
        batches++;
      }
    })();
    while (batches < 2) await new Promise((r) => setTimeout(r, 10));
    const io = capture();
    const code = await backupCommand(backup, { data: dataDir }, io);
    writing = false;
    await writer;
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(io.stdout.join('\n')).toMatch(
      /backup written to .*\n.*sha256 [0-9a-f]{64}\n\s+ledger: at least \d+ leaves; latest signed checkpoint at size \d+/,
    );
    expect(io.stdout.join('\n')).toMatch(/log key: not included/);
    const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(manifest.ledger.treeSize).toBeGreaterThanOrEqual(500);

    const target = join(dir, 'restored');
    const r = capture();
    expect(await restoreCommand(backup, { data: target, key: vkey }, r)).toBe(0);
    expect(r.stdout.join('\n')).toMatch(
      new RegExp(
        `ledger: \\d+ leaves verified, matching the signed checkpoint at size ${manifest.ledger.checkpoint!.size} \\(key given\\)`,
      ),
    );
    expect(r.stderr.join('\n')).toMatch(/note: no log key/);
    expect(existsSync(join(target, 'guarantor.sqlite'))).toBe(true);

    const again = capture();
    expect(await restoreCommand(backup, { data: target, key: vkey }, again)).toBe(2);
    expect(again.stderr.join('\n')).toMatch(/--force/);
  }, 60_000);

  it('refuses a tampered backup with exit 1 and says what failed', async () => {
    const copy = join(dir, 'tampered');
    cpSync(backup, copy, { recursive: true });
    const db = new SQLite(join(copy, 'guarantor.sqlite'));
    db.prepare("update reports set notes = 'rewritten' where rowid = 1").run();
    db.close();
    const io = capture();
    expect(await restoreCommand(copy, { data: join(dir, 'never'), key: vkey }, io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(
      /restore refused, nothing was changed[\s\S]*guarantor\.sqlite does not match its SHA-256/,
    );
    expect(existsSync(join(dir, 'never', 'guarantor.sqlite'))).toBe(false);
  });

  it('refuses a changed row even when the manifest was rewritten to match', async () => {
    const copy = join(dir, 'tampered-and-rehashed');
    cpSync(backup, copy, { recursive: true });
    const file = join(copy, 'guarantor.sqlite');
    const db = new SQLite(file);
    db.prepare('update reports set count = count + 7 where rowid = 3').run();
    db.close();
    const m = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as BackupManifest;
    m.database = await hashFile(file, m.database.path);
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(m));
    const io = capture();
    expect(await restoreCommand(copy, { data: join(dir, 'never2'), key: vkey }, io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/audit: .*report/);
    expect(existsSync(join(dir, 'never2', 'guarantor.sqlite'))).toBe(false);
  });

  it('answers misuse with exit 2', async () => {
    const missing = capture();
    expect(await backupCommand(join(dir, 'b2'), { data: join(dir, 'nothing-here') }, missing)).toBe(2);
    expect(missing.stderr.join('\n')).toMatch(/no database in/);
    const notEmpty = capture();
    expect(await backupCommand(backup, { data: dataDir }, notEmpty)).toBe(2);
    expect(notEmpty.stderr.join('\n')).toMatch(/not empty/);
    const notBackup = capture();
    expect(await restoreCommand(dataDir, { data: join(dir, 'r3') }, notBackup)).toBe(2);
    expect(notBackup.stderr.join('\n')).toMatch(/not a backup/);
    const badKey = capture();
    expect(await restoreCommand(backup, { data: join(dir, 'r4'), key: 'nonsense' }, badKey)).toBe(2);
  });
});
