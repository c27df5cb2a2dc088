import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, aReport, signedInAs, startApp, TEST_PASSWORD } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';

for (const dialect of DIALECTS) {
  describe(`sign-in and sessions over HTTP on ${dialect.name}`, () => {
    let app: App;
    beforeAll(async () => {
      app = await startApp(dialect);
    });
    afterAll(async () => {
      await app?.close();
    });

    const asCookie = (headers: { cookie: string; 'x-csrf-token': string }) => ({ cookie: headers.cookie });

    it('signs in with cookies that are HttpOnly, Secure and SameSite, and says who I am', async () => {
      await app.accounts.createAccount(
        {
          username: 'cookie-check',
          participant: 'FRA',
          displayName: 'Cookie check',
          roles: ['monitor'],
          password: TEST_PASSWORD,
        },
        'system:test',
      );
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: 'cookie-check', password: TEST_PASSWORD },
        headers: ANONYMOUS,
      });
      expect(res.statusCode).toBe(200);
      const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      const session = cookies.find((c) => c.startsWith('guarantor_session='))!;
      expect(session).toMatch(/HttpOnly/);
      expect(session).toMatch(/Secure/);
      expect(session).toMatch(/SameSite=Strict/);
      expect(cookies.find((c) => c.startsWith('guarantor_csrf='))).not.toMatch(/HttpOnly/);
      expect(res.json().account).toMatchObject({ username: 'cookie-check', participant: 'FRA' });
      expect(res.json().account.passwordHash).toBeUndefined();

      const me = await app.http.inject({
        method: 'GET',
        url: '/api/v1/session',
        headers: { cookie: session.split(';')[0]! },
      });
      expect(me.statusCode).toBe(200);
      expect(me.json().permissions).toContain('report:submit');
      expect(me.json().permissions).not.toContain('incident:transition');
    });

    it('ends the session at once on sign-out: the old cookie reads nothing afterwards', async () => {
      const analyst = await signedInAs(app, ['analyst']);
      expect(
        (await app.http.inject({ method: 'GET', url: '/api/v1/incidents', headers: analyst })).statusCode,
      ).toBe(200);
      const out = await app.http.inject({ method: 'DELETE', url: '/api/v1/session', headers: analyst });
      expect(out.statusCode).toBe(204);
      const after = await app.http.inject({ method: 'GET', url: '/api/v1/incidents', headers: analyst });
      expect(after.statusCode).toBe(401);
      expect(after.json().code).toBe('unauthenticated');
    });

    it('ends every session of an account the moment an administrator disables it', async () => {
      const analyst = await signedInAs(app, ['analyst']);
      const me = (await app.http.inject({ method: 'GET', url: '/api/v1/session', headers: analyst })).json();
      const disabled = await app.http.inject({
        method: 'POST',
        url: `/api/v1/accounts/${me.account.id}/disable`,
      });
      expect(disabled.statusCode).toBe(200);
      const after = await app.http.inject({ method: 'GET', url: '/api/v1/incidents', headers: analyst });
      expect(after.statusCode).toBe(401);
    });

    it('refuses a cookie-authenticated write without the CSRF token, and takes it with', async () => {
      const monitor = await signedInAs(app, ['monitor']);
      const without = await app.http.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: aReport(),
        headers: asCookie(monitor),
      });
      expect(without.statusCode).toBe(403);
      expect(without.json().code).toBe('csrf_failed');
      const wrong = await app.http.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: aReport(),
        headers: { ...asCookie(monitor), 'x-csrf-token': 'A'.repeat(43) },
      });
      expect(wrong.json().code).toBe('csrf_failed');
      const right = await app.http.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: aReport(),
        headers: monitor,
      });
      expect(right.statusCode).toBe(201);
    });

    it('throttles by the 10th failure with the same answer as a wrong password, for known and unknown names', async () => {
      const address = '203.0.113.77';
      const attempt = (username: string, password: string) =>
        app.http.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { username, password },
          headers: { ...ANONYMOUS, 'x-forwarded-for': address },
          remoteAddress: address,
        });
      await app.accounts.createAccount(
        {
          username: 'throttled',
          participant: 'GBR',
          displayName: 'T',
          roles: ['monitor'],
          password: TEST_PASSWORD,
        },
        'system:test',
      );
      const answers: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await attempt(i % 2 ? 'throttled' : `nobody-${i}`, 'not the password at all');
        expect(res.statusCode).toBe(401);
        answers.push(res.json().code);
      }
      expect(new Set(answers)).toEqual(new Set(['sign_in_failed']));
      // Now even the right password from that address is refused, in the same words.
      const locked = await attempt('throttled', TEST_PASSWORD);
      expect(locked.statusCode).toBe(401);
      expect(locked.json().code).toBe('sign_in_failed');
    });

    it('answers the public 401 and a signed-in caller without the role 403, before reading the body', async () => {
      const anonymous = await app.http.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: '{not json',
        headers: { ...ANONYMOUS, 'content-type': 'application/json' },
      });
      expect(anonymous.statusCode).toBe(401);
      const planner = await signedInAs(app, ['support_planner']);
      const forbidden = await app.http.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: '{not json',
        headers: { ...planner, 'content-type': 'application/json' },
      });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json().code).toBe('forbidden');
    });

    it('refuses an API token that is unknown or malformed instead of treating the caller as the public', async () => {
      for (const authorization of ['Bearer gtr_unknown', 'Basic abc', 'Bearer ']) {
        const res = await app.http.inject({
          method: 'GET',
          url: '/api/v1/zones',
          headers: { authorization },
        });
        expect(res.statusCode).toBe(401);
      }
    });
  });
}
