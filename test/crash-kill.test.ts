/**
 * Nothing lost: the real server, as a child process, takes a bulk ingest (NDJSON batches and single
 * submissions) and is killed with SIGKILL at random moments, then restarted, again and again. At the
 * end every report the server acknowledged is stored exactly once, no record is half-written (each
 * report has its incident and exactly one ledger leaf, leaf indexes are dense), and the ledger
 * extends every checkpoint a member state could have fetched before each kill.
 *
 * Size and kills: GUARANTOR_CRASH_REPORTS (default 100000), GUARANTOR_CRASH_KILLS (default 20),
 * GUARANTOR_CRASH_SEED for the random kill points.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBenchReports } from '../bench/generate.ts';
import { fromBase64 } from '../src/kernel/ledger/bytes.ts';
import { openCheckpoint } from '../src/kernel/ledger/checkpoint.ts';
import { verifyConsistency } from '../src/kernel/ledger/merkle.ts';
import { seeded } from '../src/kernel/seeded-random.ts';
import { type LeafRow, logVerifier, rebuildTree } from '../src/kernel/store/backup-ledger.ts';
import { secretariatTokenFor } from './harness.ts';

const REPORTS = Number(process.env.GUARANTOR_CRASH_REPORTS ?? 100_000);
const KILLS = Number(process.env.GUARANTOR_CRASH_KILLS ?? 20);
const SEED = Number(process.env.GUARANTOR_CRASH_SEED ?? Date.now() % 1_000_000);
const BATCH = 500;
/** Every this-many-th batch goes as single submissions instead of one import. */
const SINGLES_EVERY = 25;
// Alone on 2 cores it takes about 100 s; the margin is for running beside the rest of the suite.
const DEADLINE_MS = 280_000;
const REPO = resolve(fileURLToPath(import.meta.url), '../..');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SeenCheckpoint {
  size: number;
  root: string;
  note: string;
}

/** The server child process: started, killed, restarted on the same data directory. */
class Server {
  private child: ChildProcess | undefined;
  port = 0;
  /** Bumped at every kill; a request that failed waits for the next generation to be up. */
  generation = 0;
  up = false;
  private tail: string[] = [];

  constructor(private readonly dataDir: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  log(): string {
    return this.tail.join('');
  }

  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      ['bin/guarantor.js', 'serve', '--data', this.dataDir, '--port', '0', '--demo', 'off'],
      {
        cwd: REPO,
        // One client sends everything from one address; the limits are not what this test is about.
        env: {
          ...process.env,
          LOG_LEVEL: 'info',
          GUARANTOR_DEMO: 'off',
          GUARANTOR_CHECKPOINT_INTERVAL: '1',
          GUARANTOR_RATE_LIMIT: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const keep = (d: Buffer) => {
      this.tail.push(d.toString());
      if (this.tail.length > 40) this.tail.shift();
    };
    child.stderr!.on('data', keep);
    this.port = await new Promise<number>((res, rej) => {
      let buf = '';
      const timer = setTimeout(() => rej(new Error(`the server did not start:\n${this.log()}`)), 30_000);
      child.once('exit', (code) => rej(new Error(`the server exited with ${code}:\n${this.log()}`)));
      child.stdout!.on('data', (d: Buffer) => {
        keep(d);
        if (this.port !== 0 && this.child === child) return;
        buf += d.toString();
        const m = /Guarantor is serving at http:\/\/127\.0\.0\.1:(\d+)/.exec(buf);
        if (m) {
          clearTimeout(timer);
          res(Number(m[1]));
        }
      });
    });
    this.up = true;
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.up = false;
    this.generation++;
    this.port = 0;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await Promise.race([exited, sleep(20_000)]);
  }
}

describe('a server killed during bulk ingest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guarantor-crash-'));
  const dataDir = join(dir, 'data');
  const server = new Server(dataDir);

