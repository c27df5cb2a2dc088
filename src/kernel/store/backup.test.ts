/**
 * Backup and restore on SQLite, and on PostgreSQL when TEST_DATABASE_URL names a server and
 * pg_dump/pg_restore are on PATH: a backup taken while reports keep arriving restores into a fresh
 * target whose ledger extends the backup's signed checkpoint; a backup changed afterwards (a row,
 * a ledger leaf, an evidence file) is refused and leaves the target untouched.
 */
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, authorize } from '../../../test/harness.ts';
import { generateSecretsKey, loadOrCreateSecretsKey, SECRETS_KEY_FILE } from '../../access/secret-box.ts';
import { type App, createApp } from '../../app.ts';
import { loadConfig } from '../config/config.ts';
import { fromBase64 } from '../ledger/bytes.ts';
import { LedgerService } from '../ledger/ledger-service.ts';
import { generateLogKey, type LogKey, loadOrCreateLogKey } from '../ledger/log-key.ts';
import { verifyConsistency } from '../ledger/merkle.ts';
import { BackupUsageError, backupStore } from './backup.ts';
import { hashFile } from './backup-files.ts';
import type { BackupManifest } from './backup-manifest.ts';
import { pgToolsAvailable } from './backup-postgres.ts';
import { RestoreRefused, restoreStore } from './backup-restore.ts';
import { openStore, type Store } from './store.ts';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `guarantor-${name}-`));

async function importReports(app: App, n: number): Promise<void> {
  const body = `${Array.from({ length: n }, () => JSON.stringify(aReport())).join('\n')}\n`;
  const res = await app.http.inject({
    method: 'POST',
    url: '/api/v1/reports/import',
    headers: { 'content-type': 'application/x-ndjson' },
    payload: body,
  });
  expect(res.statusCode).toBe(200);
  expect(res.json().accepted).toBe(n);
}

/** Keeps importing small batches until stopped; returns how many batches landed. */
function keepWriting(app: App): { stop(): Promise<number> } {
  let running = true;
  let batches = 0;
  const loop = (async () => {
    for (let i = 0; running && i < 1000; i++) {
      await importReports(app, 20);
      batches++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return batches;
    },
  };
}

function writeEvidence(dataDir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 3; i++) {
    const bytes = randomBytes(1000 + i);
    const name = `sha256/${i}a/${randomBytes(8).toString('hex')}`;
    mkdirSync(join(dataDir, 'evidence', name, '..'), { recursive: true });
    writeFileSync(join(dataDir, 'evidence', name), bytes);
    files[name] = bytes;
  }
  return files;
}

async function silentApp(store: Store, logKey: LogKey): Promise<App> {
  return authorize(
    await createApp(loadConfig({ GUARANTOR_DEMO: 'off' }), {
      store,
      logger: pino({ level: 'silent' }),
      logKey,
      secretsKey: generateSecretsKey(),
    }),
  );
}

async function refusal(work: Promise<unknown>): Promise<string[]> {
  const e = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RestoreRefused);
  return (e as RestoreRefused).problems;
}

/** The restored ledger extends the backup's checkpoint: a fresh checkpoint's consistency proof verifies. */
async function expectExtends(store: Store, key: LogKey, manifest: BackupManifest): Promise<void> {
  const ledger = new LedgerService(store, key);
  const now = await ledger.checkpoint();
  const old = manifest.ledger.checkpoint!;
  expect(now.size).toBeGreaterThanOrEqual(old.size);
  const proof = await ledger.consistencyProof(old.size, now.size);
  expect(() => verifyConsistency(old.size, now.size, fromBase64(old.root), now.root, proof)).not.toThrow();
}

