import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, count, signedInAs, startApp } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';

for (const dialect of DIALECTS) {
  describe(`incidents API on ${dialect.name}`, () => {
    let app: App;
    beforeAll(async () => {
      app = await startApp(dialect);
    });
    afterAll(async () => {
      await app?.close();
    });

    const inject = (
      method: 'GET' | 'POST',
      url: string,
      payload?: object,
      headers?: Record<string, string>,
    ) => app.http.inject({ method, url, ...(payload ? { payload } : {}), ...(headers ? { headers } : {}) });

    async function incidentOf(overrides: Record<string, unknown> = {}): Promise<string> {
      const res = await inject('POST', '/api/v1/reports', aReport(overrides));
      expect(res.statusCode).toBe(201);
      return res.json().incidentId;
    }

    it('walks an incident through triage and verification, recording who, when and why', async () => {
      const id = await incidentOf({ event: { lon: 36.5, lat: 47.7 }, observer: { lon: 36.45, lat: 47.69 } });
      // Each analyst signs in; what a body says about who acted is not what gets recorded.
      const analystA = await signedInAs(app, ['analyst'], 'GBR');
      const analystB = await signedInAs(app, ['analyst'], 'DEU');
      const triaged = await inject(
        'POST',
        `/api/v1/incidents/${id}/transitions`,
        { to: 'triaged', reason: 'plausible', actor: 'Someone else' },
        analystA,
      );
      expect(triaged.statusCode).toBe(200);
      expect(triaged.json().status).toBe('triaged');

      const verified = await inject(
        'POST',
        `/api/v1/incidents/${id}/transitions`,
        {
          to: 'verified',
          reason: 'crater consistent with 152 mm from the south-east',
          attribution: { party: 'RUS', confidence: 'medium', basis: ['crater_analysis', 'imagery'] },
        },
        analystB,
      );
      const body = verified.json();
      expect(body.status).toBe('verified');
      expect(body.assessedAttribution).toEqual({
        party: 'RUS',
        confidence: 'medium',
        basis: ['crater_analysis', 'imagery'],
      });
      const transitions = body.history.filter((h: { action: string }) => h.action === 'transition');
      expect(transitions.map((h: { toStatus: string; actor: string }) => [h.toStatus, h.actor])).toEqual([
        ['triaged', expect.stringMatching(/^t-analyst-GBR-\d+ \(GBR\)$/)],
        ['verified', expect.stringMatching(/^t-analyst-DEU-\d+ \(DEU\)$/)],
      ]);
      expect(transitions[1].reason).toContain('crater');
      expect(Date.parse(transitions[1].at)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('refuses a transition the workflow does not allow, and changes nothing', async () => {
      const id = await incidentOf({ event: { lon: 35.5, lat: 47.45 }, observer: { lon: 35.45, lat: 47.4 } });
      const events = await count(app, 'incident_events');
      const res = await inject('POST', `/api/v1/incidents/${id}/transitions`, {
        to: 'verified',
        reason: 'too fast',
        actor: 'A',
      });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'state_conflict', field: 'to' });
      expect(await count(app, 'incident_events')).toBe(events);
      const noReason = await inject('POST', `/api/v1/incidents/${id}/transitions`, {
        to: 'triaged',
        reason: '',
        actor: 'A',
      });
      expect(noReason.statusCode).toBe(400);
      expect(noReason.json().field).toBe('reason');
      const unknown = await inject(
        'POST',
        '/api/v1/incidents/01900000-0000-7000-8000-000000000000/transitions',
        {
          to: 'triaged',
          reason: 'nothing here',
          actor: 'A',
        },
      );
      expect(unknown.statusCode).toBe(404);
    });

    it('splits and merges incidents with a recorded reason, and correlation leaves them be', async () => {
      const at = new Date(Date.now() - 4 * 3_600_000);
      const times = {
        observedFrom: at.toISOString(),
        observedTo: new Date(at.getTime() + 300_000).toISOString(),
      };
      const place = { event: { lon: 34.6, lat: 47.4 }, observer: { lon: 34.55, lat: 47.38 } };
      const a = await incidentOf({
        ...times,
        ...place,
        source: { kind: 'patrol', id: 'p-a', participant: 'FRA' },
      });
      const b = await incidentOf({
        ...times,
        ...place,
        source: { kind: 'uav', id: 'u-b', participant: 'GBR' },
      });
      expect(b).toBe(a);
      const detail = (await inject('GET', `/api/v1/incidents/${a}`)).json();
      expect(detail.reports).toHaveLength(2);
      const moving = detail.reports[1].id;

      const split = await inject(
        'POST',
        `/api/v1/incidents/${a}/split`,
        { reportIds: [moving], reason: 'two separate strikes' },
        await signedInAs(app, ['analyst'], 'NLD'),
      );
      expect(split.statusCode).toBe(200);
      const { from, to } = split.json();
      expect(from.reports.map((r: { id: string }) => r.id)).not.toContain(moving);
      expect(to.reports.map((r: { id: string }) => r.id)).toEqual([moving]);
      expect(to.reports[0].link.reason).toContain('two separate strikes');
      expect(from.locked && to.locked).toBe(true);
      expect(from.history.at(-1)).toMatchObject({
        action: 'split',
        actor: expect.stringMatching(/^t-analyst-NLD-\d+ \(NLD\)$/),
        reason: 'two separate strikes',
      });
      // Correlation started the first incident; the split made the second, so its history begins there.
      expect(from.history[0]).toMatchObject({ action: 'created', actor: 'correlation', at: from.createdAt });
      expect(to.history.map((h: { action: string }) => h.action)).toEqual(['split']);

      // A third report at the same place joins one of them but does not undo the analyst's split.
      await incidentOf({ ...times, ...place, source: { kind: 'camera', id: 'c-c', participant: 'USA' } });
      const stillTwo = (await inject('GET', `/api/v1/incidents/${to.id}`)).json();
      expect(stillTwo.mergedInto).toBeNull();

      const everything = split.json().from.reports.length;
      const cannotEmpty = await inject('POST', `/api/v1/incidents/${a}/split`, {
        reportIds: (await inject('GET', `/api/v1/incidents/${a}`))
          .json()
          .reports.map((r: { id: string }) => r.id),
        reason: 'all of it',
        actor: 'C',
      });
      expect(cannotEmpty.statusCode).toBe(422);
      expect(everything).toBeGreaterThan(0);

      const merged = await inject('POST', `/api/v1/incidents/${a}/merge`, {
        incidentIds: [to.id],
        reason: 'same strike after all',
        actor: 'Analyst D',
      });
      expect(merged.statusCode).toBe(200);
      expect(merged.json().reports.map((r: { id: string }) => r.id)).toContain(moving);
      const absorbed = (await inject('GET', `/api/v1/incidents/${to.id}`)).json();
      expect(absorbed.mergedInto).toBe(a);
      const list = (await inject('GET', '/api/v1/incidents?limit=1000')).json();
      expect(list.items.map((i: { id: string }) => i.id)).not.toContain(to.id);
      const again = await inject('POST', `/api/v1/incidents/${a}/merge`, {
        incidentIds: [to.id],
        reason: 'twice',
        actor: 'D',
      });
      expect(again.statusCode).toBe(409);
    });

    it('filters incidents and answers GeoJSON when asked', async () => {
      await incidentOf({
        type: 'uav_flight',
        weaponClass: 'uav',
        event: { lon: 33.5, lat: 46.8 },
        observer: { lon: 33.45, lat: 46.8 },
      });
      const geo = await inject('GET', '/api/v1/incidents?type=uav_flight&bbox=33,46,34,47', undefined, {
        accept: 'application/geo+json',
      });
      expect(geo.statusCode).toBe(200);
      expect(geo.headers['content-type']).toContain('application/geo+json');
      const fc = geo.json();
      expect(fc.type).toBe('FeatureCollection');
      expect(fc.features.length).toBeGreaterThan(0);
      for (const f of fc.features) {
        expect(f.geometry.type).toBe('Point');
        const [lon, lat] = f.geometry.coordinates;
        expect(lon >= 33 && lon <= 34 && lat >= 46 && lat <= 47).toBe(true);
        expect(f.properties.types).toContain('uav_flight');
      }
      const byStatus = (await inject('GET', '/api/v1/incidents?status=verified')).json();
      expect(byStatus.items.every((i: { status: string }) => i.status === 'verified')).toBe(true);
      const badStatus = await inject('GET', '/api/v1/incidents?status=bogus');
      expect(badStatus.statusCode).toBe(400);
      expect(badStatus.json().field).toBe('status.0');
      const badBox = await inject('GET', '/api/v1/incidents?bbox=1,2,3');
      expect(badBox.json()).toMatchObject({ status: 400, field: 'bbox' });
    });

    it('publishes a spot report as JSON and printable HTML', async () => {
      const id = await incidentOf({ notes: '<script>alert(1)</script>' });
      const json = await inject('GET', `/api/v1/incidents/${id}/spot-report`);
      expect(json.statusCode).toBe(200);
      const html = await inject('GET', `/api/v1/incidents/${id}/spot-report?format=html`);
      expect(html.headers['content-type']).toContain('text/html');
      expect(html.body).not.toContain('<script>alert(1)</script>');
    });
  });
}
