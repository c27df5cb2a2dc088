/**
 * Restore against the last witnessed checkpoint, with real member witnesses over HTTP, on SQLite and
 * (when TEST_DATABASE_URL names a server and pg_dump/pg_restore are on PATH) PostgreSQL:
 * a backup is verified against the checkpoint a quorum cosigned; a backup none cosigned is refused
 * unless that is accepted; a history rewritten by someone holding the log key, or a cosignature
 * edited, is refused whatever is accepted; and with no witnesses configured the restore says the
 * ledger is vouched for by the log key only.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendLeaves } from '../ledger/append.ts';
import { nodeEd25519 } from '../ledger/ed25519-node.ts';
import { LedgerService } from '../ledger/ledger-service.ts';
import { LOG_KEY_FILE, type LogKey, loadOrCreateLogKey } from '../ledger/log-key.ts';
import { Witness } from '../ledger/witness.ts';
import {
  loadWitnessPolicy,
  parseWitnessPolicy,
  WITNESS_CONFIG_FILE,
  WitnessCollector,
} from '../ledger/witness-collector.ts';
import { loadOrCreateWitnessKey, type WitnessKey } from '../ledger/witness-key.ts';
import { startWitnessServer, type WitnessServer } from '../ledger/witness-server.ts';
import { FileWitnessState } from '../ledger/witness-state.ts';
import { backupStore } from './backup.ts';
import type { BackupManifest } from './backup-manifest.ts';
import { pgToolsAvailable } from './backup-postgres.ts';
import { RestoreRefused, type RestoreResult, restoreStore } from './backup-restore.ts';
import { openStore, type Store } from './store.ts';

const ORIGIN = 'restore-witnessed.invalid/ledger';
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `guarantor-${name}-`));

interface RunningWitness {
  key: WitnessKey;
  server: WitnessServer;
  state: FileWitnessState;
}

async function runWitness(dir: string, name: string, log: LogKey): Promise<RunningWitness> {
  const key = loadOrCreateWitnessKey(join(dir, `${name}.key`), name);
  const state = FileWitnessState.open(join(dir, `${name}.state.json`));
  const witness = new Witness({
    skey: key.skey,
    logs: [{ origin: log.origin, vkeys: [log.vkey] }],
    ed25519: nodeEd25519,
    state,
  });
  return { key, state, server: await startWitnessServer(witness) };
}

async function append(store: Store, n: number, tag: string): Promise<void> {
  await store.transaction((trx) =>
    appendLeaves(
      trx,
      Array.from({ length: n }, (_, i) => ({
        kind: 'note',
        recordId: `${tag}-${i}`,
        content: { tag, i },
        at: '2026-11-01T10:00:00.000Z',
      })),
    ),
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

/** Where a dialect's stores live and where its backups are restored to. */
interface Place {
  name: string;
  open(dataDir: string): Promise<{ store: Store; backupOptions: { databaseUrl?: string; schema?: string } }>;
  /** A fresh, empty target: a data directory, and a database on PostgreSQL. */
  target(): Promise<{ dataDir: string; databaseUrl?: string }>;
  /** Whether a restored target holds a database at all. */
  hasDatabase(target: { dataDir: string; databaseUrl?: string }): Promise<boolean>;
  cleanup(): Promise<void>;
}

const sqlitePlace = (): Place => ({
  name: 'sqlite',
  async open(dataDir) {
    return {
      store: await openStore({ kind: 'sqlite', file: join(dataDir, 'guarantor.sqlite') }),
      backupOptions: {},
    };
  },
  async target() {
    return { dataDir: join(tmp('restore'), 'data') };
  },
  async hasDatabase(t) {
    return existsSync(join(t.dataDir, 'guarantor.sqlite'));
  },
  async cleanup() {},
});

const pgUrl = process.env.TEST_DATABASE_URL;
const pgReady = pgUrl !== undefined && (await pgToolsAvailable());
if (!pgReady) {
  console.info(
    'backup-witnessed.test.ts: skipping PostgreSQL: ' +
      (pgUrl === undefined ? 'TEST_DATABASE_URL is not set' : 'pg_dump/pg_restore are not on PATH'),
  );
}

/**
 * Each store in a database of its own, not a schema of the test database: Kysely's migrator looks
 * for its lock table in every schema it can see, so a second live store in another schema of the
 * same database finds the first one's and never makes its own.
 */
