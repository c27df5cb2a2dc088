/**
 * Administrators act only within their own participant, unless they are the secretariat's: every
 * account and token route, called by a participant's administrator on another participant's account or
 * token, answers exactly as for one that does not exist. And what administrators may give: no clearance
 * above their own, the administrator role only from the secretariat (see manager.ts).
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInAs, startApp } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import type { Account } from './account-model.ts';
import type { Role } from './roles.ts';

type Headers = Record<string, string>;

const UNKNOWN = '01900000-0000-7000-8000-000000000000';
const PASSWORD = 'a long enough password';

for (const dialect of DIALECTS) {
  describe(`administrators within their participant on ${dialect.name}`, () => {
    let app: App;
    let fraAdmin: Headers;
    let fraAdminId: string;
    let cwsAdmin: Headers;
    let fraUser: Account;
    let gbrUser: Account;
    let gbrMachineToken: string;
    let fraMachineToken: string;
    let gbrAccountToken: string;
    let seq = 0;

    const call = (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      headers: Headers,
      payload?: object,
    ) => app.http.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    const make = (participant: string, roles: Role[] = ['monitor'], clearance?: 'SECRET') =>
      app.accounts.createAccount(
        {
          username: `scoped-${participant.toLowerCase()}-${++seq}`,
          participant,
          displayName: `Scoped ${participant}`,
          roles,
          password: PASSWORD,
          ...(clearance ? { clearance } : {}),
        },
        'system:test',
      );
    const machineToken = async (participant: string) =>
      (
        await app.accounts.issueApiToken(
          {
            owner: { machine: `sensor:${participant.toLowerCase()}-${++seq}`, participant },
            name: `sensor of ${participant}`,
            scopes: ['report:submit'],
            expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          },
          'system:test',
        )
      ).apiToken.id;
    const tokenBody = (owner: object, scopes = ['report:submit']) => ({
      owner,
      name: 'scoped token',
      scopes,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });

    /** The same answer as for an id that was never used: status, code, title, and detail but for the id. */
    const expectAsUnknown = (res: LightMyRequestResponse, unknown: LightMyRequestResponse, id: string) => {
      expect(res.statusCode).toBe(404);
      expect(unknown.statusCode).toBe(404);
      const { detail, instance: _i, ...rest } = res.json();
      const { detail: unknownDetail, instance: _u, ...unknownRest } = unknown.json();
      expect(rest).toEqual(unknownRest);
      expect(rest.code).toBe('not_found');
      expect(detail.replace(id, 'X')).toBe(unknownDetail.replace(UNKNOWN, 'X'));
    };

    beforeAll(async () => {
      app = await startApp(dialect);
      fraAdmin = await signedInAs(app, ['administrator'], 'FRA');
      fraAdminId = (await call('GET', '/api/v1/session', fraAdmin)).json().account.id;
      cwsAdmin = await signedInAs(app, ['administrator'], 'CWS', 'SECRET');
      fraUser = await make('FRA');
      gbrUser = await make('GBR', ['analyst']);
      gbrMachineToken = await machineToken('GBR');
      fraMachineToken = await machineToken('FRA');
      gbrAccountToken = (
        await app.accounts.issueApiToken(tokenBody({ accountId: gbrUser.id }) as never, 'system:test')
      ).apiToken.id;
    });
    afterAll(async () => {
      await app?.close();
    });

    it('lists to a participant’s administrator only the accounts and tokens of its participant', async () => {
      const accounts = (await call('GET', '/api/v1/accounts', fraAdmin)).json().items as Account[];
      expect(accounts.length).toBeGreaterThanOrEqual(2);
      expect(new Set(accounts.map((a) => a.participant))).toEqual(new Set(['FRA']));
      expect(accounts.map((a) => a.id)).toContain(fraUser.id);
      expect((await call('GET', '/api/v1/accounts?participant=GBR', fraAdmin)).json().items).toEqual([]);
      expect((await call('GET', '/api/v1/accounts?participant=FRA', fraAdmin)).json().items).toEqual(
        accounts,
      );

      const tokens = (await call('GET', '/api/v1/tokens', fraAdmin)).json().items as {
        id: string;
        participant: string;
      }[];
      expect(new Set(tokens.map((t) => t.participant))).toEqual(new Set(['FRA']));
      expect(tokens.map((t) => t.id)).toContain(fraMachineToken);
      expect((await call('GET', '/api/v1/tokens?participant=GBR', fraAdmin)).json().items).toEqual([]);
    });

    it('shows a participant’s administrator the access trail of its own participant only', async () => {
      const events = (await call('GET', '/api/v1/access-events?limit=1000', fraAdmin)).json().items as {
        participant: string | null;
      }[];
      expect(events.length).toBeGreaterThan(0);
      expect(new Set(events.map((e) => e.participant))).toEqual(new Set(['FRA']));
      const all = (await call('GET', '/api/v1/access-events?limit=1000', cwsAdmin)).json().items as {
        participant: string | null;
      }[];
      expect(all.some((e) => e.participant === 'GBR')).toBe(true);
      expect(all.some((e) => e.participant === 'FRA')).toBe(true);
    });

    it('lists every participant’s accounts and tokens to the secretariat’s administrators', async () => {
      const accounts = (await call('GET', '/api/v1/accounts', cwsAdmin)).json().items as Account[];
      expect(new Set(accounts.map((a) => a.participant))).toEqual(new Set(['FRA', 'GBR', 'CWS']));
      const tokens = (await call('GET', '/api/v1/tokens', cwsAdmin)).json().items as { id: string }[];
      expect(tokens.map((t) => t.id)).toEqual(
        expect.arrayContaining([gbrMachineToken, fraMachineToken, gbrAccountToken]),
      );
      expect(
        (await call('GET', '/api/v1/accounts?participant=GBR', cwsAdmin))
          .json()
          .items.map((a: Account) => a.id),
      ).toEqual([gbrUser.id]);
    });

    it('answers a change to another participant’s account exactly as for an unknown one, and changes nothing', async () => {
      const changes: [method: 'POST' | 'PUT', path: string, body?: object][] = [
        ['PUT', 'roles', { roles: ['monitor'] }],
        ['POST', 'clearance', { clearance: 'RESTRICTED' }],
        ['POST', 'disable'],
        ['POST', 'enable'],
        ['POST', 'password', { newPassword: 'another long enough password' }],
        // A password the policy refuses would be refused before anything is looked up for a known one.
        ['POST', 'password', { newPassword: 'short' }],
      ];
      const trail = (await app.accounts.listAccessEvents({ accountId: gbrUser.id })).length;
      for (const [method, path, body] of changes) {
        const theirs = await call(method, `/api/v1/accounts/${gbrUser.id}/${path}`, fraAdmin, body);
        const unknown = await call(method, `/api/v1/accounts/${UNKNOWN}/${path}`, fraAdmin, body);
        expectAsUnknown(theirs, unknown, gbrUser.id);
      }
      const issued = await call('POST', '/api/v1/tokens', fraAdmin, tokenBody({ accountId: gbrUser.id }));
      const issuedUnknown = await call('POST', '/api/v1/tokens', fraAdmin, tokenBody({ accountId: UNKNOWN }));
      expectAsUnknown(issued, issuedUnknown, gbrUser.id);
      expect(issued.json().field).toBe('owner.accountId');

      expect(await app.accounts.getAccount(gbrUser.id)).toEqual(gbrUser);
      expect(await app.accounts.listAccessEvents({ accountId: gbrUser.id })).toHaveLength(trail);
      const signedIn = await app.accounts.signIn({ username: gbrUser.username, password: PASSWORD });
      expect(signedIn.account.id).toBe(gbrUser.id);
    });

    it('answers a revocation of another participant’s token exactly as for an unknown one', async () => {
      for (const id of [gbrMachineToken, gbrAccountToken]) {
        const theirs = await call('DELETE', `/api/v1/tokens/${id}`, fraAdmin);
        const unknown = await call('DELETE', `/api/v1/tokens/${UNKNOWN}`, fraAdmin);
        expectAsUnknown(theirs, unknown, id);
      }
      const live = (await app.accounts.listApiTokens({ participant: 'GBR' })).filter(
        (t) => t.revokedAt === null,
      );
      expect(live.map((t) => t.id)).toEqual(expect.arrayContaining([gbrMachineToken, gbrAccountToken]));
    });

    it('lets a participant’s administrator manage its own participant’s accounts and tokens', async () => {
      const base = `/api/v1/accounts/${fraUser.id}`;
      expect(
        (await call('PUT', `${base}/roles`, fraAdmin, { roles: ['monitor', 'force_planner'] })).statusCode,
      ).toBe(200);
      expect(
        (await call('POST', `${base}/clearance`, fraAdmin, { clearance: 'RESTRICTED' })).json().clearance,
      ).toBe('RESTRICTED');
      expect((await call('POST', `${base}/disable`, fraAdmin)).json().disabled).toBe(true);
      expect((await call('POST', `${base}/enable`, fraAdmin)).json().disabled).toBe(false);
      expect(
        (await call('POST', `${base}/password`, fraAdmin, { newPassword: 'another long enough password' }))
          .statusCode,
      ).toBe(204);
      const token = await call('POST', '/api/v1/tokens', fraAdmin, tokenBody({ accountId: fraUser.id }));
      expect(token.statusCode).toBe(201);
      expect(token.json().apiToken.participant).toBe('FRA');
      expect((await call('DELETE', `/api/v1/tokens/${token.json().apiToken.id}`, fraAdmin)).statusCode).toBe(
        200,
      );
      expect((await call('DELETE', `/api/v1/tokens/${fraMachineToken}`, fraAdmin)).statusCode).toBe(200);
    });

    it('makes accounts and machine tokens only for its own participant, and these belong to it', async () => {
      const account = (participant: string, username: string) => ({
        username,
        participant,
        displayName: username,
        roles: ['monitor'],
        password: PASSWORD,
      });
      for (const participant of ['GBR', 'CWS']) {
        const res = await call(
          'POST',
          '/api/v1/accounts',
          fraAdmin,
          account(participant, `fra-made-${participant}`),
        );
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({ code: 'forbidden', field: 'participant' });
        expect(await app.accounts.findAccount(`fra-made-${participant}`)).toBeUndefined();
      }
      const own = await call('POST', '/api/v1/accounts', fraAdmin, account('FRA', 'fra-made-fra'));
      expect(own.statusCode).toBe(201);
      expect(own.json()).toMatchObject({ participant: 'FRA', clearance: 'CONFIDENTIAL' });

      const foreign = await call(
        'POST',
        '/api/v1/tokens',
        fraAdmin,
        tokenBody({ machine: 'sensor:gbr-x', participant: 'GBR' }),
      );
      expect(foreign.statusCode).toBe(403);
      expect(foreign.json()).toMatchObject({ code: 'forbidden', field: 'owner.participant' });
      const mine = await call(
        'POST',
        '/api/v1/tokens',
        fraAdmin,
        tokenBody({ machine: 'sensor:fra-x', participant: 'FRA' }),
      );
      expect(mine.statusCode).toBe(201);
      expect(mine.json().apiToken).toMatchObject({ machine: 'sensor:fra-x', participant: 'FRA' });
      const principal = await app.accounts.resolveApiToken(mine.json().token);
      expect(principal).toMatchObject({ kind: 'machine', participant: 'FRA' });
    });

    it('lets the secretariat’s administrators manage every participant’s accounts and tokens', async () => {
      const made = await call('POST', '/api/v1/accounts', cwsAdmin, {
        username: 'cws-made-gbr',
        participant: 'GBR',
        displayName: 'Made by the secretariat',
        roles: ['analyst'],
        clearance: 'SECRET',
        password: PASSWORD,
      });
      expect(made.statusCode).toBe(201);
      const id = made.json().id;
      expect(
        (await call('POST', `/api/v1/accounts/${id}/clearance`, cwsAdmin, { clearance: 'RESTRICTED' }))
          .statusCode,
      ).toBe(200);
      expect(
        (await call('PUT', `/api/v1/accounts/${id}/roles`, cwsAdmin, { roles: ['monitor'] })).statusCode,
      ).toBe(200);
      expect((await call('POST', `/api/v1/accounts/${id}/disable`, cwsAdmin)).statusCode).toBe(200);
      expect((await call('POST', `/api/v1/accounts/${id}/enable`, cwsAdmin)).statusCode).toBe(200);
      expect(
        (
          await call('POST', `/api/v1/accounts/${id}/password`, cwsAdmin, {
            newPassword: 'another long enough password',
          })
        ).statusCode,
      ).toBe(204);
      const machine = await call(
        'POST',
        '/api/v1/tokens',
        cwsAdmin,
        tokenBody({ machine: 'sensor:gbr-y', participant: 'GBR' }),
      );
      expect(machine.json().apiToken.participant).toBe('GBR');
      expect((await call('DELETE', `/api/v1/tokens/${gbrMachineToken}`, cwsAdmin)).statusCode).toBe(200);
    });

    describe('the administrator role', () => {
      let fellow: Account;
      beforeAll(async () => {
        fellow = await make('FRA', ['administrator']);
      });

      it('is given only by the secretariat’s administrators', async () => {
        const made = await call('POST', '/api/v1/accounts', fraAdmin, {
          username: 'fra-made-admin',
          participant: 'FRA',
          displayName: 'Would-be administrator',
          roles: ['monitor', 'administrator'],
          password: PASSWORD,
        });
        expect(made.statusCode).toBe(403);
        expect(made.json()).toMatchObject({ code: 'forbidden', field: 'roles' });
        expect(await app.accounts.findAccount('fra-made-admin')).toBeUndefined();
        const raised = await call('PUT', `/api/v1/accounts/${fraUser.id}/roles`, fraAdmin, {
          roles: ['monitor', 'administrator'],
        });
        expect(raised.statusCode).toBe(403);
        expect((await app.accounts.getAccount(fraUser.id))?.roles).not.toContain('administrator');

        const byCws = await call('PUT', `/api/v1/accounts/${fraUser.id}/roles`, cwsAdmin, {
          roles: ['monitor', 'administrator'],
        });
        expect(byCws.json().roles).toEqual(['monitor', 'administrator']);
        // Keeping the role it holds, or taking it away, is no grant.
        expect(
          (await call('PUT', `/api/v1/accounts/${fraUser.id}/roles`, fraAdmin, { roles: ['administrator'] }))
            .statusCode,
        ).toBe(200);
        expect(
          (await call('PUT', `/api/v1/accounts/${fraUser.id}/roles`, fraAdmin, { roles: ['monitor'] })).json()
            .roles,
        ).toEqual(['monitor']);
      });

      it('keeps another administrator’s account from being taken over or revived by a participant’s administrator', async () => {
        const password = await call('POST', `/api/v1/accounts/${fellow.id}/password`, fraAdmin, {
          newPassword: 'another long enough password',
        });
        expect(password.statusCode).toBe(403);
        const token = await call('POST', '/api/v1/tokens', fraAdmin, tokenBody({ accountId: fellow.id }));
        expect(token.statusCode).toBe(403);
        expect(token.json()).toMatchObject({ code: 'forbidden', field: 'owner.accountId' });
        expect((await call('POST', `/api/v1/accounts/${fellow.id}/disable`, fraAdmin)).statusCode).toBe(200);
        expect((await call('POST', `/api/v1/accounts/${fellow.id}/enable`, fraAdmin)).statusCode).toBe(403);
        expect((await app.accounts.getAccount(fellow.id))?.disabled).toBe(true);
        expect((await call('POST', `/api/v1/accounts/${fellow.id}/enable`, cwsAdmin)).statusCode).toBe(200);
        // Its own account is its own.
        const own = await call(
          'POST',
          '/api/v1/tokens',
          fraAdmin,
          tokenBody({ accountId: fraAdminId }, ['device:read']),
        );
        expect(own.statusCode).toBe(201);
      });
    });

    it('never hands an administrator the credentials of an account cleared above them', async () => {
      const secret = await make('GBR', ['monitor'], 'SECRET');
      const confidentialCws = await signedInAs(app, ['administrator'], 'CWS');
      const password = await call('POST', `/api/v1/accounts/${secret.id}/password`, confidentialCws, {
        newPassword: 'another long enough password',
      });
      expect(password.statusCode).toBe(403);
      expect(password.json().code).toBe('forbidden');
      const token = await call(
        'POST',
        '/api/v1/tokens',
        confidentialCws,
        tokenBody({ accountId: secret.id }),
      );
      expect(token.statusCode).toBe(403);
      expect(token.json()).toMatchObject({ code: 'forbidden', field: 'owner.accountId' });
      // Lowering it, or acting on it otherwise, is still theirs to do.
      expect((await call('POST', `/api/v1/accounts/${secret.id}/disable`, confidentialCws)).statusCode).toBe(
        200,
      );
      expect(
        (
          await call('POST', `/api/v1/accounts/${secret.id}/clearance`, confidentialCws, {
            clearance: 'CONFIDENTIAL',
          })
        ).statusCode,
      ).toBe(200);
      expect((await call('POST', `/api/v1/accounts/${secret.id}/enable`, confidentialCws)).statusCode).toBe(
        200,
      );
      expect(
        (await call('POST', '/api/v1/tokens', confidentialCws, tokenBody({ accountId: secret.id })))
          .statusCode,
      ).toBe(201);
    });
  });
}
