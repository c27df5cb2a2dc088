import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../http/api.ts';
import { buildServer } from '../http/server.ts';
import type { Store } from '../store/store.ts';
import { DIALECTS } from '../store/test-dialects.ts';
import { appendLeaves } from './append.ts';
import { fromBase64, utf8 } from './bytes.ts';
import { openCheckpoint } from './checkpoint.ts';
import { nodeEd25519 } from './ed25519-node.ts';
import { leafData } from './leaf.ts';
import { LedgerService } from './ledger-service.ts';
import { generateLogKey } from './log-key.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import { MerkleTree } from './merkle-tree.ts';
import { ed25519Verifier } from './note.ts';
import { ledgerRoutes } from './routes.ts';
import { parseEntryBundle } from './tiles.ts';
import { generateWitnessKey } from './witness-key.ts';

const dialect = DIALECTS[0]!;

describe(`ledger routes on ${dialect.name}`, () => {
  let store: Store;
  let http: FastifyInstance;
  const key = generateLogKey('routes.invalid/ledger');

  beforeAll(async () => {
    store = await dialect.open();
    const ledger = new LedgerService(store, key);
    http = await buildServer({
      api: new Api().add(...ledgerRoutes(ledger)),
      logger: pino({ level: 'silent' }),
    });
    await store.transaction((trx) =>
      appendLeaves(
        trx,
        Array.from({ length: 300 }, (_, i) => ({
          kind: 'report',
          recordId: `r-${i}`,
          content: { i },
          at: '2026-11-01T10:00:00.000Z',
        })),
      ),
    );
  });
  afterAll(async () => {
    await http?.close();
    await store?.close();
  });

  const get = (url: string) => http.inject({ method: 'GET', url });

  it('serves a signed checkpoint as JSON and as a tlog-tiles note', async () => {
    const made = await http.inject({ method: 'POST', url: '/api/v1/ledger/checkpoints' });
    expect(made.statusCode).toBe(201);
    const json = (await get('/api/v1/ledger/checkpoint')).json();
    expect(json).toMatchObject({ size: 300, root: made.json().root });
    const note = await get('/ledger/checkpoint');
    expect(note.headers['content-type']).toMatch(/^text\/plain/);
    expect(note.body).toBe(json.note);
    const vkey = (await get('/ledger/vkey')).body.trim();
    const opened = openCheckpoint(note.body, { origin: key.origin, log: ed25519Verifier(vkey, nodeEd25519) });
    expect(opened.checkpoint.size).toBe(300);
  });

  it('serves tiles and entry bundles that rebuild the checkpointed root', async () => {
    const cp = (await get('/api/v1/ledger/checkpoint')).json();
    const tree = new MerkleTree();
    for (const path of ['/ledger/tile/entries/000', '/ledger/tile/entries/001.p/44']) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(200);
      for (const e of parseEntryBundle(new Uint8Array(res.rawPayload))) tree.append(leafHash(e));
    }
    expect(tree.root()).toEqual(fromBase64(cp.root));
    const full = await get('/ledger/tile/0/000');
    expect(full.headers['cache-control']).toContain('immutable');
    expect(full.headers['content-type']).toBe('application/octet-stream');
    expect(new Uint8Array(full.rawPayload).subarray(32, 64)).toEqual(tree.nodeHash(0, 1));
    const partial = await get('/ledger/tile/1/000.p/1');
    expect(new Uint8Array(partial.rawPayload)).toEqual(tree.nodeHash(8, 0));
  });

  it('answers bad or absent tiles with problem+json 404, never 500', async () => {
    for (const path of [
      '/ledger/tile/0/001',
      '/ledger/tile/0/002',
      '/ledger/tile/1/000',
      '/ledger/tile/0/1',
      '/ledger/tile/0/000.p/256',
      '/ledger/tile/0/000.p/0',
      '/ledger/tile/99/000',
      '/ledger/tile/0/x999/x999/x999/x999/x999/999',
      '/ledger/tile/entries/001',
      '/ledger/tile/entries/x001/000',
      '/ledger/tile/abc/000',
    ]) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(404);
      expect(res.headers['content-type'], path).toMatch(/problem\+json/);
    }
  });

  it('gives proofs that verify, and 400 naming the parameter when out of range', async () => {
    const cp = (await get('/api/v1/ledger/checkpoint')).json();
    const root = fromBase64(cp.root);
    const inc = (await get('/api/v1/ledger/proofs/inclusion?index=257')).json();
    expect(inc.treeSize).toBe(300);
    verifyInclusion(257, 300, fromBase64(inc.leafHash), inc.proof.map(fromBase64), root);

    const rec = (await get('/api/v1/ledger/records/report/r-3')).json();
    expect(rec).toMatchObject({ kind: 'report', id: 'r-3', leafIndex: 3, treeSize: 300 });
    expect(fromBase64(rec.leafHash)).toEqual(
      leafHash(utf8(leafData('report', 'r-3', rec.at, rec.commitment))),
    );
    verifyInclusion(3, 300, fromBase64(rec.leafHash), rec.proof.map(fromBase64), root);
    expect(rec).not.toHaveProperty('salt');

    const small = (await http.inject({ method: 'POST', url: '/api/v1/ledger/checkpoints' })).json();
    const cons = (await get('/api/v1/ledger/proofs/consistency?from=100&to=300')).json();
    expect(cons.from).toBe(100);
    expect(small.size).toBe(300);
    const oldRoot = (await get('/api/v1/ledger/proofs/inclusion?index=0&size=100')).json();
    expect(oldRoot.treeSize).toBe(100);
    // Consistency needs the old root: recompute it from the entries.
    const tree = new MerkleTree();
    const bundle = parseEntryBundle(new Uint8Array((await get('/ledger/tile/entries/000')).rawPayload));
    for (const e of bundle.slice(0, 100)) tree.append(leafHash(e));
    verifyConsistency(100, 300, tree.root(), root, cons.proof.map(fromBase64));

    for (const [url, field] of [
      ['/api/v1/ledger/proofs/inclusion?index=300', 'index'],
      ['/api/v1/ledger/proofs/inclusion?index=0&size=301', 'size'],
      ['/api/v1/ledger/proofs/inclusion?index=-1', 'index'],
      ['/api/v1/ledger/proofs/inclusion?index=abc', 'index'],
      ['/api/v1/ledger/proofs/consistency?from=0&to=5', 'from'],
      ['/api/v1/ledger/proofs/consistency?from=6&to=5', 'from'],
      ['/api/v1/ledger/proofs/consistency?from=1&to=9999', 'to'],
    ] as const) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code, url).toBe('validation_failed');
      expect(res.json().field, url).toBe(field);
    }
    expect((await get('/api/v1/ledger/records/report/nope')).statusCode).toBe(404);
  });

  it("proves a record's latest leaf below a given size in one call, across the kinds it is written under", async () => {
    const cp = (await get('/api/v1/ledger/checkpoint')).json();
    const root = fromBase64(cp.root);
    const r7 = (await get(`/api/v1/ledger/inclusion?id=r-7&kinds=report&size=${cp.size}`)).json();
    expect(r7).toMatchObject({ id: 'r-7', treeSize: cp.size, laterLeafIndexes: [] });
    expect(r7.leaf).toMatchObject({ kind: 'report', leafIndex: 7 });
    const leaf = fromBase64(r7.leaf.leafHash);
    expect(leaf).toEqual(leafHash(utf8(leafData('report', 'r-7', r7.leaf.at, r7.leaf.commitment))));
    verifyInclusion(7, cp.size, leaf, r7.leaf.proof.map(fromBase64), root);
    // Against an older size the same call proves into that tree, or says the record is not in it.
    const old = (await get('/api/v1/ledger/inclusion?id=r-7&kinds=report&size=8')).json();
    expect(old.leaf.leafIndex).toBe(7);
    const before = (await get('/api/v1/ledger/inclusion?id=r-7&kinds=report&size=7')).json();
    expect(before).toMatchObject({ treeSize: 7, leaf: null });

    // An incident changes under several kinds; the latest leaf below the size wins.
    await store.transaction((trx) =>
      appendLeaves(
        trx,
        ['incident.transition', 'incident.split', 'incident.transition'].map((kind, i) => ({
          kind,
          recordId: 'inc-1',
          content: { i },
          at: '2026-11-02T10:00:00.000Z',
        })),
      ),
    );
    const made = (await http.inject({ method: 'POST', url: '/api/v1/ledger/checkpoints' })).json();
    const kinds = 'incident.transition,incident.split,incident.merged';
    const now = (await get(`/api/v1/ledger/inclusion?id=inc-1&kinds=${kinds}&size=${made.size}`)).json();
    expect(now.leaf).toMatchObject({ kind: 'incident.transition', leafIndex: made.size - 1 });
    verifyInclusion(
      made.size - 1,
      made.size,
      fromBase64(now.leaf.leafHash),
      now.leaf.proof.map(fromBase64),
      fromBase64(made.root),
    );
    const mid = (await get(`/api/v1/ledger/inclusion?id=inc-1&kinds=${kinds}&size=${made.size - 1}`)).json();
    expect(mid.leaf).toMatchObject({ kind: 'incident.split', leafIndex: made.size - 2 });
    // The later transition is known from the transition leaf below the size.
    expect(mid.laterLeafIndexes).toEqual([made.size - 1]);
    const none = (
      await get(`/api/v1/ledger/inclusion?id=inc-1&kinds=incident.merged&size=${made.size}`)
    ).json();
    expect(none.leaf).toBeNull();

    for (const [url, field] of [
      [`/api/v1/ledger/inclusion?id=r-1&kinds=report&size=${made.size + 1}`, 'size'],
      ['/api/v1/ledger/inclusion?id=r-1&kinds=&size=1', 'kinds'],
      ['/api/v1/ledger/inclusion?id=r-1&kinds=report,,x&size=1', 'kinds'],
      ['/api/v1/ledger/inclusion?id=r-1&kinds=report', 'size'],
      ['/api/v1/ledger/inclusion?kinds=report&size=1', 'id'],
    ] as const) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code, url).toBe('validation_failed');
      expect(String(res.json().field), url).toMatch(new RegExp(`^${field}`));
    }
  });

  it("publishes the configured witnesses' keys and quorum, and none when there are none", async () => {
    expect((await get('/api/v1/ledger/witnesses')).json()).toEqual({ quorum: 0, witnesses: [] });
    const witness = generateWitnessKey('witness.routes.invalid');
    const withWitnesses = await buildServer({
      api: new Api().add(
        ...ledgerRoutes(new LedgerService(store, key), {
          witnesses: { quorum: 1, witnesses: [{ name: witness.name, vkey: witness.vkey }] },
        }),
      ),
      logger: pino({ level: 'silent' }),
    });
    try {
      const res = await withWitnesses.inject({ method: 'GET', url: '/api/v1/ledger/witnesses' });
      expect(res.json()).toEqual({ quorum: 1, witnesses: [{ name: witness.name, vkey: witness.vkey }] });
      expect(JSON.stringify(res.json())).not.toContain('PRIVATE');
    } finally {
      await withWitnesses.close();
    }
  });
});