  afterAll(async () => {
    await server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `loses no acknowledged report and keeps the ledger consistent across ${KILLS} kills`,
    async () => {
      const started = Date.now();
      const deadline = started + DEADLINE_MS;
      const rnd = seeded(SEED).next;
      const file = join(dir, 'reports.ndjson');
      // The generator writes about the count asked for; ask for a little more and take exactly REPORTS.
      await writeBenchReports(file, Math.ceil(REPORTS * 1.05) + 10);
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, REPORTS);
      expect(lines.length).toBe(REPORTS);
      const ids = lines.map((l) => (JSON.parse(l) as { clientInstanceId: string }).clientInstanceId);
      const batches: number[][] = [];
      for (let i = 0; i < lines.length; i += BATCH) {
        batches.push(Array.from({ length: Math.min(BATCH, lines.length - i) }, (_, k) => i + k));
      }

      // The secretariat's token, provisioned in the data directory before the server first starts.
      const token = await secretariatTokenFor(dataDir);
      const auth = { authorization: `Bearer ${token}` };
      await server.start();
      const acknowledged = new Set<string>();
      const seen: SeenCheckpoint[] = [];
      let requests = 0;
      let failedRequests = 0;

      /** Sends until the server acknowledges; a failed request (the server died) is retried later. */
      async function untilAcknowledged(send: () => Promise<boolean>): Promise<void> {
        for (let attempt = 0; attempt < 100; attempt++) {
          if (Date.now() > deadline) throw new Error('the crash test ran past its deadline');
          if (!server.up) {
            await sleep(20);
            attempt--;
            continue;
          }
          requests++;
          try {
            if (await send()) return;
          } catch (e) {
            if (!(e instanceof TypeError || (e as Error).name === 'TimeoutError')) throw e;
          }
          failedRequests++;
          await sleep(20);
        }
        throw new Error('a batch was never acknowledged in 100 attempts');
      }

      async function sendImport(batch: number[]): Promise<void> {
        const body = `${batch.map((i) => lines[i]).join('\n')}\n`;
        await untilAcknowledged(async () => {
          const res = await fetch(`${server.url}/api/v1/reports/import`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson', ...auth },
            body,
            signal: AbortSignal.timeout(30_000),
          });
          if (res.status !== 200) throw new Error(`import answered ${res.status}: ${await res.text()}`);
          const s = (await res.json()) as { accepted: number; duplicates: number; rejected: number };
          if (s.rejected !== 0) throw new Error(`import rejected rows: ${JSON.stringify(s).slice(0, 500)}`);
          if (s.accepted + s.duplicates !== batch.length) return false;
          for (const i of batch) acknowledged.add(ids[i]!);
          return true;
        });
      }

      async function sendSingles(batch: number[]): Promise<void> {
        let next = 0;
        const worker = async () => {
          for (let k = next++; k < batch.length; k = next++) {
            const i = batch[k]!;
            await untilAcknowledged(async () => {
              const res = await fetch(`${server.url}/api/v1/reports`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', ...auth },
                body: lines[i],
                signal: AbortSignal.timeout(30_000),
              });
              if (res.status !== 201 && res.status !== 200) {
                throw new Error(`submission answered ${res.status}: ${await res.text()}`);
              }
              acknowledged.add(ids[i]!);
              return true;
            });
          }
        };
        await Promise.all(Array.from({ length: 8 }, worker));
      }

      let startedBatches = 0;
      let ingestDone = false;
      const ingest = (async () => {
        let next = 0;
        const worker = async () => {
          for (let b = next++; b < batches.length; b = next++) {
            startedBatches++;
            if (b % SINGLES_EVERY === SINGLES_EVERY - 1) await sendSingles(batches[b]!);
            else await sendImport(batches[b]!);
          }
        };
        await Promise.all([worker(), worker()]);
        ingestDone = true;
      })();

      // Kill points spread over the ingest; each kill lands a random few milliseconds after a
      // checkpoint was fetched, so it can hit a request, a commit, a tree extension or a checkpoint.
      const killAt = Array.from({ length: KILLS }, () => Math.floor(rnd() * batches.length * 0.95)).sort(
        (a, b) => a - b,
      );
      let kills = 0;
      const killer = (async () => {
        for (const at of killAt) {
          while (startedBatches < at && !ingestDone) {
            if (Date.now() > deadline) throw new Error('the crash test ran past its deadline');
            await sleep(5);
          }
          const res = await fetch(`${server.url}/api/v1/ledger/checkpoint`);
          expect(res.status).toBe(200);
          seen.push((await res.json()) as SeenCheckpoint);
          await sleep(rnd() * 150);
          await server.kill('SIGKILL');
          kills++;
          await server.start();
        }
      })();
      await Promise.all([ingest, killer]);

