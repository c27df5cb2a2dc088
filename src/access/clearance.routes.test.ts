/**
 * Per-account clearance end to end: a SECRET report is read only by accounts cleared to SECRET, an
 * administrator raises and lowers a clearance, and the change holds from the very next request of the
 * sessions and tokens the account already has. Nobody gives a clearance above their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, signedInAs, startApp } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';

type Headers = Record<string, string>;

for (const dialect of DIALECTS) {
  describe(`per-account clearance on ${dialect.name}`, () => {
    let app: App;
    let analyst: Headers;
    let analystId: string;
    let chief: Headers;
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const range = `from=${day}T00:00:00Z&to=${day}T23:59:59Z&limit=100`;
    let secretId: string;
    let coalitionId: string;

    const get = (url: string, headers: Headers) => app.http.inject({ method: 'GET', url, headers });
    const setClearance = (id: string, clearance: unknown, headers: Headers) =>
      app.http.inject({
        method: 'POST',
        url: `/api/v1/accounts/${id}/clearance`,
        payload: { clearance },
        headers,
      });

    /** What the caller reads of the day, on every path that computes over the labels. */
    const reads = async (headers: Headers) => {
      const single = await get(`/api/v1/reports/${secretId}`, headers);
      const listed = (await get(`/api/v1/reports?${range}`, headers))
        .json()
        .items.map((r: { id: string }) => r.id);
      const features = (
        await get(`/api/v1/incidents?${range}`, { ...headers, accept: 'application/geo+json' })
      ).json().features;
      const daily = (await get(`/api/v1/daily-reports/${day}`, headers)).json();
      return {
        single: single.statusCode,
        listed: listed.includes(secretId),
        coalitionListed: listed.includes(coalitionId),
        features: features.length as number,
        explosions: (daily.totals.counts.explosion ?? 0) as number,
      };
    };
    const hidden = { single: 404, listed: false, coalitionListed: true, features: 1, explosions: 5 };
    const shown = { single: 200, listed: true, coalitionListed: true, features: 2, explosions: 14 };

    beforeAll(async () => {
      app = await startApp(dialect);
      analyst = await signedInAs(app, ['analyst'], 'GBR');
      analystId = (await get('/api/v1/session', analyst)).json().account.id;
      chief = await signedInAs(app, ['administrator'], 'CWS', 'SECRET');
      const post = async (overrides: Record<string, unknown>) => {
        const res = await app.http.inject({
          method: 'POST',
          url: '/api/v1/reports',
          payload: aReport(overrides),
        });
        expect(res.statusCode).toBe(201);
        return res.json().id as string;
      };
      const at = (h: number, lon: number) => ({
        observedFrom: `${day}T${String(h).padStart(2, '0')}:00:00.000Z`,
        observedTo: `${day}T${String(h).padStart(2, '0')}:05:00.000Z`,
        event: { lon, lat: 47.9 },
        observer: { lon: lon - 0.01, lat: 47.9 },
      });
      secretId = await post({
        ...at(8, 36.2),
        count: 9,
        label: { classification: 'SECRET', releasableTo: ['GBR', 'FRA'] },
      });
      coalitionId = await post({ ...at(9, 37.4), count: 5 });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('clears a new account to CONFIDENTIAL, which does not read a SECRET report on any path', async () => {
      expect((await get('/api/v1/session', analyst)).json().account.clearance).toBe('CONFIDENTIAL');
      expect(await reads(analyst)).toEqual(hidden);
    });

    it('shows the SECRET report once an administrator raises the clearance, and hides it again from the next request once lowered', async () => {
      const raised = await setClearance(analystId, 'SECRET', chief);
      expect(raised.statusCode).toBe(200);
      expect(raised.json()).toMatchObject({ id: analystId, clearance: 'SECRET' });
      // The same session, not a new sign-in.
      expect(await reads(analyst)).toEqual(shown);

      const lowered = await setClearance(analystId, 'CONFIDENTIAL', chief);
      expect(lowered.json().clearance).toBe('CONFIDENTIAL');
      expect(await reads(analyst)).toEqual(hidden);
    });

    it('holds for the account’s API tokens too, from their next request', async () => {
      const issued = await app.http.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: {
          owner: { accountId: analystId },
          name: 'analyst script',
          scopes: ['report:read', 'incident:read', 'publication:read'],
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
        headers: chief,
      });
      expect(issued.statusCode).toBe(201);
      const bearer = { authorization: `Bearer ${issued.json().token}` };
      expect(await reads(bearer)).toEqual(hidden);
      await setClearance(analystId, 'SECRET', chief);
      expect(await reads(bearer)).toEqual(shown);
      await setClearance(analystId, 'RESTRICTED', chief);
      // RESTRICTED still reads the coalition's RESTRICTED report, and nothing above.
      expect(await reads(bearer)).toEqual(hidden);
      expect((await get(`/api/v1/reports/${coalitionId}`, bearer)).statusCode).toBe(200);
      await setClearance(analystId, 'PUBLIC', chief);
      expect((await get(`/api/v1/reports/${coalitionId}`, bearer)).statusCode).toBe(404);
      await setClearance(analystId, 'CONFIDENTIAL', chief);
    });

    it('records each change in the access trail and the ledger, in the same transaction', async () => {
      await setClearance(analystId, 'CONFIDENTIAL', chief);
      await setClearance(analystId, 'SECRET', chief);
      const [event] = await app.accounts.listAccessEvents({ accountId: analystId, limit: 1 });
      expect(event).toMatchObject({
        event: 'account.clearance_changed',
        accountId: analystId,
        participant: 'GBR',
        details: { from: 'CONFIDENTIAL', to: 'SECRET' },
      });
      const leaf = await app.store.db
        .selectFrom('ledger_leaves')
        .select('kind')
        .where('record_id', '=', event!.id)
        .executeTakeFirstOrThrow();
      expect(leaf.kind).toBe('access');
      await setClearance(analystId, 'CONFIDENTIAL', chief);
    });

    it('refuses a clearance above the administrator’s own, on a change and on a new account, and changes nothing', async () => {
      const confidential = await signedInAs(app, ['administrator'], 'CWS');
      const before = await app.accounts.getAccount(analystId);
      const refused = await setClearance(analystId, 'SECRET', confidential);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'forbidden', field: 'clearance' });
      expect(await app.accounts.getAccount(analystId)).toEqual(before);

      const created = await app.http.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: {
          username: 'too-high',
          participant: 'GBR',
          displayName: 'Too high',
          roles: ['analyst'],
          clearance: 'SECRET',
          password: 'a long enough password',
        },
        headers: confidential,
      });
      expect(created.statusCode).toBe(403);
      expect(created.json()).toMatchObject({ code: 'forbidden', field: 'clearance' });
      expect(await app.accounts.findAccount('too-high')).toBeUndefined();

      // Up to their own is fine, and so is lowering.
      expect((await setClearance(analystId, 'RESTRICTED', confidential)).statusCode).toBe(200);
      expect((await setClearance(analystId, 'CONFIDENTIAL', confidential)).statusCode).toBe(200);
    });

    it('makes an account with the clearance asked for, CONFIDENTIAL when none is', async () => {
      const make = (username: string, clearance?: string) =>
        app.http.inject({
          method: 'POST',
          url: '/api/v1/accounts',
          payload: {
            username,
            participant: 'GBR',
            displayName: username,
            roles: ['analyst'],
            ...(clearance ? { clearance } : {}),
            password: 'a long enough password',
          },
          headers: chief,
        });
      expect((await make('cleared-secret', 'SECRET')).json().clearance).toBe('SECRET');
      expect((await make('cleared-default')).json().clearance).toBe('CONFIDENTIAL');
      const bad = await make('cleared-wrong', 'TOP SECRET');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('validation_failed');
      const listed = (await get('/api/v1/accounts?participant=GBR', chief)).json().items;
      expect(listed.find((a: { username: string }) => a.username === 'cleared-secret').clearance).toBe(
        'SECRET',
      );
    });

    it('refuses a clearance that is not a classification, and an unknown account as not found', async () => {
      for (const clearance of ['secret', 'TOP_SECRET', '', 3, null]) {
        const res = await setClearance(analystId, clearance, chief);
        expect(res.statusCode).toBe(400);
        expect(res.json().code).toBe('validation_failed');
      }
      const missing = await setClearance('01900000-0000-7000-8000-000000000000', 'RESTRICTED', chief);
      expect(missing.statusCode).toBe(404);
      expect(missing.json().code).toBe('not_found');
    });
  });
}
