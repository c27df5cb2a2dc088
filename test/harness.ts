/**
 * Test harness: a real Guarantor (real store on a real dialect, real fastify) driven through
 * `inject`, so route tests exercise exactly what a client would, without opening a port.
 */

import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { pino } from 'pino';
import { AccountService } from '../src/access/account-service.ts';
import type { Classification } from '../src/access/labels.ts';
import { type Role, TOKEN_SCOPES } from '../src/access/roles.ts';
import { generateSecretsKey } from '../src/access/secret-box.ts';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/kernel/config/config.ts';
import { generateLogKey } from '../src/kernel/ledger/log-key.ts';
import { openStore } from '../src/kernel/store/store.ts';
import type { TestDialect } from '../src/kernel/store/test-dialects.ts';

/**
 * A started app whose `http.inject` calls carry an API token of a secretariat account (analyst and
 * administrator, every scope), so route tests read as before; pass `headers: ANONYMOUS` to call as
 * the public, or your own `authorization` or `cookie` header to call as someone else.
 */
export async function startApp(dialect: TestDialect, demo: 'on' | 'off' = 'off'): Promise<App> {
  const store = await dialect.open();
  // Rate limits would throttle a suite that sends everything from one address; they have their own tests.
  const app = await createApp(loadConfig({ GUARANTOR_DEMO: demo, GUARANTOR_RATE_LIMIT: '0' }), {
    store,
    logger: pino({ level: 'silent' }),
    logKey: generateLogKey(),
    secretsKey: generateSecretsKey(),
  });
  return authorize(app);
}

/** Makes `app.http.inject` call as the test secretariat unless a call says who it is (see startApp). */
export async function authorize(app: App): Promise<App> {
  const token = await secretariatToken(app);
  const inject = app.http.inject.bind(app.http);
  const withToken = (opts: InjectOptions) => {
    const given = { ...(opts.headers ?? {}) } as Record<string, unknown>;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(given)) if (v !== undefined) headers[k] = v as string | string[];
    if (!('authorization' in given) && !('cookie' in given)) headers.authorization = `Bearer ${token}`;
    return inject({ ...opts, headers });
  };
  (app.http as unknown as { inject: typeof withToken }).inject = withToken;
  return app;
}

/** Headers for a call as the anonymous public. */
export const ANONYMOUS = { authorization: undefined } as unknown as Record<string, string>;

export const TEST_PASSWORD = 'correct horse battery staple';

async function secretariatToken(app: App): Promise<string> {
  return secretariatTokenFor(app.accounts);
}

/**
 * An API token of a new secretariat account (analyst and administrator, every scope), for tests that
 * drive a server in its own process: give them the store or data directory before it starts.
 */
export async function secretariatTokenFor(target: AccountService | string): Promise<string> {
  if (typeof target === 'string') {
    const store = await openStore({ kind: 'sqlite', file: join(target, 'guarantor.sqlite') });
    try {
      return await secretariatTokenFor(new AccountService(store));
    } finally {
      await store.close();
    }
  }
  const account = await target.createAccount(
    {
      username: `test-secretariat-${++seq}`,
      participant: 'CWS',
      displayName: 'Test secretariat',
      roles: ['analyst', 'administrator'],
      password: TEST_PASSWORD,
    },
    'system:test',
  );
  const { token } = await target.issueApiToken(
    {
      owner: { accountId: account.id },
      name: 'route tests',
      scopes: [...TOKEN_SCOPES],
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    },
    'system:test',
  );
  return token;
}

/**
 * Signs in through the API as a new account with these roles (cleared to `clearance`, by default the
 * default CONFIDENTIAL); returns the cookie and CSRF headers. The account is a demonstration one, let
 * off TOTP, unless `demo` is false: then a privileged account's session can only enrol an authenticator.
 */
export async function signedInAs(
  app: App,
  roles: Role[],
  participant = 'FRA',
  clearance?: Classification,
  demo = true,
): Promise<{ cookie: string; 'x-csrf-token': string }> {
  const username = `t-${roles.length > 2 ? `${roles.length}-roles` : roles.join('-').replaceAll('_', '-')}-${participant}-${++seq}`;
  await app.accounts.createAccount(
    {
      username,
      participant,
      displayName: username,
      roles,
      password: TEST_PASSWORD,
      ...(clearance ? { clearance } : {}),
    },
    'system:test',
    { demo },
  );
  const res = await app.http.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { username, password: TEST_PASSWORD },
    headers: ANONYMOUS,
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const value = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))!.split(';')[0]!;
  return {
    cookie: `${value('guarantor_session')}; ${value('guarantor_csrf')}`,
    'x-csrf-token': value('guarantor_csrf').split('=')[1]!,
  };
}

let seq = 0;

/** A valid report near Donetsk, one hour ago; override any field. */
export function aReport(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const from = new Date(Date.now() - 3_600_000);
  return {
    clientInstanceId: `test-${process.pid}-${++seq}`,
    source: { kind: 'patrol', id: 'FRA-patrol-1', participant: 'FRA' },
    observedFrom: from.toISOString(),
    observedTo: new Date(from.getTime() + 5 * 60_000).toISOString(),
    observer: { lon: 37.6, lat: 48.0, accuracyM: 20 },
    event: { lon: 37.65, lat: 48.02 },
    geoPrecision: 'near',
    type: 'explosion',
    weaponClass: 'artillery_100mm_plus',
    count: 4,
    means: 'heard',
    ...overrides,
  };
}

export async function count(
  app: App,
  table: 'reports' | 'incidents' | 'ledger_leaves' | 'incident_events',
): Promise<number> {
  const row = await app.store.db
    .selectFrom(table)
    .select(({ fn }) => fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