function postgresPlace(url: string): Place {
  const databases: string[] = [];
  const admin = async <T>(work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };
  const urlOf = (name: string) => {
    const u = new URL(url);
    u.pathname = `/${name}`;
    return u.href;
  };
  const fresh = async () => {
    const name = `guarantor_witnessed_${randomBytes(5).toString('hex')}`;
    await admin((c) => c.query(`create database ${name}`));
    databases.push(name);
    return name;
  };
  return {
    name: 'postgres',
    async open() {
      const name = await fresh();
      return {
        store: await openStore({ kind: 'postgres', url: urlOf(name) }),
        backupOptions: { databaseUrl: urlOf(name) },
      };
    },
    async target() {
      return { dataDir: join(tmp('restore'), 'data'), databaseUrl: urlOf(await fresh()) };
    },
    async hasDatabase(t) {
      const c = new pg.Client({ connectionString: t.databaseUrl });
      await c.connect();
      try {
        const r = await c.query(
          `select count(*)::int as n from information_schema.tables where table_name = 'ledger_leaves'`,
        );
        return r.rows[0].n > 0;
      } finally {
        await c.end();
      }
    },
    async cleanup() {
      await admin(async (c) => {
        for (const d of databases) await c.query(`drop database if exists ${d} with (force)`);
      });
    },
  };
}

const PLACES: Place[] = [sqlitePlace(), ...(pgReady ? [postgresPlace(pgUrl!)] : [])];