describe('backup and restore (sqlite)', () => {
  const dataDir = tmp('data');
  const work = tmp('backups');
  let app: App;
  let key: LogKey;
  let evidence: Record<string, Buffer>;
  let manifest: BackupManifest;
  const backup = join(work, 'b1');

  beforeAll(async () => {
    key = loadOrCreateLogKey(dataDir);
    const store = await openStore({ kind: 'sqlite', file: join(dataDir, 'guarantor.sqlite') });
    app = await silentApp(store, key);
    evidence = writeEvidence(dataDir);
    await importReports(app, 300);
    await app.ledger.checkpoint();
    const writer = keepWriting(app);
    await importReports(app, 20); // the writer is surely under way
    manifest = await backupStore({ store, dataDir, dest: backup });
    expect(await writer.stop()).toBeGreaterThan(0);
  });

  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('records a signed checkpoint, the files and their hashes, and leaves the log key out', async () => {
    expect(manifest.dialect).toBe('sqlite');
    expect(manifest.ledger.vkey).toBe(key.vkey);
    expect(manifest.ledger.checkpoint?.size).toBeGreaterThanOrEqual(300);
    expect(manifest.ledger.treeSize).toBeGreaterThanOrEqual(manifest.ledger.checkpoint!.size);
    expect(manifest.evidence.map((e) => e.path).sort()).toEqual(
      Object.keys(evidence)
        .map((p) => `evidence/${p}`)
        .sort(),
    );
    expect((await hashFile(join(backup, 'guarantor.sqlite'), 'x')).sha256).toBe(manifest.database.sha256);
    expect(manifest.logKey).toBeNull();
    expect(existsSync(join(backup, 'ledger-key'))).toBe(false);
    expect(manifest.secretsKey).toBeNull();
    expect(existsSync(join(backup, SECRETS_KEY_FILE))).toBe(false);
    expect(manifest.warnings).toEqual([]);
  });

  it('restores into a fresh directory whose ledger extends the checkpoint', async () => {
    const target = join(tmp('restore'), 'data');
    const result = await restoreStore({ src: backup, dataDir: target });
    expect(result.keySource).toBe('backup');
    expect(result.treeSize).toBeGreaterThanOrEqual(manifest.ledger.treeSize);
    expect(result.notes.join('\n')).toMatch(/no log key/);
    for (const [name, bytes] of Object.entries(evidence)) {
      expect(readFileSync(join(target, 'evidence', name)).equals(bytes)).toBe(true);
    }
    const restored = await openStore({ kind: 'sqlite', file: join(target, 'guarantor.sqlite') });
    try {
      const n = await restored.db
        .selectFrom('reports')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(n.n)).toBeGreaterThanOrEqual(320);
      await expectExtends(restored, key, manifest);
    } finally {
      await restored.close();
    }
  });

  it('refuses a backup whose database was changed, and changes nothing', async () => {
    const copy = join(work, 'tampered-row');
    cpSync(backup, copy, { recursive: true });
    const db = new SQLite(join(copy, 'guarantor.sqlite'));
    db.prepare('update reports set count = count + 1 where rowid = (select min(rowid) from reports)').run();
    db.close();
    const target = join(tmp('restore'), 'data');
    const problems = await refusal(restoreStore({ src: copy, dataDir: target, vkey: key.vkey }));
    expect(problems.join('\n')).toMatch(/guarantor\.sqlite does not match its SHA-256/);
    expect(existsSync(join(target, 'guarantor.sqlite'))).toBe(false);
    expect(existsSync(join(target, 'evidence'))).toBe(false);
  });

  it('refuses a changed ledger leaf even when the manifest was rewritten to match', async () => {
    const copy = join(work, 'tampered-leaf');
    cpSync(backup, copy, { recursive: true });
    const file = join(copy, 'guarantor.sqlite');
    const db = new SQLite(file);
    db.prepare("update ledger_leaves set record_id = 'forged' where idx = 5").run();
    db.close();
    const m = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as BackupManifest;
    m.database = await hashFile(file, m.database.path);
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(m));
    const problems = await refusal(
      restoreStore({ src: copy, dataDir: join(tmp('restore'), 'data'), vkey: key.vkey }),
    );
    expect(problems[0]).toMatch(/ledger leaf 5 \(report forged\) does not match its hash/);
    // The tree stops at the changed leaf, so the signed checkpoint cannot be reached.
    expect(problems.join('\n')).toMatch(/the backup's checkpoint covers \d+ leaves but the database holds 5/);
  });

  it('refuses a changed evidence file and a checkpoint signed by another key', async () => {
    const copy = join(work, 'tampered-evidence');
    cpSync(backup, copy, { recursive: true });
    const first = manifest.evidence[0]!.path;
    writeFileSync(join(copy, first), 'not the original');
    const problems = await refusal(restoreStore({ src: copy, dataDir: join(tmp('restore'), 'data') }));
    expect(problems).toEqual([`${first} does not match its SHA-256 in the manifest (the file was changed)`]);

    const other = generateLogKey();
    const forged = await refusal(
      restoreStore({ src: backup, dataDir: join(tmp('restore'), 'data'), vkey: other.vkey }),
    );
    expect(forged[0]).toMatch(/the backup's checkpoint at size \d+ does not verify with the log key/);
  });

  it('runs a given audit on the staged copy and refuses what it finds', async () => {
    const target = join(tmp('restore'), 'data');
    let reports = 0;
    const problems = await refusal(
      restoreStore({
        src: backup,
        dataDir: target,
        audit: async (store) => {
          const n = await store.db
            .selectFrom('reports')
            .select(({ fn }) => fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          reports = Number(n.n);
          return 'report 42 was modified';
        },
      }),
    );
    expect(reports).toBeGreaterThanOrEqual(320);
    expect(problems).toEqual(['audit: report 42 was modified']);
    expect(existsSync(join(target, 'guarantor.sqlite'))).toBe(false);
  });

  it('refuses a target that holds data unless forced, and a data directory with another log key', async () => {
    const target = join(tmp('restore'), 'data');
    await restoreStore({ src: backup, dataDir: target, vkey: key.vkey });
    await expect(restoreStore({ src: backup, dataDir: target, vkey: key.vkey })).rejects.toThrow(
      /already holds a database or evidence.*--force/,
    );
    await expect(
      restoreStore({ src: backup, dataDir: target, vkey: key.vkey, force: true }),
    ).resolves.toBeTruthy();

    const withKey = join(tmp('restore'), 'data');
    loadOrCreateLogKey(withKey);
    await expect(restoreStore({ src: backup, dataDir: withKey })).rejects.toThrow(BackupUsageError);
  });

  it('includes the log key only when asked, and restores it with owner-only access', async () => {
    const dest = join(work, 'with-key');
    const m = await backupStore({ store: app.store, dataDir, dest, includeLogKey: true });
    expect(m.logKey?.path).toBe('ledger-key');
    expect(m.warnings.join('\n')).toMatch(/private key/);
    expect(statSync(join(dest, 'ledger-key')).mode & 0o077).toBe(0);
    const target = join(tmp('restore'), 'data');
    const result = await restoreStore({ src: dest, dataDir: target });
    expect(result.notes.join('\n')).not.toMatch(/no log key/);
    expect(readFileSync(join(target, 'ledger-key'), 'utf8')).toBe(
      readFileSync(join(dataDir, 'ledger-key'), 'utf8'),
    );
    expect(statSync(join(target, 'ledger-key')).mode & 0o077).toBe(0);
  });

  it('includes the secrets key only when asked, restores it with owner-only access, and notes its absence', async () => {
    const bare = join(tmp('restore'), 'data');
    expect((await restoreStore({ src: backup, dataDir: bare })).notes.join('\n')).toMatch(
      /no secrets key in .*authenticator app/,
    );
    await expect(
      backupStore({ store: app.store, dataDir, dest: join(work, 'no-secrets-key'), includeSecretsKey: true }),
    ).rejects.toThrow(/--include-secrets-key: there is no secrets key/);

    const secrets = loadOrCreateSecretsKey(dataDir);
    const sealed = secrets.seal('JBSWY3DPEHPK3PXP', 'account');
    const dest = join(work, 'with-secrets-key');
    const m = await backupStore({ store: app.store, dataDir, dest, includeSecretsKey: true });
    expect(m.secretsKey?.path).toBe(SECRETS_KEY_FILE);
    expect(m.logKey).toBeNull();
    expect(m.warnings.join('\n')).toMatch(/secrets key/);
    expect(statSync(join(dest, SECRETS_KEY_FILE)).mode & 0o077).toBe(0);

    const target = join(tmp('restore'), 'data');
    const result = await restoreStore({ src: dest, dataDir: target });
    expect(result.notes.join('\n')).not.toMatch(/no secrets key/);
    expect(statSync(join(target, SECRETS_KEY_FILE)).mode & 0o077).toBe(0);
    expect(loadOrCreateSecretsKey(target).open(sealed, 'account')).toBe('JBSWY3DPEHPK3PXP');

    // A data directory already holding another secrets key is refused before anything moves.
    const other = join(tmp('restore'), 'data');
    loadOrCreateSecretsKey(other);
    await expect(restoreStore({ src: dest, dataDir: other })).rejects.toThrow(
      /is not the secrets key in the backup; move it away/,
    );
    expect(existsSync(join(other, 'guarantor.sqlite'))).toBe(false);

    // A changed key file in the backup is refused like any changed file.
    const changed = join(work, 'changed-secrets-key');
    cpSync(dest, changed, { recursive: true });
    writeFileSync(join(changed, SECRETS_KEY_FILE), `${Buffer.alloc(32, 1).toString('base64')}\n`);
    const problems = await refusal(restoreStore({ src: changed, dataDir: join(tmp('restore'), 'data') }));
    expect(problems.join('\n')).toMatch(/secrets-key does not match its SHA-256/);
  });

  it('refuses to write into a non-empty folder', async () => {
    await expect(backupStore({ store: app.store, dataDir, dest: backup })).rejects.toThrow(/not empty/);
  });
});

const pgUrl = process.env.TEST_DATABASE_URL;
const pgReady = pgUrl !== undefined && (await pgToolsAvailable());
if (!pgReady) {
  console.info(
    'backup.test.ts: skipping the PostgreSQL backup tests: ' +
      (pgUrl === undefined ? 'TEST_DATABASE_URL is not set' : 'pg_dump/pg_restore are not on PATH'),
  );
}

describe.skipIf(!pgReady)('backup and restore (postgres)', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dataDir = tmp('pgdata');
  const work = tmp('pgbackups');
  const databases: string[] = [];
  let app: App;
  let key: LogKey;
  let manifest: BackupManifest;
  const backup = join(work, 'b1');

  async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  }

  async function freshDatabase(): Promise<string> {
    const name = `guarantor_restore_${randomBytes(5).toString('hex')}`;
    await admin((c) => c.query(`create database ${name}`));
    databases.push(name);
    const url = new URL(pgUrl!);
    url.pathname = `/${name}`;
    return url.href;
  }

  beforeAll(async () => {
    key = loadOrCreateLogKey(dataDir);
    const store = await openStore({ kind: 'postgres', url: pgUrl!, schema });
    app = await silentApp(store, key);
    writeEvidence(dataDir);
    await importReports(app, 300);
    await app.ledger.checkpoint();
    const writer = keepWriting(app);
    await importReports(app, 20);
    manifest = await backupStore({ store, dataDir, dest: backup, databaseUrl: pgUrl!, schema });
    await writer.stop();
  });

  afterAll(async () => {
    await app?.close();
    await admin(async (c) => {
      await c.query(`drop schema if exists ${schema} cascade`);
      for (const d of databases) await c.query(`drop database if exists ${d}`);
    });
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('restores a pg_dump taken under load into an empty database, and the ledger extends the checkpoint', async () => {
    expect(manifest.dialect).toBe('postgres');
    const url = await freshDatabase();
    const result = await restoreStore({
      src: backup,
      dataDir: join(tmp('restore'), 'data'),
      databaseUrl: url,
    });
    expect(result.treeSize).toBeGreaterThanOrEqual(manifest.ledger.treeSize);
    expect(result.evidenceFiles).toBe(3);
    const restored = await openStore({ kind: 'postgres', url, schema });
    try {
      await expectExtends(restored, key, manifest);
    } finally {
      await restored.close();
    }
    await expect(
      restoreStore({ src: backup, dataDir: join(tmp('restore'), 'data'), databaseUrl: url }),
    ).rejects.toThrow(/already holds/);
  });

  it('refuses a dump with a changed ledger row, reading the dump before touching the database', async () => {
    await admin((c) =>
      c.query(`update ${schema}.ledger_leaves set at = '2020-01-01T00:00:00.000Z' where idx = 7`),
    );
    const second = join(work, 'b2');
    await backupStore({ store: app.store, dataDir, dest: second, databaseUrl: pgUrl!, schema });
    // The first backup's manifest with the changed dump swapped in, its hash updated to match.
    const copy = join(work, 'spliced');
    cpSync(backup, copy, { recursive: true });
    cpSync(join(second, 'guarantor.pgdump'), join(copy, 'guarantor.pgdump'));
    const m = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as BackupManifest;
    m.database = await hashFile(join(copy, 'guarantor.pgdump'), m.database.path);
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(m));
    const url = await freshDatabase();
    const problems = await refusal(
      restoreStore({ src: copy, dataDir: join(tmp('restore'), 'data'), databaseUrl: url, vkey: key.vkey }),
    );
    expect(problems[0]).toMatch(/ledger leaf 7 .* does not match its hash/);
    const target = new pg.Client({ connectionString: url });
    await target.connect();
    try {
      const r = await target.query(
        `select count(*)::int as n from information_schema.tables where table_schema = $1`,
        [schema],
      );
      expect(r.rows[0].n).toBe(0);
    } finally {
      await target.end();
    }
  });
});
