/**
 * The browser's ledger check against a real Guarantor (store, ledger, routes) through `inject`:
 * what verifies, what is pending, and that each kind of tampering (proof, leaf, checkpoint, key,
 * cosignature) is caught. Runs in node; the module itself must stay free of node: imports.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { appendLeaves } from '../../src/kernel/ledger/append.ts';
import { fromBase64, toBase64 } from '../../src/kernel/ledger/bytes.ts';
import { cosignatureSigner } from '../../src/kernel/ledger/checkpoint.ts';
import { nodeEd25519 } from '../../src/kernel/ledger/ed25519-node.ts';
import { commitmentOf, leafData } from '../../src/kernel/ledger/leaf.ts';
import { generateLogKey } from '../../src/kernel/ledger/log-key.ts';
import { parseNote, signNote } from '../../src/kernel/ledger/note.ts';
import { generateWitnessKey } from '../../src/kernel/ledger/witness-key.ts';
import { DIALECTS } from '../../src/kernel/store/test-dialects.ts';
import { aReport, startApp } from '../../test/harness.ts';
import {
  describeInclusion,
  InclusionChecker,
  type InclusionStatus,
  RECORD_KINDS,
  recordCommitment,
  recordLeafData,
} from './inclusion-check.ts';

type Rewrite = (path: string, res: Response) => Promise<Response> | Response;

describe('inclusion check against a real ledger', () => {
  let app: App;
  let reportId = '';
  let incidentId = '';
  let untouchedIncidentId = '';
  let size = 0;

  /** fetch for the checker, answered by the app; `rewrite` plays a server that lies. */
  function fetcher(rewrite?: Rewrite) {
    return async (path: string): Promise<Response> => {
      const res = await app.http.inject({ method: 'GET', url: path });
      const headers = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, String(v));
      const response = new Response(new Uint8Array(res.rawPayload), { status: res.statusCode, headers });
      return rewrite ? rewrite(path, response) : response;
    };
  }

  const check = (id: string, kinds: readonly string[], rewrite?: Rewrite) =>
    new InclusionChecker({ fetch: fetcher(rewrite) }).check({ id, kinds });

  /** Rewrites the JSON of answers whose path starts with `prefix`. */
  function editJson(prefix: string, edit: (body: Record<string, unknown>) => unknown): Rewrite {
    return async (path, res) => {
      if (!path.startsWith(prefix)) return res;
      const body = (await res.json()) as Record<string, unknown>;
      return Response.json(edit(body) ?? body, { status: res.status });
    };
  }

  function flipFirstByte(b64: string): string {
    const bytes = fromBase64(b64);
    bytes[0]! ^= 0x01;
    return toBase64(bytes);
  }

  beforeAll(async () => {
    app = await startApp(DIALECTS[0]!);
    const post = (url: string, payload: object) => app.http.inject({ method: 'POST', url, payload });
    const first = await post('/api/v1/reports', aReport());
    expect(first.statusCode).toBe(201);
    reportId = first.json().id;
    incidentId = first.json().incidentId;
    const far = await post(
      '/api/v1/reports',
      aReport({ event: { lon: 36.5, lat: 47.7 }, observer: { lon: 36.45, lat: 47.69 } }),
    );
    untouchedIncidentId = far.json().incidentId;
    expect(untouchedIncidentId).not.toBe(incidentId);
    const triaged = await post(`/api/v1/incidents/${incidentId}/transitions`, {
      to: 'triaged',
      reason: 'two sources agree',
      actor: 'Analyst A',
    });
    expect(triaged.statusCode).toBe(200);
    size = (await post('/api/v1/ledger/checkpoints', {})).json().size;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('verifies a report and an incident against the log-signed checkpoint, and says it is not witnessed', async () => {
    const report = await check(reportId, RECORD_KINDS.report);
    expect(report).toMatchObject({ state: 'verified', kind: 'report', contentChecked: false });
    if (report.state !== 'verified') throw new Error('unreachable');
    expect(report.checkpoint).toMatchObject({
      size,
      witnessed: false,
      quorum: 0,
      cosigners: [],
      unchecked: 0,
    });
    const text = describeInclusion(report);
    expect(text.label).toBe('Inclusion verified · not witnessed');
    expect(text.detail).toContain(`checkpoint of ${size} leaves`);
    expect(text.detail).toContain('no member witnesses are configured');
    expect(text.title).toContain(report.checkpoint.root);

    const incident = await check(incidentId, RECORD_KINDS.incident);
    expect(incident).toMatchObject({ state: 'verified', kind: 'incident.transition' });
  });

  it('is pending, not failed, for what the checkpoint does not hold yet', async () => {
    const untouched = await check(untouchedIncidentId, RECORD_KINDS.incident);
    expect(untouched).toMatchObject({ state: 'pending', code: 'not_in_checkpoint' });

    const late = await app.http.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: aReport({ event: { lon: 35.9, lat: 47.5 }, observer: { lon: 35.85, lat: 47.49 } }),
    });
    const lateId: string = late.json().id;
    const pending = await check(lateId, RECORD_KINDS.report);
    expect(pending).toMatchObject({ state: 'pending', code: 'not_in_checkpoint' });
    expect(describeInclusion(pending).label).toBe('Inclusion pending');

    // An incident changed after the checkpoint: its earlier leaf verifies, its latest is awaited.
    await app.http.inject({
      method: 'POST',
      url: `/api/v1/incidents/${incidentId}/transitions`,
      payload: { to: 'under_investigation', reason: 'imagery requested', actor: 'Analyst B' },
    });
    const changed = await check(incidentId, RECORD_KINDS.incident);
    expect(changed).toMatchObject({ state: 'pending', code: 'newer_change' });
  });

  it('fails when the proof, the leaf or the answer is tampered with', async () => {
    const cases: [string, Rewrite, RegExp][] = [
      [
        'proof',
        editJson('/api/v1/ledger/inclusion', (b) => {
          const leaf = b.leaf as { proof: string[] };
          leaf.proof[0] = flipFirstByte(leaf.proof[0]!);
        }),
        /does not lead to the checkpoint's root/,
      ],
      [
        'leaf hash',
        editJson('/api/v1/ledger/inclusion', (b) => {
          const leaf = b.leaf as { leafHash: string };
          leaf.leafHash = flipFirstByte(leaf.leafHash);
        }),
        /not this record's leaf/,
      ],
      [
        'commitment',
        editJson('/api/v1/ledger/inclusion', (b) => {
          const leaf = b.leaf as { commitment: string };
          leaf.commitment =
            `0${leaf.commitment.slice(1)}` === leaf.commitment
              ? `1${leaf.commitment.slice(1)}`
              : `0${leaf.commitment.slice(1)}`;
        }),
        /not this record's leaf/,
      ],
      [
        'leaf index',
        editJson('/api/v1/ledger/inclusion', (b) => {
          const leaf = b.leaf as { leafIndex: number };
          leaf.leafIndex = leaf.leafIndex === 0 ? 1 : leaf.leafIndex - 1;
        }),
        /does not lead to the checkpoint's root/,
      ],
      [
        'kind',
        editJson('/api/v1/ledger/inclusion', (b) => {
          (b.leaf as { kind: string }).kind = 'device';
        }),
        /not this record/,
      ],
      [
        'tree size',
        editJson('/api/v1/ledger/inclusion', (b) => ({ ...b, treeSize: size - 1 })),
        /not the checkpoint's/,
      ],
      [
        'record',
        editJson('/api/v1/ledger/inclusion', (b) => ({ ...b, id: 'someone-else' })),
        /another record/,
      ],
    ];
    for (const [what, rewrite, reason] of cases) {
      const status = await check(reportId, RECORD_KINDS.report, rewrite);
      expect(status.state, what).toBe('failed');
      expect(status.state === 'failed' && status.reason, what).toMatch(reason);
    }
    const failed = await check(reportId, RECORD_KINDS.report, cases[0]![1]);
    expect(describeInclusion(failed).label).toBe('Inclusion check failed');
  });

  it('fails when the checkpoint is not signed by the published key', async () => {
    const otherKey = generateLogKey(app.ledger.origin);
    const wrongKey: Rewrite = (path, res) =>
      path === '/ledger/vkey' ? new Response(`${otherKey.vkey}\n`) : res;
    expect(await check(reportId, RECORD_KINDS.report, wrongKey)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/checkpoint does not verify/),
    });
    const forgedRoot = editJson('/api/v1/ledger/checkpoint', (b) => {
      const [origin, n, root] = String(b.note).split('\n');
      return {
        ...b,
        note: String(b.note).replace(`${origin}\n${n}\n${root}`, `${origin}\n${n}\n${flipFirstByte(root!)}`),
      };
    });
    expect(await check(reportId, RECORD_KINDS.report, forgedRoot)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/checkpoint does not verify/),
    });
    const broken = (path: string, res: Response) =>
      path === '/api/v1/ledger/checkpoint' ? new Response('oops', { status: 503 }) : res;
    expect(await check(reportId, RECORD_KINDS.report, broken)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/answered 503/),
    });
  });

  describe('with member witnesses', () => {
    const fra = generateWitnessKey('witness.fra.invalid');
    const pol = generateWitnessKey('witness.pol.invalid');

    /** Plays a server whose witnesses cosigned its latest checkpoint. */
    function witnessed(quorum: number, cosigners: (typeof fra)[], tamper = false): Rewrite {
      return async (path, res) => {
        if (path === '/api/v1/ledger/witnesses') {
          return Response.json({
            quorum,
            witnesses: [fra, pol].map((w) => ({ name: w.name, vkey: w.vkey })),
          });
        }
        if (path !== '/api/v1/ledger/witnessed-checkpoint') return res;
        if (cosigners.length === 0) return Response.json({ code: 'not_found' }, { status: 404 });
        const latest = (await app.http.inject({ method: 'GET', url: '/api/v1/ledger/checkpoint' })).json();
        const note = parseNote(latest.note);
        const signers = cosigners.map((w) => cosignatureSigner(w.skey, nodeEd25519, () => Date.now() / 1000));
        let cosigned = signNote(note.text, signers, note.signatures);
        if (tamper) {
          const parsed = parseNote(cosigned);
          const last = parsed.signatures[parsed.signatures.length - 1]!;
          last.signature[20]! ^= 0x01;
          cosigned = signNote(parsed.text, [], parsed.signatures);
        }
        return Response.json({ ...latest, note: cosigned, cosigners: cosigners.map((w) => w.name), quorum });
      };
    }

    it('verifies against the checkpoint a quorum cosigned, naming the witnesses', async () => {
      const status = await check(reportId, RECORD_KINDS.report, witnessed(2, [fra, pol]));
      expect(status).toMatchObject({ state: 'verified' });
      if (status.state !== 'verified') throw new Error('unreachable');
      expect(status.checkpoint).toMatchObject({
        witnessed: true,
        quorum: 2,
        cosigners: ['witness.fra.invalid', 'witness.pol.invalid'],
      });
      const text = describeInclusion(status);
      expect(text.label).toBe('Inclusion verified · witnessed');
      expect(text.detail).toContain('cosigned by witness.fra.invalid, witness.pol.invalid (quorum 2)');
    });

    it('is pending before any checkpoint is witnessed, and fails short of the quorum or on a bad cosignature', async () => {
      expect(await check(reportId, RECORD_KINDS.report, witnessed(1, []))).toMatchObject({
        state: 'pending',
        code: 'no_witnessed_checkpoint',
      });
      expect(await check(reportId, RECORD_KINDS.report, witnessed(2, [fra]))).toMatchObject({
        state: 'failed',
        reason: expect.stringMatching(/short of the quorum of 2/),
      });
      expect(await check(reportId, RECORD_KINDS.report, witnessed(1, [fra, pol], true))).toMatchObject({
        state: 'failed',
        reason: expect.stringMatching(/invalid signature/),
      });
    });

    it('counts cosignatures from keys the server does not publish as unchecked, not as witnessed', async () => {
      const unpublished: Rewrite = async (path, res) => {
        if (path !== '/api/v1/ledger/checkpoint') return res;
        const latest = (await res.json()) as { note: string };
        const note = parseNote(latest.note);
        const signer = cosignatureSigner(fra.skey, nodeEd25519, () => Date.now() / 1000);
        return Response.json({ ...latest, note: signNote(note.text, [signer], note.signatures) });
      };
      const status = await check(reportId, RECORD_KINDS.report, unpublished);
      expect(status).toMatchObject({ state: 'verified', checkpoint: { witnessed: false, unchecked: 1 } });
      expect(describeInclusion(status).detail).toMatch(
        /not witnessed: .*1 cosignature from keys the server does not publish/,
      );
    });
  });

  it('opens a commitment when the salt and content are released', async () => {
    const content = { note: 'released to this reader', n: 1 };
    await app.store.transaction((trx) =>
      appendLeaves(trx, [{ kind: 'report', recordId: 'opened-1', content, at: '2026-11-01T00:00:00.000Z' }]),
    );
    await app.http.inject({ method: 'POST', url: '/api/v1/ledger/checkpoints' });
    const row = await app.store.db
      .selectFrom('ledger_leaves')
      .select(['salt', 'commitment'])
      .where('record_id', '=', 'opened-1')
      .executeTakeFirstOrThrow();
    const checker = new InclusionChecker({ fetch: fetcher() });
    const good = await checker.check({
      id: 'opened-1',
      kinds: ['report'],
      opening: { salt: row.salt, content },
    });
    expect(good).toMatchObject({ state: 'verified', contentChecked: true });
    expect(describeInclusion(good).title).toContain('The content shown matches');
    const bad = await checker.check({
      id: 'opened-1',
      kinds: ['report'],
      opening: { salt: row.salt, content: { ...content, n: 2 } },
    });
    expect(bad).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/not what the leaf commits to/),
    });
  });
});

describe('inclusion check, pure parts', () => {
  it('builds leaves and commitments exactly as append.ts does', () => {
    const at = '2026-11-30T12:00:00.000Z';
    const commitment = commitmentOf('00ff'.repeat(8), { b: [1, 'x'], a: 'é' });
    expect(recordCommitment('00ff'.repeat(8), { b: [1, 'x'], a: 'é' })).toBe(commitment);
    expect(recordLeafData('incident.transition', 'i-1', at, commitment)).toBe(
      leafData('incident.transition', 'i-1', at, commitment),
    );
  });

  it('says "checking" while a check runs', () => {
    const checking: InclusionStatus = { state: 'pending', code: 'checking', reason: 'checking' };
    expect(describeInclusion(checking).label).toBe('Checking the ledger…');
  });

  it('imports nothing from node: or the server, so it runs in the browser', () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/^import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
        else if (spec.startsWith('node:') || !spec.startsWith('@noble/')) bad.push(`${file}: ${spec}`);
      }
    };
    visit(fileURLToPath(new URL('./inclusion-check.ts', import.meta.url)));
    expect(bad).toEqual([]);
    expect([...seen].some((f) => f.endsWith('ed25519-portable.ts'))).toBe(true);
  });
});
