import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, count, startApp } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import { bodyHash } from './report-preparation.ts';
import { reportInputSchema } from './report-schema.ts';

for (const dialect of DIALECTS) {
  describe(`reports API on ${dialect.name}`, () => {
    let app: App;
    beforeAll(async () => {
      app = await startApp(dialect);
    });
    afterAll(async () => {
      await app?.close();
    });

    const post = (body: unknown) =>
      app.http.inject({ method: 'POST', url: '/api/v1/reports', payload: body as object });

    it('stores a report with its estimated place and oblast, and links it to an incident', async () => {
      const res = await post(aReport({ notes: 'Four explosions heard to the east', lang: 'en' }));
      expect(res.statusCode).toBe(201);
      const report = res.json();
      expect(report.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.location).toBe(`/api/v1/reports/${report.id}`);
      expect(report.estimated).toMatchObject({ lon: 37.65, lat: 48.02, method: 'point' });
      expect(report.oblast).toBe('UA-14');
      expect(report.incidentId).toBeTruthy();
      expect(report.link.reason).toBeTruthy();

      const again = await app.http.inject({ method: 'GET', url: `/api/v1/reports/${report.id}` });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({
        id: report.id,
        incidentId: report.incidentId,
        notes: 'Four explosions heard to the east',
      });
    });

    it('estimates the place of an event given by bearing and distance', async () => {
      const res = await post(
        aReport({ event: { bearingDeg: 90, distanceKm: [2, 4] }, geoPrecision: 'near' }),
      );
      expect(res.statusCode).toBe(201);
      const { estimated } = res.json();
      expect(estimated.method).toBe('bearing');
      expect(estimated.lon).toBeGreaterThan(37.6);
      expect(Math.abs(estimated.lat - 48.0)).toBeLessThan(0.01);
      expect(estimated.uncertaintyM).toBeGreaterThan(500);
    });

    it('answers a retried submission with the first result, and refuses a reused key with another body', async () => {
      const body = aReport();
      const first = await post(body);
      const retry = await post(body);
      expect(first.statusCode).toBe(201);
      expect(retry.statusCode).toBe(200);
      expect(retry.json().id).toBe(first.json().id);

      const before = await count(app, 'reports');
      const conflict = await post({ ...body, count: 99 });
      expect(conflict.statusCode).toBe(409);
      expect(conflict.headers['content-type']).toContain('application/problem+json');
      expect(conflict.json()).toMatchObject({
        code: 'idempotency_conflict',
        status: 409,
        field: 'clientInstanceId',
      });
      expect(await count(app, 'reports')).toBe(before);
    });

    it('groups three sources observing one event into one incident without double counting', async () => {
      const at = new Date(Date.now() - 2 * 3_600_000);
      const window = {
        observedFrom: at.toISOString(),
        observedTo: new Date(at.getTime() + 600_000).toISOString(),
      };
      const sources = [
        { kind: 'patrol', id: 'GBR-patrol-2', participant: 'GBR' },
        { kind: 'camera', id: 'camera-7', participant: 'USA' },
        { kind: 'sensor', id: 'acoustic-3', participant: 'DEU' },
      ];
      const ids: string[] = [];
      for (const [i, source] of sources.entries()) {
        const res = await post(
          aReport({
            ...window,
            source,
            event: { lon: 38.0 + i * 0.001, lat: 48.3 },
            observer: { lon: 37.95, lat: 48.28 },
            count: 5 + i,
          }),
        );
        expect(res.statusCode).toBe(201);
        ids.push(res.json().incidentId);
      }
      expect(new Set(ids).size).toBe(1);
      const incident = (await app.http.inject({ method: 'GET', url: `/api/v1/incidents/${ids[0]}` })).json();
      expect(incident.reportCount).toBe(3);
      expect(incident.sourceCount).toBe(3);
      // Three observers of the same shelling: the largest single count, not the sum.
      expect(incident.counts.explosion).toBe(7);
      expect(incident.reports).toHaveLength(3);
      expect(incident.history[0]).toMatchObject({ action: 'created', toStatus: 'received' });
    });

    it('keeps a correction as a new report that names the one it supersedes', async () => {
      const original = (await post(aReport({ count: 3 }))).json();
      const correction = await post(aReport({ count: 2, supersedes: original.id, notes: 'recount' }));
      expect(correction.statusCode).toBe(201);
      const back = (await app.http.inject({ method: 'GET', url: `/api/v1/reports/${original.id}` })).json();
      expect(back.count).toBe(3);
      expect(back.supersededBy).toEqual([correction.json().id]);
      const missing = await post(aReport({ supersedes: '01900000-0000-7000-8000-000000000000' }));
      expect(missing.statusCode).toBe(422);
      expect(missing.json().field).toBe('supersedes');
    });

    it('lists reports newest first with filters and cursors', async () => {
      const page1 = (await app.http.inject({ method: 'GET', url: '/api/v1/reports?limit=2' })).json();
      expect(page1.items).toHaveLength(2);
      expect(page1.nextCursor).toBeTruthy();
      const page2 = (
        await app.http.inject({ method: 'GET', url: `/api/v1/reports?limit=2&cursor=${page1.nextCursor}` })
      ).json();
      expect(page2.items[0].id).not.toBe(page1.items[1].id);
      expect(page1.items[0].observedFrom >= page1.items[1].observedFrom).toBe(true);
      const filtered = (
        await app.http.inject({ method: 'GET', url: '/api/v1/reports?sourceKind=camera' })
      ).json();
      expect(filtered.items.every((r: { source: { kind: string } }) => r.source.kind === 'camera')).toBe(
        true,
      );
      expect(filtered.items.length).toBeGreaterThan(0);
      const bad = await app.http.inject({ method: 'GET', url: '/api/v1/reports?cursor=garbage' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('invalid_cursor');
    });

    describe('bad input gets a problem naming the field, and writes nothing', () => {
      const cases: [string, () => Record<string, unknown> | string, number, string, string?][] = [
        ['malformed JSON', () => '{"clientInstanceId": ', 400, 'malformed_json'],
        ['a wrong type', () => aReport({ count: 'four' }), 400, 'validation_failed', 'count'],
        ['an unknown enum value', () => aReport({ type: 'earthquake' }), 400, 'validation_failed', 'type'],
        [
          'a latitude off the globe',
          () => aReport({ observer: { lon: 37.6, lat: 95 } }),
          400,
          'validation_failed',
          'observer.lat',
        ],
        [
          'a longitude off the globe',
          () => aReport({ event: { lon: 200, lat: 48 } }),
          400,
          'validation_failed',
          'event.lon',
        ],
        [
          'observedTo before observedFrom',
          () => aReport({ observedFrom: '2026-11-01T10:00:00Z', observedTo: '2026-11-01T09:00:00Z' }),
          400,
          'validation_failed',
          'observedTo',
        ],
        [
          'a time in the future',
          () =>
            aReport({
              observedFrom: new Date(Date.now() + 86_400_000).toISOString(),
              observedTo: new Date(Date.now() + 90_000_000).toISOString(),
            }),
          400,
          'validation_failed',
          'observedFrom',
        ],
        ['an unknown field', () => aReport({ colour: 'red' }), 400, 'validation_failed', 'colour'],
        ['a missing field', () => ({ ...aReport(), means: undefined }), 400, 'validation_failed', 'means'],
        ['a prototype-pollution key', () => '{"__proto__": {"admin": true}}', 400, 'malformed_json'],
      ];
      for (const [name, body, status, code, field] of cases) {
        it(name, async () => {
          const before = await count(app, 'reports');
          const b = body();
          const res = await app.http.inject({
            method: 'POST',
            url: '/api/v1/reports',
            headers: { 'content-type': 'application/json' },
            payload: typeof b === 'string' ? b : JSON.stringify(b),
          });
          expect(res.statusCode).toBe(status);
          expect(res.headers['content-type']).toContain('application/problem+json');
          const problem = res.json();
          expect(problem).toMatchObject({ status, code });
          expect(problem.title).toBeTruthy();
          if (field) expect(problem.field).toBe(field);
          expect(await count(app, 'reports')).toBe(before);
        });
      }

      it('an oversized body', async () => {
        const res = await post(aReport({ notes: 'x'.repeat(2 * 1024 * 1024) }));
        expect(res.statusCode).toBe(413);
        expect(res.json().code).toBe('payload_too_large');
      });

      it('an unsupported content type', async () => {
        const res = await app.http.inject({
          method: 'POST',
          url: '/api/v1/reports',
          headers: { 'content-type': 'application/xml' },
          payload: '<r/>',
        });
        expect(res.statusCode).toBe(415);
        expect(res.json().code).toBe('unsupported_media_type');
      });

      it('an unknown route and an id that is not a UUID', async () => {
        expect((await app.http.inject({ method: 'GET', url: '/api/v1/nothing' })).json().code).toBe(
          'route_not_found',
        );
        const res = await app.http.inject({ method: 'GET', url: '/api/v1/reports/42' });
        expect(res.statusCode).toBe(400);
        expect(res.json().field).toBe('id');
        const missing = await app.http.inject({
          method: 'GET',
          url: '/api/v1/reports/01900000-0000-7000-8000-000000000000',
        });
        expect(missing.statusCode).toBe(404);
        expect(missing.json().code).toBe('not_found');
      });
    });

    it('appends one ledger leaf per stored report, and one access entry naming who wrote it', async () => {
      const leaves = async (kind: string) =>
        Number(
          (
            await app.store.db
              .selectFrom('ledger_leaves')
              .select(({ fn }) => fn.countAll<number>().as('n'))
              .where('kind', '=', kind)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const [reports, access] = [await leaves('report'), await leaves('access')];
      const res = await post(aReport());
      expect(await leaves('report')).toBe(reports + 1);
      expect(await leaves('access')).toBe(access + 1);
      const [entry] = await app.accounts.listAccessEvents({ limit: 1 });
      expect(entry).toMatchObject({
        event: 'record.write',
        details: { operation: 'submitReport', method: 'POST' },
      });
      // Written in the report's own transaction: its leaf follows the report's directly.
      const last = await app.store.db
        .selectFrom('ledger_leaves')
        .select(['kind', 'record_id'])
        .orderBy('idx', 'desc')
        .limit(2)
        .execute();
      expect(last.map((l) => l.kind)).toEqual(['access', 'report']);
      expect(last[1]!.record_id).toBe(res.json().id);
      expect(entry!.actor).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.statusCode).toBe(201);
    });
  });
}

describe('report body hash', () => {
  it('is the same for the same report written with another offset, and recomputable from the stored report', async () => {
    const base = aReport({
      observedFrom: '2026-11-01T10:00:00Z',
      observedTo: '2026-11-01T10:05:00Z',
      notes: 'n',
    });
    const shifted = {
      ...base,
      observedFrom: '2026-11-01T12:00:00+02:00',
      observedTo: '2026-11-01T12:05:00+02:00',
    };
    const a = bodyHash(reportInputSchema.parse(base));
    expect(bodyHash(reportInputSchema.parse(shifted))).toBe(a);
    expect(bodyHash(reportInputSchema.parse({ ...base, count: 5 }))).not.toBe(a);

    const app = await startApp(DIALECTS[0]!);
    try {
      const stored = (
        await app.http.inject({ method: 'POST', url: '/api/v1/reports', payload: shifted })
      ).json();
      const { id, receivedAt, estimated, oblast, sectorId, zone, incidentId, link, signedBy, ...said } =
        stored;
      expect(
        [id, receivedAt, estimated, oblast, sectorId, zone, incidentId, link, signedBy].every(
          (v) => v !== undefined,
        ),
      ).toBe(true);
      expect(bodyHash(reportInputSchema.parse(said))).toBe(a);
      const row = await app.store.db
        .selectFrom('reports')
        .select('body_hash')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.body_hash).toBe(a);
    } finally {
      await app.close();
    }
  });
});
