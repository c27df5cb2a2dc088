import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, startApp } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';

const SQUARE = (lon: number, lat: number, d: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon - d, lat - d],
      [lon + d, lat - d],
      [lon + d, lat + d],
      [lon - d, lat + d],
      [lon - d, lat - d],
    ],
  ],
});

for (const dialect of DIALECTS) {
  describe(`publications on ${dialect.name}`, () => {
    let app: App;
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const at = (hour: number, minutes = 0) =>
      new Date(`${day}T${String(hour).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:00Z`);

    beforeAll(async () => {
      app = await startApp(dialect);
      const put = (url: string, payload: object) => app.http.inject({ method: 'PUT', url, payload });
      expect(
        (await put('/api/v1/sectors/S-1', { name: 'North', geometry: SQUARE(37.5, 48.5, 0.5) })).statusCode,
      ).toBe(200);
      expect(
        (await put('/api/v1/sectors/S-2', { name: 'South', geometry: SQUARE(36.5, 47.5, 0.5) })).statusCode,
      ).toBe(200);
      const zone = await app.http.inject({
        method: 'POST',
        url: '/api/v1/zones',
        payload: {
          kind: 'contact_line',
          name: 'line',
          geometry: {
            type: 'LineString',
            coordinates: [
              [37.5, 49],
              [37.5, 47],
            ],
          },
        },
      });
      expect(zone.statusCode).toBe(201);
      await app.http.inject({
        method: 'POST',
        url: '/api/v1/zones',
        payload: {
          kind: 'withdrawal_line',
          name: 'artillery 50 km',
          weaponClasses: ['artillery_100mm_plus'],
          distanceKm: 50,
          geometry: {
            type: 'LineString',
            coordinates: [
              [36.8, 49],
              [36.8, 47],
            ],
          },
        },
      });
      const post = (o: Record<string, unknown>) =>
        app.http.inject({ method: 'POST', url: '/api/v1/reports', payload: aReport(o) });
      const window = (h: number) => ({
        observedFrom: at(h).toISOString(),
        observedTo: at(h, 10).toISOString(),
      });
      // One shelling seen by two sources (7 and 5 explosions), in sector S-1.
      await post({
        ...window(9),
        event: { lon: 37.6, lat: 48.5 },
        observer: { lon: 37.55, lat: 48.5 },
        count: 7,
        source: { kind: 'patrol', id: 'p1', participant: 'FRA' },
      });
      await post({
        ...window(9),
        event: { lon: 37.601, lat: 48.5 },
        observer: { lon: 37.65, lat: 48.5 },
        count: 5,
        source: { kind: 'camera', id: 'c1', participant: 'USA' },
      });
      // Bursts in S-2, and a howitzer seen 20 km from the line where the rule says 50.
      await post({
        ...window(14),
        type: 'burst',
        weaponClass: 'small_arms',
        count: 30,
        event: { lon: 36.6, lat: 47.5 },
        observer: { lon: 36.62, lat: 47.5 },
      });
      await post({
        ...window(15),
        type: 'weapon_sighting',
        weaponClass: 'artillery_100mm_plus',
        count: 2,
        event: { lon: 37.25, lat: 48.4 },
        observer: { lon: 37.24, lat: 48.4 },
      });
      await post({
        ...window(16),
        type: 'movement_restriction',
        weaponClass: 'undetermined',
        count: 1,
        notes: 'Denied at checkpoint',
        event: { lon: 36.4, lat: 47.4 },
        observer: { lon: 36.4, lat: 47.4 },
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('counts the day per sector without double counting across sources', async () => {
      const res = await app.http.inject({ method: 'GET', url: `/api/v1/daily-reports/${day}` });
      expect(res.statusCode).toBe(200);
      const report = res.json();
      expect(report.date).toBe(day);
      expect(report.totals.counts.explosion).toBe(7);
      expect(report.totals.counts.burst).toBe(30);
      const s1 = report.sectors.find((s: { id: string }) => s.id === 'S-1');
      expect(s1.counts.explosion).toBe(7);
      expect(s1.incidents).toBe(2);
      expect(report.weaponViolations).toHaveLength(1);
      expect(report.weaponViolations[0]).toMatchObject({ weaponClass: 'artillery_100mm_plus' });
      expect(report.movementRestrictions).toHaveLength(1);
      const other = (
        await app.http.inject({
          method: 'GET',
          url: `/api/v1/daily-reports/${new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10)}`,
        })
      ).json();
      expect(other.totals.incidents).toBe(0);
    });

    it('offers the same report as CSV and printable HTML', async () => {
      const csv = await app.http.inject({ method: 'GET', url: `/api/v1/daily-reports/${day}?format=csv` });
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body.split('\r\n')[0]).toBe('date,scope,scopeId,scopeName,type,count');
      expect(csv.body).toMatch(new RegExp(`${day},sector,S-1,North,explosion,7`));
      const html = await app.http.inject({
        method: 'GET',
        url: `/api/v1/daily-reports/${day}`,
        headers: { accept: 'text/html' },
      });
      expect(html.headers['content-type']).toContain('text/html');
      expect(html.body).toContain('<table');
    });

    it('gives the same headline figures per day as the daily reports', async () => {
      const res = await app.http.inject({
        method: 'GET',
        url: `/api/v1/daily-summaries?from=${day}&to=${day}`,
      });
      expect(res.statusCode).toBe(200);
      const [summary] = res.json().items;
      const report = (await app.http.inject({ method: 'GET', url: `/api/v1/daily-reports/${day}` })).json();
      expect(summary).toEqual({
        date: day,
        incidents: report.totals.incidents,
        newIncidents: report.totals.newIncidents,
        verifiedIncidents: report.totals.verifiedIncidents,
      });
      expect(summary.incidents).toBeGreaterThan(0);
      const month = (await app.http.inject({ method: 'GET', url: '/api/v1/daily-summaries' })).json().items;
      expect(month).toHaveLength(30);
      const backwards = await app.http.inject({
        method: 'GET',
        url: '/api/v1/daily-summaries?from=2026-11-10&to=2026-11-01',
      });
      expect(backwards.json()).toMatchObject({ status: 400, field: 'from' });
    });

    it('refuses a day that is not a date', async () => {
      for (const bad of ['2026-02-30', 'yesterday', '2026-1-1']) {
        const res = await app.http.inject({ method: 'GET', url: `/api/v1/daily-reports/${bad}` });
        expect(res.statusCode).toBe(400);
        expect(res.json().field).toBe('date');
      }
    });

    it('determines compliance per sector and day with the evidence', async () => {
      const url = `/api/v1/compliance?from=${day}&to=${day}&consecutiveDays=1&maxVerifiedPerSectorDay=0`;
      const before = (await app.http.inject({ method: 'GET', url })).json();
      // Nothing is verified yet: the day counts as within the rule.
      expect(before.determination.reliable).toBe(true);

      const list = (
        await app.http.inject({
          method: 'GET',
          url: `/api/v1/incidents?from=${day}T00:00:00Z&type=explosion`,
        })
      ).json();
      const id = list.items[0].id;
      for (const to of ['triaged', 'verified']) {
        const r = await app.http.inject({
          method: 'POST',
          url: `/api/v1/incidents/${id}/transitions`,
          payload: { to, reason: 'corroborated', actor: 'A' },
        });
        expect(r.statusCode).toBe(200);
      }
      const after = (await app.http.inject({ method: 'GET', url })).json();
      expect(after.determination.reliable).toBe(false);
      expect(after.determination.reason).toContain('S-1');
      const s1 = after.sectorDays.find((d: { sectorId: string }) => d.sectorId === 'S-1');
      expect(s1.verified).toBe(1);
      const badRange = await app.http.inject({
        method: 'GET',
        url: '/api/v1/compliance?from=2026-11-10&to=2026-11-01',
      });
      expect(badRange.statusCode).toBe(400);
    });

    it('describes every route in the OpenAPI document', async () => {
      const doc = (await app.http.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      expect(doc.openapi).toBe('3.1.0');
      for (const path of [
        '/api/v1/reports',
        '/api/v1/reports/import',
        '/api/v1/incidents/{id}/transitions',
        '/api/v1/daily-reports/{date}',
        '/api/v1/compliance',
      ]) {
        expect(doc.paths[path]).toBeTruthy();
      }
      const submit = doc.paths['/api/v1/reports'].post;
      expect(submit.requestBody.content['application/json'].schema.properties.observer).toBeTruthy();
      expect(submit.responses['409'].content['application/problem+json']).toBeTruthy();
      expect(doc.info.description).toContain('idempotency_conflict');
    });

    it("keeps a day's report while other days change, and rebuilds it when one of its incidents changes", async () => {
      const daily = async () =>
        (await app.http.inject({ method: 'GET', url: `/api/v1/daily-reports/${day}` })).json();
      const before = await daily();
      // A report about today leaves the earlier day's incidents as they were.
      const today = await app.http.inject({ method: 'POST', url: '/api/v1/reports', payload: aReport() });
      expect(today.statusCode).toBe(201);
      expect((await daily()).generatedAt).toBe(before.generatedAt);

      const list = await app.http.inject({
        method: 'GET',
        url: `/api/v1/incidents?from=${day}T00:00:00Z&to=${day}T23:59:59Z&status=received`,
      });
      const target = list.json().items[0];
      const moved = await app.http.inject({
        method: 'POST',
        url: `/api/v1/incidents/${target.id}/transitions`,
        payload: { to: 'triaged', reason: 'seen by the duty analyst', actor: 'analyst-1' },
      });
      expect(moved.statusCode).toBe(200);
      const after = await daily();
      expect(after.generatedAt).not.toBe(before.generatedAt);
      expect(after.totals.counts).toEqual(before.totals.counts);
    });
  });
}