      // The final state, as a member state would check it over HTTP.
      const vkey = await (await fetch(`${server.url}/ledger/vkey`)).text();
      const verifier = logVerifier(vkey);
      const finalRes = await fetch(`${server.url}/api/v1/ledger/checkpoints`, {
        method: 'POST',
        headers: auth,
      });
      expect(finalRes.status).toBe(201);
      const final = (await finalRes.json()) as SeenCheckpoint;
      openCheckpoint(final.note, { origin: verifier.origin, log: verifier });
      for (const c of seen) {
        openCheckpoint(c.note, { origin: verifier.origin, log: verifier });
        if (c.size === 0) continue;
        const p = (await (
          await fetch(`${server.url}/api/v1/ledger/proofs/consistency?from=${c.size}&to=${final.size}`)
        ).json()) as { proof: string[] };
        expect(() =>
          verifyConsistency(
            c.size,
            final.size,
            fromBase64(c.root),
            fromBase64(final.root),
            p.proof.map(fromBase64),
          ),
        ).not.toThrow();
      }
      await server.kill('SIGTERM');

      expect(kills).toBe(KILLS);
      expect(acknowledged.size).toBe(REPORTS);

      const db = new SQLite(join(dataDir, 'guarantor.sqlite'), { readonly: true });
      try {
        const stored = db.prepare('select id, client_instance_id, incident_id from reports').all() as {
          id: string;
          client_instance_id: string;
          incident_id: string | null;
        }[];
        const perKey = new Map<string, number>();
        for (const r of stored) perKey.set(r.client_instance_id, (perKey.get(r.client_instance_id) ?? 0) + 1);
        expect([...perKey].filter(([, n]) => n > 1)).toEqual([]);
        expect([...acknowledged].filter((id) => !perKey.has(id))).toEqual([]);
        expect(stored.length).toBe(REPORTS);

        const orphans = db
          .prepare(
            'select count(*) as n from reports r left join incidents i on i.id = r.incident_id where i.id is null',
          )
          .get() as { n: number };
        expect(orphans.n).toBe(0);

        const reportLeaves = new Map<string, number>();
        for (const l of db
          .prepare("select record_id from ledger_leaves where kind = 'report'")
          .iterate() as Iterable<{
          record_id: string;
        }>) {
          reportLeaves.set(l.record_id, (reportLeaves.get(l.record_id) ?? 0) + 1);
        }
        expect(stored.filter((r) => reportLeaves.get(r.id) !== 1).length).toBe(0);
        expect(reportLeaves.size).toBe(stored.length);

        const span = db
          .prepare('select min(idx) as lo, max(idx) as hi, count(*) as n from ledger_leaves')
          .get() as {
          lo: number;
          hi: number;
          n: number;
        };
        expect(span.lo).toBe(0);
        expect(span.hi).toBe(span.n - 1);

        // Independently of the server's tiles: the leaves rebuild every root that was signed.
        const { tree, problems } = await rebuildTree(
          db
            .prepare('select idx, kind, record_id, leaf_hash, commitment, at from ledger_leaves order by idx')
            .iterate() as Iterable<LeafRow>,
        );
        expect(problems).toEqual([]);
        // The final checkpoint's own request is written to the access trail after it: one leaf more.
        expect(tree.size).toBe(final.size + 1);
        for (const c of [...seen, final]) {
          expect(Buffer.from(tree.root(c.size)).toString('base64')).toBe(c.root);
        }
      } finally {
        db.close();
      }
      console.info(
        `crash test: ${REPORTS} reports, ${kills} kills (seed ${SEED}), ${requests} requests of which ` +
          `${failedRequests} failed and were retried, ${seen.length} checkpoints extended, ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    },
    DEADLINE_MS + 40_000,
  );
});
