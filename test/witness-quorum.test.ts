/**
 * Guarantor and member-state witnesses over real HTTP: checkpoints collect cosignatures until a
 * quorum is reached (with a witness down), witnesses follow the log as it grows, a witness ahead of
 * what the log remembers is caught up through its 409, and a forked log that shows the witnesses
 * another checkpoint of the same size cannot get it witnessed.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../src/kernel/http/api.ts';
import { buildServer } from '../src/kernel/http/server.ts';
import { appendLeaves } from '../src/kernel/ledger/append.ts';
import { cosignatureVerifier, openCheckpoint } from '../src/kernel/ledger/checkpoint.ts';
import { nodeEd25519 } from '../src/kernel/ledger/ed25519-node.ts';
import { LedgerService } from '../src/kernel/ledger/ledger-service.ts';
import { generateLogKey } from '../src/kernel/ledger/log-key.ts';
import { ed25519Verifier } from '../src/kernel/ledger/note.ts';
import { formatAddCheckpoint, Witness } from '../src/kernel/ledger/witness.ts';
import { parseWitnessPolicy, WitnessCollector } from '../src/kernel/ledger/witness-collector.ts';
import { loadOrCreateWitnessKey, type WitnessKey } from '../src/kernel/ledger/witness-key.ts';
import { startWitnessServer, type WitnessServer } from '../src/kernel/ledger/witness-server.ts';
import { FileWitnessState } from '../src/kernel/ledger/witness-state.ts';
import type { Store } from '../src/kernel/store/store.ts';
import { DIALECTS } from '../src/kernel/store/test-dialects.ts';

const logKey = generateLogKey('quorum-test.invalid/ledger');

interface RunningWitness {
  key: WitnessKey;
  server: WitnessServer;
  state: FileWitnessState;
  witness: Witness;
}

async function runWitness(dir: string, name: string): Promise<RunningWitness> {
  const key = loadOrCreateWitnessKey(join(dir, `${name}.key`), name);
  const state = FileWitnessState.open(join(dir, `${name}.state.json`));
  const witness = new Witness({
    skey: key.skey,
    logs: [{ origin: logKey.origin, vkeys: [logKey.vkey] }],
    ed25519: nodeEd25519,
    state,
  });
  return { key, state, witness, server: await startWitnessServer(witness) };
}

async function append(store: Store, n: number, tag: string): Promise<void> {
  await store.transaction((trx) =>
    appendLeaves(
      trx,
      Array.from({ length: n }, (_, i) => ({
        kind: 'report',
        recordId: `${tag}-${i}`,
        content: { tag, i },
        at: '2026-11-01T10:00:00.000Z',
      })),
    ),
  );
}

for (const dialect of DIALECTS) {
  describe(`witness quorum on ${dialect.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'guarantor-witness-'));
    let store: Store;
    let ledger: LedgerService;
    let fra: RunningWitness;
    let pol: RunningWitness;
    let collector: WitnessCollector;
    let http: FastifyInstance;
    const down = loadOrCreateWitnessKey(join(dir, 'down.key'), 'witness.fin.invalid');

    beforeAll(async () => {
      store = await dialect.open();
      ledger = new LedgerService(store, logKey);
      fra = await runWitness(dir, 'witness.fra.invalid');
      pol = await runWitness(dir, 'witness.pol.invalid');
      const policy = parseWitnessPolicy({
        quorum: 2,
        witnesses: [
          { vkey: fra.key.vkey, url: fra.server.url },
          // Nothing listens on port 9 here: a member state's witness that is down.
          { vkey: down.vkey, url: 'http://127.0.0.1:9' },
          { name: 'witness.pol.invalid', vkey: pol.key.vkey, url: `${pol.server.url}/` },
        ],
      });
      collector = new WitnessCollector(store, ledger, policy, { timeoutMs: 2000 });
      http = await buildServer({
        api: new Api().add(
          ...(await import('../src/kernel/ledger/witness-routes.ts')).witnessRoutes(collector),
        ),
        logger: pino({ level: 'silent' }),
      });
    });
    afterAll(async () => {
      await http?.close();
      await fra?.server.close();
      await pol?.server.close();
      fra?.state.close();
      pol?.state.close();
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps each witness key in a file only its owner can read', () => {
      expect(statSync(join(dir, 'witness.fra.invalid.key')).mode & 0o777).toBe(0o600);
    });

    it('has no witnessed checkpoint before a quorum cosigned one', async () => {
      const res = await http.inject({ method: 'GET', url: '/api/v1/ledger/witnessed-checkpoint' });
      expect(res.statusCode).toBe(404);
    });

    it('reaches a quorum of 2 of 3 with one witness down, and serves the cosigned checkpoint', async () => {
      await append(store, 40, 'a');
      const cp = await ledger.checkpoint();
      const outcome = await collector.collect();
      expect(outcome).toMatchObject({
        size: 40,
        witnessed: true,
        cosigners: ['witness.fra.invalid', 'witness.pol.invalid'],
      });
      expect(outcome?.failures.map((f) => f.witness)).toEqual(['witness.fin.invalid']);

      const res = await http.inject({ method: 'GET', url: '/api/v1/ledger/witnessed-checkpoint' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        size: 40,
        quorum: 2,
        cosigners: ['witness.fra.invalid', 'witness.pol.invalid'],
      });
      const opened = openCheckpoint(body.note, {
        origin: logKey.origin,
        log: ed25519Verifier(logKey.vkey, nodeEd25519),
        witnesses: [fra.key.vkey, pol.key.vkey, down.vkey].map((v) => cosignatureVerifier(v, nodeEd25519)),
      });
      expect(opened.cosignatures.map((c) => c.name).sort()).toEqual([
        'witness.fra.invalid',
        'witness.pol.invalid',
      ]);
      expect((await collector.cosigned(cp)).note).toBe(body.note);
    });

    it('submits each grown checkpoint with a consistency proof from what each witness last cosigned', async () => {
      await append(store, 300, 'b');
      await ledger.checkpoint();
      const outcome = await collector.collect();
      expect(outcome).toMatchObject({ size: 340, witnessed: true });
      expect((await fra.state.get(logKey.origin))?.size).toBe(340);
      expect((await pol.state.get(logKey.origin))?.size).toBe(340);
      // Asking again changes nothing and asks only the witness still missing.
      expect(await collector.collect()).toMatchObject({ size: 340, witnessed: true });
    });

    it('catches up a witness that is ahead of what the log remembers through its 409', async () => {
      const fin = await runWitness(dir, 'witness.fin.invalid');
      try {
        const forty = (await ledger.checkpointAt(40))!;
        // The witness cosigned size 40 earlier (the log lost that record, say).
        expect((await fin.witness.addCheckpoint(formatAddCheckpoint(0, [], forty.note))).status).toBe(200);
        const policy = parseWitnessPolicy({
          quorum: 1,
          witnesses: [{ vkey: fin.key.vkey, url: fin.server.url }],
        });
        const outcome = await new WitnessCollector(store, ledger, policy).collect();
        expect(outcome).toMatchObject({ size: 340, witnessed: true, failures: [] });
      } finally {
        await fin.server.close();
        fin.state.close();
      }
    });

    it('cannot get a forked log witnessed: another checkpoint of a witnessed size is refused', async () => {
      // The fork's own database can be any; SQLite opens fastest.
      const forkStore = await DIALECTS[0]!.open();
      try {
        const fork = new LedgerService(forkStore, logKey);
        await append(forkStore, 340, 'forged');
        const cp = await fork.checkpoint();
        expect(cp.size).toBe(340);
        const policy = parseWitnessPolicy({
          quorum: 2,
          witnesses: [
            { vkey: fra.key.vkey, url: fra.server.url },
            { vkey: pol.key.vkey, url: pol.server.url },
          ],
        });
        const outcome = await new WitnessCollector(forkStore, fork, policy).collect();
        expect(outcome).toMatchObject({ size: 340, witnessed: false, cosigners: [] });
        expect(outcome?.failures.map((f) => f.reason)).toEqual([
          expect.stringMatching(/different checkpoint of size 340/),
          expect.stringMatching(/different checkpoint of size 340/),
        ]);
        // Each witness kept the fork's signed checkpoint as evidence against the log.
        expect(fra.state.evidence.at(-1)?.body).toContain(cp.note);

        // Grown past the honest log, the fork still cannot extend what the witnesses saw.
        await append(forkStore, 5, 'forged-more');
        await fork.checkpoint();
        const later = await new WitnessCollector(forkStore, fork, policy).collect();
        expect(later?.witnessed).toBe(false);
        expect(later?.failures.map((f) => f.reason)).toEqual([
          expect.stringMatching(/422/),
          expect.stringMatching(/422/),
        ]);
        expect((await fra.state.get(logKey.origin))?.size).toBe(340);
      } finally {
        await forkStore.close();
      }
    });

    it("keeps the witness's state across a restart, and only one witness process per state", async () => {
      expect(() => FileWitnessState.open(join(dir, 'witness.fra.invalid.state.json'))).toThrow(/in use/);
      fra.state.close();
      const reopened = FileWitnessState.open(join(dir, 'witness.fra.invalid.state.json'));
      try {
        expect((await reopened.get(logKey.origin))?.size).toBe(340);
      } finally {
        reopened.close();
      }
    });
  });
}
