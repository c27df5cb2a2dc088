import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, authorize, startApp, TEST_PASSWORD } from '../../test/harness.ts';
import { type App, createApp } from '../app.ts';
import { loadConfig } from '../kernel/config/config.ts';
import { generateLogKey } from '../kernel/ledger/log-key.ts';
import type { Store } from '../kernel/store/store.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import { AccountService } from './account-service.ts';
import { generateSecretsKey } from './secret-box.ts';
import { newTotpSecret, TOTP_STEP_SECONDS, totpAt } from './totp.ts';

/** A code of the next step: the current one may be spent already (codes are good once). */
const nextCode = (secret: string) => totpAt(secret, new Date(Date.now() + TOTP_STEP_SECONDS * 1000));

async function storedSecret(store: Store, accountId: string): Promise<string | null> {
  const row = await store.db
    .selectFrom('accounts')
    .select('totp_secret')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return row.totp_secret;
}

function signIn(app: App, username: string, totpCode?: string) {
  return app.http.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { username, password: TEST_PASSWORD, ...(totpCode ? { totpCode } : {}) },
    headers: ANONYMOUS,
  });
}

function makeAnalyst(accounts: AccountService, username: string) {
  return accounts.createAccount(
    { username, participant: 'FRA', displayName: username, roles: ['analyst'], password: TEST_PASSWORD },
    'system:test',
  );
}

for (const dialect of DIALECTS) {
  describe(`TOTP secrets sealed at rest on ${dialect.name}`, () => {
    let app: App;
    beforeAll(async () => {
      app = await startApp(dialect);
    });
    afterAll(async () => {
      await app?.close();
    });

    /** Enrols and confirms the authenticator app over HTTP, as its owner; returns the base32 secret. */
    async function enrolOverHttp(username: string): Promise<string> {
      const first = await signIn(app, username);
      expect(first.statusCode).toBe(200);
      expect(first.json().totpEnrolmentRequired).toBe(true);
      const cookies = ([] as string[]).concat(first.headers['set-cookie'] ?? []);
      const value = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))!.split(';')[0]!;
      const headers = {
        cookie: `${value('guarantor_session')}; ${value('guarantor_csrf')}`,
        'x-csrf-token': value('guarantor_csrf').split('=')[1]!,
      };
      const enrol = await app.http.inject({ method: 'POST', url: '/api/v1/account/totp', headers });
      expect(enrol.statusCode).toBe(200);
      const { secret } = enrol.json() as { secret: string };
      const confirm = await app.http.inject({
        method: 'POST',
        url: '/api/v1/account/totp/confirm',
        payload: { code: totpAt(secret, new Date()) },
        headers,
      });
      expect(confirm.statusCode).toBe(204);
      return secret;
    }

    it('stores only the sealed secret after enrolment over HTTP, and signs in with a code', async () => {
      const account = await makeAnalyst(app.accounts, 'sealed-olga');
      const secret = await enrolOverHttp('sealed-olga');
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);

      const stored = await storedSecret(app.store, account.id);
      expect(stored).toMatch(/^v1\./);
      expect(stored).not.toContain(secret);
      expect(stored!.toUpperCase()).not.toContain(secret);

      expect((await signIn(app, 'sealed-olga')).json().code).toBe('totp_required');
      const res = await signIn(app, 'sealed-olga', nextCode(secret));
      expect(res.statusCode).toBe(200);
      expect(res.json().totpEnrolmentRequired).toBe(false);
    });

    it("refuses a sealed secret moved onto another account's row: the usual sign_in_failed, never a 500", async () => {
      const victim = await makeAnalyst(app.accounts, 'swap-victim');
      const donor = await makeAnalyst(app.accounts, 'swap-donor');
      const victimSecret = await enrolOverHttp('swap-victim');
      const donorSecret = await enrolOverHttp('swap-donor');
      await app.store.db
        .updateTable('accounts')
        .set({ totp_secret: await storedSecret(app.store, donor.id), totp_last_step: null })
        .where('id', '=', victim.id)
        .execute();

      for (const code of [nextCode(donorSecret), nextCode(victimSecret)]) {
        const res = await signIn(app, 'swap-victim', code);
        expect(res.statusCode).toBe(401);
        expect(res.json().code).toBe('sign_in_failed');
      }
      const [last] = await app.accounts.listAccessEvents({ accountId: victim.id, limit: 1 });
      expect(last).toMatchObject({ event: 'sign_in.failed', details: { reason: 'totp_secret_unreadable' } });
      // The donor's own row still works.
      expect((await signIn(app, 'swap-donor', nextCode(donorSecret))).statusCode).toBe(200);
    });
  });

  describe(`TOTP secrets stored in clear by earlier versions, on ${dialect.name}`, () => {
    let store: Store;
    let app: App | undefined;
    const key = generateSecretsKey();
    const lines: string[] = [];
    afterAll(async () => {
      if (app) await app.close();
      else await store?.close();
    });

    it('still sign in, and are sealed in one pass at the next start, with nothing secret logged', async () => {
      store = await dialect.open();
      const accounts = new AccountService(store, { secretsKey: key });
      const legacy = await makeAnalyst(accounts, 'legacy-lena');
      const foreign = await makeAnalyst(accounts, 'foreign-key-fred');
      const clear = newTotpSecret();
      // As an earlier version left them: one secret in clear, one sealed under a key since lost.
      await store.db
        .updateTable('accounts')
        .set({ totp_secret: clear, totp_enabled: 1 })
        .where('id', '=', legacy.id)
        .execute();
      await store.db
        .updateTable('accounts')
        .set({ totp_secret: generateSecretsKey().seal(newTotpSecret(), 'lost'), totp_enabled: 1 })
        .where('id', '=', foreign.id)
        .execute();

      // Before the start pass the clear secret is read as it is.
      const before = await accounts.signIn({
        username: 'legacy-lena',
        password: TEST_PASSWORD,
        totpCode: totpAt(clear, new Date()),
      });
      expect(before.account.totpEnabled).toBe(true);
      expect(await storedSecret(store, legacy.id)).toBe(clear);

      const log = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      app = await authorize(
        await createApp(loadConfig({ GUARANTOR_DEMO: 'off', GUARANTOR_RATE_LIMIT: '0' }), {
          store,
          logger: pino({ level: 'info' }, log),
          logKey: generateLogKey(),
          secretsKey: key,
        }),
      );

      const sealed = await storedSecret(store, legacy.id);
      expect(sealed).toMatch(/^v1\./);
      expect(sealed).not.toContain(clear);
      expect(key.open(sealed!, `guarantor/totp-secret/${legacy.id}`)).toBe(clear);
      const logged = lines.join('');
      expect(logged).toContain('sealed TOTP secrets stored in clear');
      expect(logged).toContain('do not open with this secrets key');
      expect(logged).not.toContain(clear);
      expect(logged).not.toContain(sealed);

      const res = await signIn(app, 'legacy-lena', nextCode(clear));
      expect(res.statusCode).toBe(200);
      const lost = await signIn(app, 'foreign-key-fred', nextCode(clear));
      expect(lost.statusCode).toBe(401);
      expect(lost.json().code).toBe('sign_in_failed');
    });
  });
}
