import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport } from '../../../test/harness.ts';
import { createServices } from '../../app.ts';
import { Api } from '../../kernel/http/api.ts';
import { buildServer } from '../../kernel/http/server.ts';
import { commitmentOf, leafData, leafHash } from '../../kernel/ledger/leaf.ts';
import type { Store } from '../../kernel/store/store.ts';
import { DIALECTS } from '../../kernel/store/test-dialects.ts';
import { reportInputSchema } from '../report-schema.ts';
import { buildTiff, multipart, type Part, png, readTar } from './evidence.fixture.ts';
import {
  custodyLeafContent,
  derivedLeafContent,
  failureLeafContent,
  itemLeafContent,
} from './evidence-model.ts';
import type { EvidenceDetail } from './evidence-service.ts';
import { EvidenceService } from './evidence-service.ts';
import { evidenceRoutes } from './routes.ts';

const C2PA = 'test/fixtures/vectors/c2pa';
const recorded = (
  JSON.parse(readFileSync(`${C2PA}/results.json`, 'utf8')) as {
    results: { file: string; validation_state?: string; failure_codes?: string }[];
  }
).results;
const MAX = 300 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out = e.isDirectory() ? out.concat(filesUnder(p)) : out.concat(p);
  }
  return out;
}

for (const dialect of DIALECTS) {
  describe(`evidence API (${dialect.name})`, () => {
    let store: Store;
    let http: FastifyInstance;
    let dir: string;
    let service: EvidenceService;
    let reportId: string;

    beforeAll(async () => {
      store = await dialect.open();
      dir = mkdtempSync(join(tmpdir(), 'guarantor-evidence-'));
      service = new EvidenceService(store, { dir, maxBytes: MAX });
      http = await buildServer({
        api: new Api().add(...evidenceRoutes(service)),
        logger: pino({ level: 'silent' }),
      });
      const { report } = await createServices(store).reports.submit(reportInputSchema.parse(aReport()));
      reportId = report.id;
    });

    afterAll(async () => {
      await http.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function upload(parts: Part[], actor = 'monitor FRA-7', id = reportId) {
      const { payload, contentType } = multipart(parts);
      return http.inject({
        method: 'POST',
        url: `/api/v1/reports/${id}/evidence`,
        payload,
        headers: { 'content-type': contentType, 'x-guarantor-actor': actor },
      });
    }

    async function counts() {
      const n = async (t: 'evidence_items' | 'evidence_custody' | 'evidence_derived' | 'ledger_leaves') =>
        Number(
          (
            await store.db
              .selectFrom(t)
              .select(({ fn }) => fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return {
        items: await n('evidence_items'),
        custody: await n('evidence_custody'),
        derived: await n('evidence_derived'),
        leaves: await n('ledger_leaves'),
        files: filesUnder(dir).length,
      };
    }

    async function leafOf(kind: string, recordId: string) {
      return store.db
        .selectFrom('ledger_leaves')
        .selectAll()
        .where('kind', '=', kind)
        .where('record_id', '=', recordId)
        .executeTakeFirstOrThrow();
    }

    function itemPart(d: EvidenceDetail) {
      const { custody: _c, derived: _d, derivationFailures: _f, thumbnail: _t, ledger: _l, ...item } = d;
      return item;
    }

    it('stores each C2PA sample under its hash with the recorded credential result and a ledger leaf', async () => {
      for (const r of recorded.filter((x) => !x.file.includes(' '))) {
        const bytes = readFileSync(`${C2PA}/${r.file}`);
        const res = await upload([{ name: 'file', filename: r.file, type: 'image/jpeg', data: bytes }]);
        expect(res.statusCode, res.body).toBe(201);
        const item = res.json() as EvidenceDetail;
        expect(item).toMatchObject({
          reportId,
          sha256: sha(bytes),
          size: bytes.length,
          mediaType: 'image/jpeg',
        });
        expect(item.uploadedBy).toBe('monitor FRA-7');
        // No trust anchors are configured here: a valid manifest's signer is shown as untrusted.
        expect(item.c2pa.verdict).toBe(
          r.validation_state === 'Valid' ? 'untrusted' : r.validation_state ? 'invalid' : 'none',
        );
        if (r.validation_state) {
          expect(item.c2pa.validationState).toBe(r.validation_state);
          expect(`[${item.c2pa.failureCodes.join(',')}]`).toBe(r.failure_codes);
          expect(item.c2pa.signer?.trusted).toBe(false);
        } else {
          expect(item.c2pa.state).toBe('none');
        }
        const stored = join(dir, 'sha256', item.sha256.slice(0, 2), item.sha256.slice(2, 4), item.sha256);
        expect(sha(readFileSync(stored))).toBe(item.sha256);
        expect(statSync(stored).mode & 0o222).toBe(0);

        // The evidence leaf commits to the stored record, SHA-256 included.
        const leaf = await leafOf('evidence', item.id);
        expect(leaf.commitment).toBe(commitmentOf(leaf.salt, itemLeafContent(itemPart(item))));
        expect(leaf.leaf_hash).toBe(leafHash(leafData('evidence', item.id, leaf.at, leaf.commitment)));
        const received = item.custody.find((c) => c.event === 'received');
        expect(received).toMatchObject({ actor: 'monitor FRA-7', details: { sha256: item.sha256 } });
        const custodyLeaf = await leafOf('evidence.custody', received!.id);
        expect(custodyLeaf.commitment).toBe(
          commitmentOf(custodyLeaf.salt, custodyLeafContent(received!, item.sha256)),
        );
        expect(item.ledger.map((l) => l.recordId)).toContain(item.id);
      }
    });

    it('keeps the camera thumbnail as a separate derived copy, recorded with the source hash', async () => {
      const bytes = readFileSync(`${C2PA}/no_manifest.jpg`);
      const list = await http.inject({ url: `/api/v1/reports/${reportId}/evidence` });
      const id = (list.json() as { items: EvidenceDetail[] }).items.find((i) => i.sha256 === sha(bytes))!.id;
      const item = (await http.inject({ url: `/api/v1/evidence/${id}` })).json() as EvidenceDetail;
      expect(item.capture.capturedAt).toBe('2022-11-07T14:20:13-08:00');
      // The camera's own thumbnail, and the one rendered here from the stored bytes.
      expect(item.derived.map((d) => d.method)).toEqual(['exif-embedded', 'rendered']);
      const copy = item.derived[0]!;
      expect(copy).toMatchObject({ purpose: 'thumbnail', method: 'exif-embedded', mediaType: 'image/jpeg' });
      expect(copy.sha256).not.toBe(item.sha256);
      expect(item.custody.find((c) => c.event === 'derived')?.details).toMatchObject({
        sourceSha256: item.sha256,
        sha256: copy.sha256,
      });
      // The embedded one may show the picture before an edit: it is never served as the thumbnail.
      expect(item.thumbnail).toMatchObject({ available: true, derivedId: item.derived[1]!.id });
      await leafOf('evidence.derived', copy.id);
      const thumb = await http.inject({ url: `/api/v1/evidence/${id}/derived/${copy.id}` });
      expect(thumb.statusCode).toBe(200);
      expect(sha(thumb.rawPayload)).toBe(copy.sha256);
      expect(thumb.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    });

    it('takes a PNG with field custody, and reads its capture metadata', async () => {
      const tiff = buildTiff({
        little: true,
        ifd0: [{ tag: 0x010f, type: 2, value: 'Parrot' }],
        gps: [
          { tag: 1, type: 2, value: 'N' },
          { tag: 2, type: 5, value: [48, 1, 1, 1, 0, 1] },
          { tag: 3, type: 2, value: 'E' },
          { tag: 4, type: 5, value: [37, 1, 48, 1, 0, 1] },
        ],
      });
      const bytes = png(8, 8, tiff);
      const res = await upload([
        { name: 'collectedBy', value: 'patrol FRA-2' },
        { name: 'collectedAt', value: '2025-03-01T08:00:00+02:00' },
        { name: 'note', value: 'from the UAV operator, card 3' },
        { name: 'file', filename: 'uav-frame.png', type: 'image/png', data: bytes },
      ]);
      expect(res.statusCode, res.body).toBe(201);
      const item = res.json() as EvidenceDetail;
      expect(item).toMatchObject({
        mediaType: 'image/png',
        sha256: sha(bytes),
        originalName: 'uav-frame.png',
      });
      expect(item.c2pa.state).toBe('none');
      expect(item.capture.position).toEqual({ lon: 37.8, lat: 48 + 1 / 60 });
      expect(item.capture.device).toEqual({ make: 'Parrot' });
      expect(item.custody.map((c) => [c.event, c.actor])).toEqual([
        ['collected', 'patrol FRA-2'],
        ['received', 'monitor FRA-7'],
        ['derived', 'guarantor'],
      ]);
      expect(item.custody[0]!.at).toBe('2025-03-01T06:00:00.000Z');
      expect(item.ledger.map((l) => l.kind)).toEqual([
        'evidence',
        'evidence.custody',
        'evidence.custody',
        'evidence.derived',
        'evidence.custody',
      ]);
    });

    it('answers a repeated upload of the same bytes with the first item, writing nothing', async () => {
      const bytes = readFileSync(`${C2PA}/C.jpg`);
      const before = await counts();
      const res = await upload([{ name: 'file', filename: 'again.jpg', data: bytes }]);
      expect(res.statusCode).toBe(200);
      expect((res.json() as EvidenceDetail).sha256).toBe(sha(bytes));
      expect(await counts()).toEqual(before);
    });

    it('accepts CSV and JSON sensor files, typed from their content', async () => {
      const csv = Buffer.from('time,lat,lon,db\n2025-03-01T06:00:00Z,48.01,37.80,112\n');
      const json = Buffer.from('{"sensor":"AC-4","events":[{"t":"2025-03-01T06:00:00Z","db":112}]}');
      const a = await upload([{ name: 'file', filename: 'acoustic.csv', type: 'text/csv', data: csv }]);
      const b = await upload([{ name: 'file', filename: 'acoustic', data: json }]);
      expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
      expect((a.json() as EvidenceDetail).mediaType).toBe('text/csv');
      expect((b.json() as EvidenceDetail).mediaType).toBe('application/json');
    });

    it('refuses content of another type than claimed, or of no accepted type, and writes nothing', async () => {
      const before = await counts();
      const cases: Part[] = [
        { name: 'file', filename: 'photo.jpg', type: 'image/jpeg', data: png() },
        { name: 'file', filename: 'scan', type: 'image/jpeg', data: Buffer.from('%PDF-1.7\n%%EOF\n') },
        { name: 'file', filename: 'tool.jpg', data: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]) },
        { name: 'file', filename: 'letter.txt', data: Buffer.from('Dear secretariat,\nsee attached\n') },
        {
          name: 'file',
          filename: 'data.csv',
          data: Buffer.concat([Buffer.from('a,b\n'), Buffer.alloc(5000, 0)]),
        },
        { name: 'file', filename: 'data.csv', data: png() },
      ];
      for (const part of cases) {
        const res = await upload([part]);
        expect(res.statusCode, `${'filename' in part ? part.filename : ''}: ${res.body}`).toBe(415);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({ code: 'unsupported_media_type', field: 'file' });
      }
      expect((await upload([cases[0]!])).json().detail).toMatch(
        /declared as image\/jpeg but the content is image\/png/,
      );
      const named = await upload([{ name: 'file', filename: 'photo.jpg', data: png() }]);
      expect(named.json().detail).toMatch(/named \.jpg but the content is image\/png/);
      expect(await counts()).toEqual(before);
    });

    it('refuses custody times ahead of the clock, naming the field, and writes nothing', async () => {
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      const before = await counts();
      const res = await upload([
        { name: 'collectedAt', value: tomorrow },
        { name: 'file', filename: 'f.png', type: 'image/png', data: png(4, 4) },
      ]);
      expect(res.statusCode).toBe(400);
      expect(JSON.stringify(res.json())).toContain('collectedAt');
      expect(await counts()).toEqual(before);
      // On a report of its own, so the other tests' counts of this report's items stay as they are.
      const stored = await upload(
        [{ name: 'file', filename: 'g.png', type: 'image/png', data: png(5, 7) }],
        undefined,
        await anotherReport(),
      );
      expect(stored.statusCode).toBe(201);
      const afterUpload = await counts();
      const custody = await http.inject({
        method: 'POST',
        url: `/api/v1/evidence/${(stored.json() as EvidenceDetail).id}/custody`,
        payload: { event: 'copied', at: tomorrow, recipient: 'POL liaison' },
      });
      expect(custody.statusCode).toBe(400);
      expect(JSON.stringify(custody.json())).toContain('"at"');
      expect(await counts()).toEqual(afterUpload);
    });

    it('refuses a file over the size limit with 413 and writes nothing', async () => {
      const before = await counts();
      const big = Buffer.concat([readFileSync(`${C2PA}/C.jpg`), Buffer.alloc(MAX)]);
      const res = await upload([{ name: 'file', filename: 'big.jpg', data: big }]);
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'payload_too_large' });
      expect(await counts()).toEqual(before);
    });

    it('refuses uploads to unknown reports, without a file part, or not multipart', async () => {
      const missing = await upload(
        [{ name: 'file', data: png() }],
        'x',
        '01900000-0000-7000-8000-000000000000',
      );
      expect(missing.statusCode).toBe(404);
      expect((await upload([{ name: 'note', value: 'no file' }])).statusCode).toBe(400);
      const json = await http.inject({
        method: 'POST',
        url: `/api/v1/reports/${reportId}/evidence`,
        payload: { file: 'x' },
      });
      expect(json.statusCode).toBe(415);
    });

    it('serves the original byte for byte, safely, recording each viewing and export; the original never changes', async () => {
      const bytes = readFileSync(`${C2PA}/CA.jpg`);
      const list = (await http.inject({ url: `/api/v1/reports/${reportId}/evidence?limit=2` })).json() as {
        items: EvidenceDetail[];
        nextCursor: string;
        total: number;
      };
      expect(list.items).toHaveLength(2);
      expect(list.total).toBe(8);
      const next = (
        await http.inject({ url: `/api/v1/reports/${reportId}/evidence?limit=10&cursor=${list.nextCursor}` })
      ).json() as { items: EvidenceDetail[] };
      expect(next.items).toHaveLength(6);
      const id = [...list.items, ...next.items].find((i) => i.sha256 === sha(bytes))!.id;

      for (let i = 0; i < 2; i++) {
        const res = await http.inject({
          url: `/api/v1/evidence/${id}/content`,
          headers: { 'x-guarantor-actor': 'analyst 3' },
        });
        expect(res.statusCode).toBe(200);
        expect(Buffer.compare(res.rawPayload, bytes)).toBe(0);
        expect(res.headers['content-type']).toBe('image/jpeg');
        expect(res.headers['content-disposition']).toMatch(
          /^attachment; filename="evidence-[0-9a-f]{16}\.jpg"/,
        );
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['repr-digest']).toBe(
          `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`,
        );
      }

      const exported = await http.inject({
        url: `/api/v1/evidence/${id}/export`,
        headers: { 'x-guarantor-actor': 'legal FRA' },
      });
      expect(exported.statusCode).toBe(200);
      expect(exported.headers['content-type']).toBe('application/x-tar');
      const entries = readTar(exported.rawPayload);
      const byName = new Map(entries.map((e) => [e.name, e.data]));
      const original = byName.get(`original/${sha(bytes)}.jpg`);
      expect(original && Buffer.compare(original, bytes)).toBe(0);
      const manifest = JSON.parse(byName.get('manifest.json')!.toString('utf8'));
      expect(manifest.evidence.sha256).toBe(sha(bytes));
      expect(manifest.exportedBy).toBe('legal FRA');
      expect(manifest.custody.map((c: { event: string }) => c.event)).toEqual([
        'received',
        'derived',
        'viewed',
        'viewed',
        'exported',
      ]);
      // The item, five custody events and the rendered thumbnail.
      expect(manifest.ledger).toHaveLength(7);
      expect(manifest.derived).toHaveLength(1);
      expect(manifest.derivationFailures).toEqual([]);
      expect(manifest.evidence.thumbnail).toBeUndefined();
      expect(byName.get(`derived/${manifest.derived[0].sha256}.jpg`)?.length).toBe(manifest.derived[0].size);
      // SHA256SUMS names every other file with its true hash.
      const sums = byName.get('SHA256SUMS')!.toString('utf8').trim().split('\n');
      expect(sums).toHaveLength(entries.length - 1);
      for (const line of sums) {
        const [hash, path] = line.split('  ');
        expect(sha(byName.get(path!)!)).toBe(hash);
      }

      const detail = (await http.inject({ url: `/api/v1/evidence/${id}` })).json() as EvidenceDetail;
      expect(detail.custody.map((c) => [c.event, c.actor])).toEqual([
        ['received', 'monitor FRA-7'],
        ['derived', 'guarantor'],
        ['viewed', 'analyst 3'],
        ['viewed', 'analyst 3'],
        ['exported', 'legal FRA'],
      ]);
      for (const c of detail.custody) {
        const leaf = await leafOf('evidence.custody', c.id);
        expect(leaf.commitment).toBe(commitmentOf(leaf.salt, custodyLeafContent(c, detail.sha256)));
      }
      const stored = join(dir, 'sha256', detail.sha256.slice(0, 2), detail.sha256.slice(2, 4), detail.sha256);
      expect(Buffer.compare(readFileSync(stored), bytes)).toBe(0);
    });

    it('records custody events reported from outside, such as a copy handed on', async () => {
      const list = (await http.inject({ url: `/api/v1/reports/${reportId}/evidence` })).json() as {
        items: EvidenceDetail[];
      };
      const id = list.items[0]!.id;
      const res = await http.inject({
        method: 'POST',
        url: `/api/v1/evidence/${id}/custody`,
        payload: { event: 'copied', recipient: 'POL liaison', note: 'USB stick 14' },
        headers: { 'x-guarantor-actor': 'registry' },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        event: 'copied',
        actor: 'registry',
        details: { recipient: 'POL liaison' },
      });
      await leafOf('evidence.custody', res.json().id);
      const bad = await http.inject({
        method: 'POST',
        url: `/api/v1/evidence/${id}/custody`,
        payload: { event: 'viewed' },
      });
      expect(bad.statusCode).toBe(400);
    });

    it('refuses to serve an original whose stored bytes no longer match their hash', async () => {
      const bytes = readFileSync(`${C2PA}/XCA.jpg`);
      const list = (await http.inject({ url: `/api/v1/reports/${reportId}/evidence` })).json() as {
        items: EvidenceDetail[];
      };
      const item = list.items.find((i) => i.sha256 === sha(bytes))!;
      const stored = join(dir, 'sha256', item.sha256.slice(0, 2), item.sha256.slice(2, 4), item.sha256);
      chmodSync(stored, 0o644);
      writeFileSync(stored, Buffer.concat([bytes, Buffer.from([0])]));
      const before = await counts();
      for (const url of [`/api/v1/evidence/${item.id}/content`, `/api/v1/evidence/${item.id}/export`]) {
        const res = await http.inject({ url });
        expect(res.statusCode).toBe(500);
        expect(res.json()).toMatchObject({ code: 'evidence_damaged' });
      }
      expect(await counts()).toEqual(before);
    });

    async function anotherReport(): Promise<string> {
      return (await createServices(store).reports.submit(reportInputSchema.parse(aReport()))).report.id;
    }

    const storedPath = (sha256: string) =>
      join(dir, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);

    it('renders a thumbnail of JPEG, PNG and WebP evidence, stored and recorded apart from the untouched original', async () => {
      const report = await anotherReport();
      const webp = await sharp({
        create: { width: 900, height: 600, channels: 4, background: { r: 20, g: 120, b: 200, alpha: 0.6 } },
      })
        .webp()
        .toBuffer();
      const cases = [
        { filename: 'photo.jpg', data: readFileSync(`${C2PA}/CA.jpg`), mediaType: 'image/jpeg' },
        { filename: 'frame.png', data: Buffer.from(png(640, 480)), mediaType: 'image/png' },
        { filename: 'still.webp', data: webp, mediaType: 'image/webp' },
      ];
      for (const c of cases) {
        const before = sha(c.data);
        const res = await upload(
          [{ name: 'file', filename: c.filename, data: c.data }],
          'monitor FRA-7',
          report,
        );
        expect(res.statusCode, res.body).toBe(201);
        const item = res.json() as EvidenceDetail;
        expect(item).toMatchObject({ sha256: before, mediaType: c.mediaType, derivationFailures: [] });

        const copy = item.derived.find((d) => d.method === 'rendered')!;
        expect(copy).toMatchObject({
          purpose: 'thumbnail',
          mediaType: 'image/jpeg',
          params: {
            tool: 'sharp',
            longEdge: 320,
            format: 'jpeg',
            orientation: 'applied',
            metadata: 'removed',
          },
        });
        expect(Math.max(copy.width!, copy.height!)).toBe(320);
        expect(copy.sha256).not.toBe(item.sha256);
        expect(item.thumbnail).toEqual({
          available: true,
          url: `/api/v1/evidence/${item.id}/thumbnail`,
          derivedId: copy.id,
          sha256: copy.sha256,
          width: copy.width,
          height: copy.height,
        });
        // Its own leaf, and a `derived` event in the original's custody log.
        const leaf = await leafOf('evidence.derived', copy.id);
        expect(leaf.commitment).toBe(commitmentOf(leaf.salt, derivedLeafContent(copy, item.sha256)));
        expect(item.custody.find((e) => e.details?.derivedId === copy.id)).toMatchObject({
          event: 'derived',
          actor: 'guarantor',
          details: { method: 'rendered', sourceSha256: item.sha256, sha256: copy.sha256 },
        });

        const thumb = await http.inject({ url: item.thumbnail.available ? item.thumbnail.url : '' });
        expect(thumb.statusCode).toBe(200);
        expect(thumb.headers['content-type']).toBe('image/jpeg');
        expect(thumb.headers['repr-digest']).toBe(
          `sha-256=:${Buffer.from(copy.sha256, 'hex').toString('base64')}:`,
        );
        expect(sha(thumb.rawPayload)).toBe(copy.sha256);
        const drawn = await sharp(thumb.rawPayload).metadata();
        expect([drawn.format, drawn.width, drawn.height]).toEqual(['jpeg', copy.width, copy.height]);
        expect(sha(readFileSync(storedPath(copy.sha256)))).toBe(copy.sha256);

        // The original, after its thumbnail was made and served: the same bytes under the same hash.
        expect(sha(readFileSync(storedPath(item.sha256)))).toBe(before);
        expect(Buffer.compare(readFileSync(storedPath(item.sha256)), c.data)).toBe(0);
        expect(statSync(storedPath(item.sha256)).mode & 0o222).toBe(0);
      }
    });

    it('takes a corrupt image all the same, recording why it has no thumbnail', async () => {
      const report = await anotherReport();
      const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(3000, 7)]);
      const res = await upload(
        [{ name: 'file', filename: 'broken.jpg', data: corrupt }],
        'monitor FRA-7',
        report,
      );
      expect(res.statusCode, res.body).toBe(201);
      const item = res.json() as EvidenceDetail;
      expect(item.derived).toEqual([]);
      expect(item.derivationFailures).toHaveLength(1);
      const failure = item.derivationFailures[0]!;
      expect(failure).toMatchObject({ purpose: 'thumbnail', method: 'rendered', evidenceId: item.id });
      expect(failure.reason).toMatch(/corrupt|premature|unsupported/i);
      expect(item.thumbnail).toEqual({ available: false, reason: 'failed', detail: failure.reason });
      const leaf = await leafOf('evidence.not-derived', failure.id);
      expect(leaf.commitment).toBe(commitmentOf(leaf.salt, failureLeafContent(failure, item.sha256)));
      expect(item.ledger.map((l) => l.kind)).toEqual([
        'evidence',
        'evidence.custody',
        'evidence.not-derived',
      ]);

      const thumb = await http.inject({ url: `/api/v1/evidence/${item.id}/thumbnail` });
      expect(thumb.statusCode).toBe(404);
      expect(thumb.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(thumb.json()).toMatchObject({ code: 'not_found', reason: 'failed' });
      expect(sha(readFileSync(storedPath(item.sha256)))).toBe(sha(corrupt));
    });

    it('answers the thumbnail of non-image evidence with a 404 that says so', async () => {
      const report = await anotherReport();
      const csv = Buffer.from('time,db\n2025-03-01T06:00:00Z,112\n');
      const item = (
        await upload([{ name: 'file', filename: 'acoustic.csv', data: csv }], 'monitor FRA-7', report)
      ).json() as EvidenceDetail;
      expect(item.thumbnail).toMatchObject({ available: false, reason: 'not_an_image' });
      expect(item.derivationFailures).toEqual([]);
      const res = await http.inject({ url: `/api/v1/evidence/${item.id}/thumbnail` });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found', reason: 'not_an_image' });
      expect(res.json().detail).toMatch(/text\/csv is not an image/);
      const unknown = await http.inject({
        url: '/api/v1/evidence/01900000-0000-7000-8000-000000000000/thumbnail',
      });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().reason).toBeUndefined();
      expect((await http.inject({ url: '/api/v1/evidence/nope/thumbnail' })).statusCode).toBe(400);
    });

    it('shows content credentials signed under a configured trust anchor as trusted', async () => {
      const trusting = new EvidenceService(store, {
        dir,
        maxBytes: MAX,
        c2paTrustAnchors: 'test/fixtures/c2pa-trust/test_cert_root_bundle.pem',
      });
      const server = await buildServer({
        api: new Api().add(...evidenceRoutes(trusting)),
        logger: pino({ level: 'silent' }),
      });
      try {
        const { payload, contentType } = multipart([
          { name: 'file', filename: 'CA.jpg', data: readFileSync(`${C2PA}/C.jpg`) },
        ]);
        const res = await server.inject({
          method: 'POST',
          url: `/api/v1/reports/${await anotherReport()}/evidence`,
          payload,
          headers: { 'content-type': contentType },
        });
        expect(res.statusCode, res.body).toBe(201);
        expect((res.json() as EvidenceDetail).c2pa).toMatchObject({
          verdict: 'trusted',
          validationState: 'Trusted',
          trustAnchors: 9,
          failureCodes: [],
        });
      } finally {
        await server.close();
      }
      expect(() => new EvidenceService(store, { dir, c2paTrustAnchors: join(dir, 'none.pem') })).toThrow(
        /GUARANTOR_C2PA_TRUST_ANCHORS: cannot read/,
      );
    });
  });
}
