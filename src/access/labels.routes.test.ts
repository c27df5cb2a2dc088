/**
 * Releasability end to end: a report labelled for some participants is read by them, and for everyone
 * else does not exist — not in a list, not in a count, not through its evidence or its incident.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, aReport, signedInAs, startApp } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import { multipart, png } from '../monitoring/evidence/evidence.fixture.ts';

for (const dialect of DIALECTS) {
  describe(`labels on every read path on ${dialect.name}`, () => {
    let app: App;
    let fra: Record<string, string>;
    let gbr: Record<string, string>;
    const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const at = (h: number) => ({
      observedFrom: `${day}T${String(h).padStart(2, '0')}:00:00.000Z`,
      observedTo: `${day}T${String(h).padStart(2, '0')}:05:00.000Z`,
    });
    // Three places far apart, so each report makes its own incident.
    const place = (lon: number) => ({ event: { lon, lat: 47.9 }, observer: { lon: lon - 0.01, lat: 47.9 } });
    const ids: Record<string, string> = {};

    const post = async (name: string, overrides: Record<string, unknown>) => {
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: aReport(overrides),
      });
      expect(res.statusCode).toBe(201);
      ids[name] = res.json().id;
      return res.json();
    };

    beforeAll(async () => {
      app = await startApp(dialect);
      fra = await signedInAs(app, ['analyst'], 'FRA');
      gbr = await signedInAs(app, ['analyst'], 'GBR');
      await post('franceOnly', {
        ...at(8),
        ...place(36.2),
        count: 3,
        label: { classification: 'CONFIDENTIAL', releasableTo: ['FRA'] },
      });
      await post('coalition', { ...at(9), ...place(37.0), count: 5 });
      await post('public', { ...at(10), ...place(37.8), count: 7, label: { classification: 'PUBLIC' } });
    });
    afterAll(async () => {
      await app?.close();
    });

    const get = (url: string, headers: Record<string, string>) =>
      app.http.inject({ method: 'GET', url, headers });

    /** Attaches a file to the report released to France only; its evidence item's id. */
    async function attachToFranceOnly(filename: string, data: Uint8Array): Promise<string> {
      const { payload, contentType } = multipart([{ name: 'file', filename, data }]);
      const up = await app.http.inject({
        method: 'POST',
        url: `/api/v1/reports/${ids.franceOnly}/evidence`,
        payload,
        headers: { 'content-type': contentType },
      });
      expect(up.statusCode).toBe(201);
      return up.json().id;
    }

    it('shows a report to those it is releasable to, and answers everyone else as if it did not exist', async () => {
      const mine = await get(`/api/v1/reports/${ids.franceOnly}`, fra);
      expect(mine.statusCode).toBe(200);
      expect(mine.json().label).toEqual({ classification: 'CONFIDENTIAL', releasableTo: ['FRA'] });
      const theirs = await get(`/api/v1/reports/${ids.franceOnly}`, gbr);
      const missing = await get('/api/v1/reports/01900000-0000-7000-8000-000000000000', gbr);
      expect(theirs.statusCode).toBe(404);
      // Same status and code as an id that was never used; only the id in the message differs.
      expect(theirs.json().code).toBe(missing.json().code);
      expect(theirs.json().detail.replace(ids.franceOnly!, 'X')).toBe(
        missing.json().detail.replace('01900000-0000-7000-8000-000000000000', 'X'),
      );
      expect((await get(`/api/v1/reports/${ids.franceOnly}`, ANONYMOUS)).statusCode).toBe(401);
    });

    it('leaves unreadable records out of lists, GeoJSON and counts', async () => {
      const listed = async (headers: Record<string, string>) =>
        (await get(`/api/v1/reports?from=${day}T00:00:00Z&to=${day}T23:59:59Z&limit=100`, headers))
          .json()
          .items.map((r: { id: string }) => r.id);
      expect(await listed(fra)).toEqual(expect.arrayContaining([ids.franceOnly, ids.coalition, ids.public]));
      expect(await listed(gbr)).not.toContain(ids.franceOnly);
      expect(await listed(gbr)).toEqual(expect.arrayContaining([ids.coalition, ids.public]));

      const features = await get(`/api/v1/incidents?from=${day}T00:00:00Z&to=${day}T23:59:59Z&limit=100`, {
        ...gbr,
        accept: 'application/geo+json',
      });
      expect(features.json().features).toHaveLength(2);

      const explosions = async (headers: Record<string, string>) =>
        (await get(`/api/v1/daily-reports/${day}`, headers)).json().totals.counts.explosion ?? 0;
      expect(await explosions(fra)).toBe(15);
      expect(await explosions(gbr)).toBe(12);
      // The public reads the published day: only what is labelled PUBLIC.
      expect(await explosions(ANONYMOUS)).toBe(7);
      const summary = (await get(`/api/v1/daily-summaries?from=${day}&to=${day}`, ANONYMOUS)).json().items[0];
      expect(summary.incidents).toBe(1);
    });

    it('labels an incident with the high-water mark of its reports, so its figures never leak', async () => {
      // A British report of the same French-only event: the incident now holds both.
      const joined = await post('britishOnly', {
        ...at(8),
        ...place(36.2),
        count: 4,
        source: { kind: 'patrol', id: 'GBR-patrol-2', participant: 'GBR' },
        label: { classification: 'RESTRICTED', releasableTo: ['GBR'] },
      });
      const incident = (await get(`/api/v1/reports/${ids.franceOnly}`, {})).json();
      expect(joined.incidentId).toBe(incident.incidentId);
      expect(
        (await get(`/api/v1/incidents/${incident.incidentId}`, {} as Record<string, string>)).json().label,
      ).toEqual({ classification: 'CONFIDENTIAL', releasableTo: [] });
      for (const reader of [fra, gbr]) {
        expect((await get(`/api/v1/incidents/${incident.incidentId}`, reader)).statusCode).toBe(404);
        expect((await get(`/api/v1/incidents/${incident.incidentId}/spot-report`, reader)).statusCode).toBe(
          404,
        );
      }
      // Each still reads their own report, without being told which incident it joined.
      const own = (await get(`/api/v1/reports/${ids.franceOnly}`, fra)).json();
      expect(own.incidentId).toBeNull();
      expect(own.link).toBeNull();
      // Nor can they list the incident's reports by its id, which would show that it exists and what it holds.
      for (const reader of [fra, gbr]) {
        const listed = await get(`/api/v1/reports?incidentId=${incident.incidentId}`, reader);
        expect(listed.statusCode).toBe(200);
        expect(listed.json().items).toEqual([]);
      }
      expect((await get(`/api/v1/reports?incidentId=${incident.incidentId}`, {})).json().items).toHaveLength(
        2,
      );
    });

    it('records restricted reads whose answers carry no label: spot reports, evidence, leaf openings', async () => {
      const item = await attachToFranceOnly('q.png', png(6, 5));
      const incident = (await get(`/api/v1/reports/${ids.franceOnly}`, {})).json().incidentId;
      const reads: [string, Record<string, string>, string][] = [
        [`/api/v1/evidence/${item}`, fra, ids.franceOnly!],
        [`/api/v1/evidence/${item}/content`, fra, ids.franceOnly!],
        [`/api/v1/ledger/records/report/${ids.franceOnly}/opening`, fra, ids.franceOnly!],
        [`/api/v1/incidents/${incident}/spot-report`, {}, incident],
        [`/api/v1/incidents/${incident}/spot-report?format=html`, {}, incident],
      ];
      for (const [url, reader, id] of reads) {
        const res = await get(url, reader);
        expect(res.statusCode, url).toBe(200);
        const [entry] = await app.accounts.listAccessEvents({ limit: 1 });
        expect(entry, url).toMatchObject({ event: 'record.read' });
        expect(entry!.details.ids, url).toContain(id);
      }
    });

    it('releases evidence exactly as far as its report', async () => {
      const item = await attachToFranceOnly('p.png', png());
      expect((await get(`/api/v1/evidence/${item}`, fra)).statusCode).toBe(200);
      for (const url of [
        `/api/v1/evidence/${item}`,
        `/api/v1/evidence/${item}/content`,
        `/api/v1/reports/${ids.franceOnly}/evidence`,
      ])
        expect((await get(url, gbr)).statusCode).toBe(404);
    });

    it('refuses an analyst’s action on an incident they may not read, as not found', async () => {
      const res = await app.http.inject({
        method: 'POST',
        url: `/api/v1/incidents/${(await get(`/api/v1/reports/${ids.franceOnly}`, {})).json().incidentId}/transitions`,
        payload: { to: 'triaged', reason: 'trying my luck' },
        headers: gbr,
      });
      expect(res.statusCode).toBe(404);
    });

    it('records every read of a restricted record in the access trail, and no read of a published one', async () => {
      const trail = () => app.accounts.listAccessEvents({ limit: 1 });
      const [before] = await trail();
      await get(`/api/v1/reports/${ids.public}`, fra);
      expect((await trail())[0]!.id).toBe(before!.id);
      await get(`/api/v1/reports/${ids.franceOnly}`, fra);
      const [entry] = await trail();
      expect(entry).toMatchObject({
        event: 'record.read',
        participant: 'FRA',
        details: { operation: 'getReport', count: 1, ids: [ids.franceOnly] },
      });
      expect(entry!.actor).toMatch(/\(FRA\)$/);
      expect(entry!.address).toBeTruthy();
      const leaf = await app.store.db
        .selectFrom('ledger_leaves')
        .select('kind')
        .where('record_id', '=', entry!.id)
        .executeTakeFirstOrThrow();
      expect(leaf.kind).toBe('access');
    });
  });
}