for (const place of PLACES) {
  describe(`restore against the last witnessed checkpoint (${place.name})`, () => {
    const work = tmp('witnessed');
    const key = loadOrCreateLogKey(join(work, 'key'), ORIGIN);
    const stores: Store[] = [];
    let fra: RunningWitness;
    let pol: RunningWitness;
    let witnessesJson: string;
    const down = loadOrCreateWitnessKey(join(work, 'down.key'), 'witness.fin.invalid');

    /** A data directory with the log key and, unless told otherwise, the member witnesses. */
    function dataDir(name: string, withWitnesses = true): string {
      const dir = join(work, name);
      loadOrCreateLogKey(dir, ORIGIN);
      copyFileSync(join(work, 'key', LOG_KEY_FILE), join(dir, LOG_KEY_FILE));
      if (withWitnesses) writeFileSync(join(dir, WITNESS_CONFIG_FILE), witnessesJson);
      return dir;
    }

    async function open(dir: string) {
      const opened = await place.open(dir);
      stores.push(opened.store);
      return { ...opened, ledger: new LedgerService(opened.store, key) };
    }

    async function backup(
      dir: string,
      s: Awaited<ReturnType<typeof open>>,
    ): Promise<{ dest: string; manifest: BackupManifest }> {
      const dest = join(work, `${dir.split('/').pop()}-backup-${randomBytes(3).toString('hex')}`);
      const manifest = await backupStore({ store: s.store, dataDir: dir, dest, ...s.backupOptions });
      return { dest, manifest };
    }

    async function restore(src: string, extra: Partial<Parameters<typeof restoreStore>[0]> = {}) {
      const t = await place.target();
      return { target: t, work: restoreStore({ src, ...t, vkey: key.vkey, ...extra }) };
    }

    let honest: { dest: string; manifest: BackupManifest };
    let honestWitnessed: { size: number; note: string };

    beforeAll(async () => {
      fra = await runWitness(work, 'witness.fra.invalid', key);
      pol = await runWitness(work, 'witness.pol.invalid', key);
      witnessesJson = JSON.stringify({
        quorum: 2,
        witnesses: [
          { vkey: fra.key.vkey, url: fra.server.url },
          // Nothing listens on port 9: a member state's witness that is down.
          { vkey: down.vkey, url: 'http://127.0.0.1:9' },
          { vkey: pol.key.vkey, url: pol.server.url },
        ],
      });
      const dir = dataDir('honest');
      const s = await open(dir);
      const collector = new WitnessCollector(s.store, s.ledger, loadWitnessPolicy(dir)!, { timeoutMs: 2000 });
      await append(s.store, 40, 'a');
      await s.ledger.checkpoint();
      expect(await collector.collect()).toMatchObject({ size: 40, witnessed: true });
      // Grown and signed since, not yet witnessed: the usual state of a live log.
      await append(s.store, 25, 'b');
      await s.ledger.checkpoint();
      honest = await backup(dir, s);
      const w = await collector.latestWitnessed();
      honestWitnessed = { size: w!.size, note: w!.note };
    });

    afterAll(async () => {
      for (const s of stores) await s.close();
      await fra?.server.close();
      await pol?.server.close();
      fra?.state.close();
      pol?.state.close();
      await place.cleanup();
      rmSync(work, { recursive: true, force: true });
    });

    it('records the witnesses and the last witnessed checkpoint in the backup', () => {
      expect(honest.manifest.witnesses?.path).toBe('witnesses.json');
      expect(honest.manifest.ledger.witnessed).toMatchObject({ size: 40, cosigners: 2 });
      expect(honest.manifest.ledger.checkpoint?.size).toBe(65);
      expect(honest.manifest.warnings).toEqual([]);
    });

    it('verifies the restored ledger against the checkpoint a quorum of the witnesses cosigned', async () => {
      const { target, work: restoring } = await restore(honest.dest);
      const result = await restoring;
      expect(result.witnessed).toEqual({
        size: 40,
        cosigners: ['witness.fra.invalid', 'witness.pol.invalid'],
        quorum: 2,
        of: 3,
      });
      expect(result.witnessPolicy).toBe('backup');
      const notes = result.notes.join('\n');
      expect(notes).toMatch(
        /witnesses named in the backup \(2 of witness\.fra\.invalid, witness\.fin\.invalid/,
      );
      expect(notes).toMatch(/leaves 40 to 64 come after the last witnessed checkpoint/);
      // The restored server goes on asking the same witnesses.
      expect(readFileSync(join(target.dataDir, WITNESS_CONFIG_FILE), 'utf8')).toBe(witnessesJson);

      const given = await (
        await restore(honest.dest, { witnesses: parseWitnessPolicy(JSON.parse(witnessesJson)) })
      ).work;
      expect(given.witnessPolicy).toBe('given');
      expect(given.witnessed?.size).toBe(40);
      expect(given.notes.join('\n')).not.toMatch(/named in the backup/);
    });

    it('refuses a backup no quorum cosigned unless --accept-unwitnessed, saying why', async () => {
      const dir = dataDir('unwitnessed');
      const s = await open(dir);
      await append(s.store, 12, 'c');
      await s.ledger.checkpoint();
      const b = await backup(dir, s);
      expect(b.manifest.warnings.join('\n')).toMatch(/no checkpoint has been witnessed yet/);

      const { target, work: refused } = await restore(b.dest);
      const problems = await refusal(refused);
      expect(problems).toEqual([
        expect.stringMatching(
          /^no checkpoint in the backup was cosigned by a quorum of the configured witnesses \(2 of witness\.fra\.invalid, witness\.fin\.invalid, witness\.pol\.invalid\).*--accept-unwitnessed/,
        ),
      ]);
      expect(await place.hasDatabase(target)).toBe(false);

      const accepted: RestoreResult = await (await restore(b.dest, { acceptUnwitnessed: true })).work;
      expect(accepted.witnessed).toBeNull();
      expect(accepted.notes.join('\n')).toMatch(
        /restored WITHOUT a witnessed checkpoint \(--accept-unwitnessed\)/,
      );
    });

    it('refuses a history rewritten with the log key, and an edited cosignature, whatever is accepted', async () => {
      // Someone with the log key builds another ledger of the same size and signs it, and copies
      // the honest witnessed checkpoint in beside it: the witnesses never cosigned this root.
      const dir = dataDir('forged');
      const s = await open(dir);
      await append(s.store, 40, 'forged');
      await s.ledger.checkpoint();
      await s.store.db
        .insertInto('ledger_witnessed')
        .values({ ...honestWitnessed, cosigners: 2, witnessed_at: '2026-11-01T10:01:00.000Z' })
        .execute();
      const forged = await backup(dir, s);
      const problems = await refusal((await restore(forged.dest, { acceptUnwitnessed: true })).work);
      expect(problems).toEqual([
        "the ledger's first 40 leaves do not hash to the root that witnesses witness.fra.invalid, witness.pol.invalid cosigned: this is not the history they saw",
      ]);

      // The honest ledger with one cosignature altered.
      const edited = join(work, 'edited');
      const dir2 = dataDir('edited-data');
      const s2 = await open(dir2);
      await append(s2.store, 40, 'a');
      await s2.ledger.checkpoint();
      const lines = honestWitnessed.note.split('\n');
      const last = lines.length - 2;
      const sig = Buffer.from(lines[last]!.split(' ').pop()!, 'base64');
      sig[sig.length - 1]! ^= 1;
      lines[last] = `${lines[last]!.split(' ').slice(0, -1).join(' ')} ${sig.toString('base64')}`;
      await s2.store.db
        .insertInto('ledger_witnessed')
        .values({ size: 40, note: lines.join('\n'), cosigners: 2, witnessed_at: '2026-11-01T10:01:00.000Z' })
        .execute();
      const b2 = await backupStore({ store: s2.store, dataDir: dir2, dest: edited, ...s2.backupOptions });
      expect(b2.ledger.witnessed?.size).toBe(40);
      const editedProblems = await refusal((await restore(edited, { acceptUnwitnessed: true })).work);
      expect(editedProblems[0]).toMatch(
        /^the witnessed checkpoint at size 40 carries a signature that does not verify \(invalid signature for key witness\.pol\.invalid/,
      );
    });

    it('says the checkpoint is only log-signed when no witnesses are configured', async () => {
      const dir = dataDir('no-witnesses', false);
      const s = await open(dir);
      await append(s.store, 7, 'd');
      await s.ledger.checkpoint();
      const b = await backup(dir, s);
      expect(b.manifest.witnesses).toBeNull();
      const result = await (await restore(b.dest)).work;
      expect(result.witnessPolicy).toBeNull();
      expect(result.witnessed).toBeNull();
      expect(result.notes.join('\n')).toMatch(
        /no witnesses are configured: the ledger was verified against the checkpoint signed by the log key only/,
      );
    });
  });
}
