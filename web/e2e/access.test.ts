/**
 * Accounts in a real browser against the real server with the demonstration loaded: the public sees
 * only what is published and never asks for more, each demonstration role sees its own actions, a
 * privileged account sets up its authenticator and signs in with a code, and signing out (here or
 * everywhere) ends the session on the server, not just in the page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpAt } from '../../src/access/totp.ts';
import {
  type ApiCall,
  apiSignIn,
  apiWithCookies,
  DEMO_PASSWORD,
  ensureWebBuilt,
  launchBrowser,
  openPage,
  recordApi,
  type Server,
  signIn,
  startServer,
  type Watch,
} from './harness.ts';

/** What the anonymous public may ask for: publications, geography and the ledger. */
const PUBLIC_API = [
  /^\/api\/v1\/daily-reports\//,
  /^\/api\/v1\/daily-summaries\?/,
  /^\/api\/v1\/compliance$/,
  /^\/api\/v1\/(oblasts|zones|sectors)$/,
  /^\/api\/v1\/ledger\//,
  /^\/ledger\//,
];

/** Content only some roles may read; an administrator's pages never ask for it. */
const CONTENT_API = /^\/api\/v1\/(incidents|reports|evidence)/;

describe('accounts and roles in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** The watch of the page in use; every page's is checked at the end. */
  let watched: Watch;
  const watches: Watch[] = [];
  let calls: ApiCall[];
  let incidentId = '';
  const chair = { username: 'e2e-chair', password: 'first password for the chair', secret: '' };

  /** A link of the main navigation (pages repeat some of their names in their own text). */
  const nav = (name: string) =>
    page.locator('nav[aria-label="Main"]').getByRole('link', { name, exact: true });

  async function freshContext(): Promise<void> {
    await context?.close();
    ({ context, page, watched } = await openPage(browser));
    watches.push(watched);
    calls = recordApi(page, server.url);
  }

  beforeAll(async () => {
    await ensureWebBuilt();
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    // The server itself refuses the public; the pages below must not even ask.
    expect((await apiWithCookies(server.url, '/api/v1/incidents?limit=1', [])).status).toBe(401);
    // An incident the demonstration monitor may read, whatever the labels release to France.
    const monitor = await apiSignIn(server.url, 'demo-monitor', DEMO_PASSWORD);
    const listed = await apiWithCookies(server.url, '/api/v1/incidents?limit=1', monitor);
    incidentId = ((await listed.json()) as { items: { id: string }[] }).items[0]!.id;
    await freshContext();
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  describe('the public', () => {
    it('sees the map of oblasts and zones without incidents, and a way to sign in', async () => {
      await page.goto(server.url);
      const map = page.locator('#ops-map[data-map-ready="true"]');
      await map.waitFor({ timeout: 30_000 });
      await expect(map.getAttribute('data-incident-count')).resolves.toBe('0');
      await expect(page.locator('#ops-map canvas').count()).resolves.toBe(1);
      await expect(page.getByTestId('sign-in-to-see').textContent()).resolves.toBe(
        'Sign in to see incidents',
      );
      await expect(page.getByTestId('sign-in-link').isVisible()).resolves.toBe(true);
      await expect(page.locator('nav[aria-label="Main"] a').allTextContents()).resolves.toEqual([
        'Map',
        'Daily report',
        'Ledger',
      ]);
      await expect(page.locator('.filters, .incident-row').count()).resolves.toBe(0);
      await page.screenshot({ path: '/tmp/access-public-map.png' });
    });

    it('reads the daily report with its chart and compliance', async () => {
      await nav('Daily report').click();
      await page.locator('svg.chart[data-days="30"]').waitFor({ timeout: 20_000 });
      await page.locator('[data-testid="sectors-table"]').waitFor();
      await expect(page.locator('[data-testid="determination"] .verdict').textContent()).resolves.toMatch(
        /Reliable ceasefire/,
      );
      // Where the report names an incident, the public gets its published spot report: open a day
      // whose published report names one.
      let named: string | undefined;
      for (let back = 1; back <= 30 && !named; back++) {
        const day = new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
        const report = (await (await fetch(`${server.url}/api/v1/daily-reports/${day}`)).json()) as {
          weaponViolations: unknown[];
          movementRestrictions: unknown[];
        };
        if (report.weaponViolations.length + report.movementRestrictions.length > 0) named = day;
      }
      expect(named).toBeDefined();
      await page.goto(`${server.url}/daily/${named}`);
      await page.locator('[data-testid="sectors-table"]').waitFor();
      const links = await page
        .locator('section a[href*="/incidents/"]')
        .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')));
      expect(links.length).toBeGreaterThan(0);
      expect(links.every((href) => href?.includes('/spot-report?format=html'))).toBe(true);
    });

    it('checks the ledger’s latest checkpoint in the browser', async () => {
      await nav('Ledger').click();
      const facts = page.locator('[data-testid="ledger-checkpoint"] dl[data-ledger="verified"]');
      await facts.waitFor({ timeout: 20_000 });
      expect(Number(await facts.getAttribute('data-size'))).toBeGreaterThan(0);
      await expect(page.getByTestId('ledger-vkey').textContent()).resolves.toMatch(/\+[0-9a-f]{8}\+/);
      const form = page.getByRole('form', { name: 'Check a record' });
      await form.getByLabel('Kind of record').selectOption('incident');
      await form.getByLabel('Its id').fill(incidentId);
      await form.getByRole('button', { name: 'Check' }).click();
      await page.locator('[data-testid="record-ledger"] .badge').waitFor();
    });

    it('is sent to sign in, not shown a broken page, when it opens an incident’s address', async () => {
      await page.goto(`${server.url}/incidents/${incidentId}`);
      await page.waitForURL(/\/sign-in\?/);
      const url = new URL(page.url());
      expect(url.searchParams.get('next')).toBe(`/incidents/${incidentId}`);
      await expect(page.getByTestId('sign-in-notice').textContent()).resolves.toBe(
        'Sign in to see this page.',
      );
      for (const path of ['/admin', '/access-trail', '/account']) {
        await page.goto(`${server.url}${path}`);
        await page.waitForURL(/\/sign-in\?/);
      }
    });

    it('asked the API for published material only, and was never refused', () => {
      expect(calls.length).toBeGreaterThan(5);
      const refused = calls.filter((c) => c.status >= 400);
      expect(refused).toEqual([]);
      const beyond = calls.filter((c) => !PUBLIC_API.some((re) => re.test(c.path)));
      expect(beyond).toEqual([]);
    });
  });

  describe('signing in', () => {
    it('says the same whether the account does not exist or the password is wrong', async () => {
      await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(`/incidents/${incidentId}`)}`);
      watched.allowed.push(/\/api\/v1\/session$/);
      const form = page.getByRole('form', { name: 'Sign in' });
      const attempt = async (username: string, password: string) => {
        await form.getByLabel('Username').fill(username);
        await form.getByLabel('Password').fill(password);
        await form.getByRole('button', { name: 'Sign in' }).click();
        const error = page.getByTestId('sign-in-error');
        await error.waitFor();
        const text = await error.textContent();
        await expect(form.getByLabel('Password').inputValue()).resolves.toBe('');
        return text;
      };
      const unknown = await attempt('nobody-here', 'not the password at all');
      const wrong = await attempt('demo-monitor', 'not the password at all');
      expect(unknown).toMatch(/^Sign-in failed/);
      expect(wrong).toBe(unknown);
      // The code field appears only when the server asks for it.
      await expect(form.getByLabel('Code from your authenticator app').isVisible()).resolves.toBe(false);
    });

    it('brings the monitor back to the incident it asked for, with no verification actions', async () => {
      await signIn(page, server.url, 'demo-monitor', DEMO_PASSWORD);
      await page.waitForURL(`**/incidents/${incidentId}`);
      await page.locator('[data-testid="incident-status"] .badge').waitFor();
      expect(await page.locator('table.reports tbody tr').count()).toBeGreaterThan(0);
      await page.getByTestId('read-only').waitFor();
      await expect(page.getByTestId('read-only').textContent()).resolves.toContain('your roles (monitor)');
      await expect(page.getByRole('button', { name: /^Mark / }).count()).resolves.toBe(0);
      await expect(page.locator('input[name="reportIds"]').count()).resolves.toBe(0);
      await expect(page.getByRole('form', { name: 'Merge' }).count()).resolves.toBe(0);
      await expect(page.getByRole('form', { name: 'Split' }).count()).resolves.toBe(0);
      await page.locator('#incident-map[data-map-ready="true"]').waitFor({ timeout: 20_000 });
      await page.screenshot({ path: '/tmp/access-monitor-incident.png', fullPage: true });
    });

    it('shows the monitor the incidents on the map, and no administration', async () => {
      await nav('Operations room').click();
      const map = page.locator('#ops-map[data-map-ready="true"]');
      await map.waitFor({ timeout: 30_000 });
      expect(Number(await map.getAttribute('data-incident-count'))).toBeGreaterThan(0);
      await expect(page.locator('nav[aria-label="Main"] a').allTextContents()).resolves.toEqual([
        'Operations room',
        'Daily report',
        'Ledger',
      ]);
      for (const path of ['/admin', '/import']) {
        await page.goto(`${server.url}${path}`);
        await page.getByTestId('forbidden').waitFor();
        await expect(page.locator('h1').textContent()).resolves.toBe('Not available to your roles');
      }
    });
  });

  describe('signing out', () => {
    it('returns to the public view, and the old session cookie no longer opens anything', async () => {
      const before = await context.cookies();
      const session = before.find((c) => c.name === 'guarantor_session');
      expect(session?.value).toBeTruthy();
      expect((await apiWithCookies(server.url, '/api/v1/session', before)).status).toBe(200);

      await page.goto(server.url);
      await page.locator('#ops-map[data-map-ready="true"]').waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByTestId('sign-in-to-see').waitFor();
      await expect(page.getByTestId('app-notice').textContent()).resolves.toBe('You are signed out.');
      await expect(page.getByTestId('sign-in-link').isVisible()).resolves.toBe(true);
      await page.locator('#ops-map[data-map-ready="true"]').waitFor({ timeout: 30_000 });
      await expect(page.locator('#ops-map').getAttribute('data-incident-count')).resolves.toBe('0');
      expect((await context.cookies()).filter((c) => c.name.startsWith('guarantor_'))).toEqual([]);

      // The cookie a thief might have copied is dead on the server too.
      const old = [session!];
      const who = await apiWithCookies(server.url, '/api/v1/session', old);
      expect(who.status).toBe(200);
      await expect(who.json()).resolves.toMatchObject({ account: null });
      expect((await apiWithCookies(server.url, '/api/v1/incidents?limit=1', old)).status).toBe(401);
    });
  });

  describe('the administrator', () => {
    it('sees administration and the access trail, but no incidents', async () => {
      await freshContext();
      await page.goto(`${server.url}/sign-in`);
      await signIn(page, server.url, 'demo-administrator', DEMO_PASSWORD);
      await page.locator('#ops-map[data-map-ready="true"]').waitFor({ timeout: 30_000 });
      await expect(page.locator('#ops-map').getAttribute('data-incident-count')).resolves.toBe('0');
      await expect(page.getByTestId('no-incidents').textContent()).resolves.toContain(
        'Your roles (administrator) do not include reading incidents',
      );
      await expect(page.locator('nav[aria-label="Main"] a').allTextContents()).resolves.toEqual([
        'Map',
        'Daily report',
        'Ledger',
        'Administration',
        'Access trail',
      ]);

      await nav('Administration').click();
      const accounts = page.getByTestId('accounts-table');
      await accounts.waitFor();
      for (const username of ['demo-analyst', 'demo-monitor', 'demo-administrator']) {
        await expect(accounts.locator(`tr[data-username="${username}"]`).count()).resolves.toBe(1);
      }
      await page.getByTestId('tokens-table').waitFor();
      await expect(page.getByTestId('tokens-table').textContent()).resolves.toContain('machine demo-sensor');

      await nav('Access trail').click();
      const events = page.getByTestId('access-events');
      await events.locator('tbody tr').first().waitFor();
      await expect(events.locator('tr[data-event="sign_in.failed"]').count()).resolves.toBeGreaterThanOrEqual(
        2,
      );
      await expect(events.locator('tr[data-event="sign_in"]').first().textContent()).resolves.toContain(
        'demo-administrator',
      );

      await page.goto(`${server.url}/incidents/${incidentId}`);
      await page.getByTestId('forbidden').waitFor();
      expect(calls.filter((c) => CONTENT_API.test(c.path))).toEqual([]);
      expect(calls.filter((c) => c.status >= 400)).toEqual([]);
      await page.screenshot({ path: '/tmp/access-admin.png', fullPage: true });
    });

    it('creates an account for a commission chair', async () => {
      await nav('Administration').click();
      const form = page.getByRole('form', { name: 'New account' });
      await form.getByLabel('Username').fill(chair.username);
      await form.getByLabel('Name', { exact: true }).fill('E2E chair (Netherlands)');
      await form.getByLabel('Participant').fill('nld');
      await form.getByLabel('commission chair').check();
      await form.getByLabel('Clearance').selectOption('SECRET');
      await form.getByLabel('First password').fill(chair.password);
      await form.getByRole('button', { name: 'Create the account' }).click();
      const row = page.locator('tr[data-username="e2e-chair"]');
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('NLD');
      await expect(row.getByTestId('account-clearance').textContent()).resolves.toBe('SECRET');
      // The secretariat's administrator lowers it again from the account's row.
      await row.getByLabel('Clearance of e2e-chair', { exact: true }).selectOption('CONFIDENTIAL');
      await row.getByRole('button', { name: 'Set the clearance of e2e-chair' }).click();
      await page.locator('.flash', { hasText: 'e2e-chair is now cleared to CONFIDENTIAL' }).waitFor();
      await page.waitForFunction(
        () =>
          document.querySelector('tr[data-username="e2e-chair"] [data-testid="account-clearance"]')
            ?.textContent === 'CONFIDENTIAL',
      );
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByTestId('sign-in-link').waitFor();
    });
  });

  describe('a privileged account', () => {
    it('must set up its authenticator app before anything else', async () => {
      // The server's "a code is needed" is a 401 the browser logs; it is expected here.
      watched.allowed.push(/\/api\/v1\/session$/);
      await page.goto(`${server.url}/sign-in`);
      const form = page.getByRole('form', { name: 'Sign in' });
      await form.getByLabel('Username').fill(chair.username);
      await form.getByLabel('Password').fill(chair.password);
      await form.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/account/authenticator');
      await page.getByTestId('totp-required').waitFor();
      await expect(page.locator('nav[aria-label="Main"] a').count()).resolves.toBe(0);
      // Any other page leads back here until it is done.
      await page.goto(`${server.url}/daily`);
      await page.waitForURL(/\/account\/authenticator\?next=%2Fdaily/);

      await page.getByRole('button', { name: 'Show my new secret' }).click();
      const uri = (await page.getByTestId('totp-uri').textContent()) ?? '';
      const secret = new URL(uri).searchParams.get('secret') ?? '';
      expect(uri).toMatch(/^otpauth:\/\/totp\/.*e2e-chair\?/);
      await expect(page.getByTestId('totp-secret').textContent()).resolves.toBe(
        secret.match(/.{1,4}/g)!.join(' '),
      );
      chair.secret = secret;
      const confirm = page.getByRole('form', { name: 'Confirm the authenticator app' });
      await confirm.getByLabel('Code from the app').fill(totpAt(secret, new Date()));
      await confirm.getByRole('button', { name: 'Confirm' }).click();
      // Back to where it was going, now with the chair's world.
      await page.waitForURL('**/daily');
      await expect(page.getByTestId('app-notice').textContent()).resolves.toContain(
        'authenticator app is set up',
      );
      await expect(page.locator('nav[aria-label="Main"] a').allTextContents()).resolves.toEqual([
        'Operations room',
        'Daily report',
        'Ledger',
        'Access trail',
      ]);
    });

    it('changes its password, which ends the session, and signs in again with a code', async () => {
      await page.getByRole('link', { name: 'Account' }).click();
      const form = page.getByRole('form', { name: 'Password' });
      await form.getByLabel('Current password').fill(chair.password);
      await form.getByLabel('New password', { exact: true }).fill('second password for the chair');
      await form.getByLabel('New password again').fill('second password for the chair');
      const old = await context.cookies();
      await form.getByRole('button', { name: 'Change password' }).click();
      await page.waitForURL(/\/sign-in\?reason=password_changed/);
      await expect(page.getByTestId('sign-in-notice').textContent()).resolves.toContain(
        'password was changed',
      );
      expect((await apiWithCookies(server.url, '/api/v1/incidents?limit=1', old)).status).toBe(401);

      const signInForm = page.getByRole('form', { name: 'Sign in' });
      await signInForm.getByLabel('Username').fill(chair.username);
      await signInForm.getByLabel('Password').fill('second password for the chair');
      await signInForm.getByRole('button', { name: 'Sign in' }).click();
      const code = signInForm.getByLabel('Code from your authenticator app');
      await code.waitFor();
      await expect(page.getByTestId('sign-in-error').textContent()).resolves.toContain('six-digit code');
      // The code just used to confirm is spent; the app's next one is good.
      await code.fill(totpAt(chair.secret, new Date(Date.now() + 30_000)));
      await signInForm.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('[data-testid="signed-in-meta"]', { hasText: 'e2e-chair' }).waitFor();
      await expect(page.locator('[data-testid="signed-in-meta"]').textContent()).resolves.toBe(
        'e2e-chair · NLD · commission chair',
      );
    });
  });

  describe('a session ended elsewhere', () => {
    it('sends the other browser to sign in, and back to where it was', async () => {
      // A second browser, signed in as the same analyst.
      const { context: other, page: elsewhere, watched: elsewhereWatch } = await openPage(browser);
      try {
        await elsewhere.goto(`${server.url}/sign-in`);
        await signIn(elsewhere, server.url, 'demo-analyst', DEMO_PASSWORD);
        await elsewhere.locator('#ops-map[data-map-ready="true"]').waitFor({ timeout: 30_000 });

        await freshContext();
        await page.goto(`${server.url}/sign-in`);
        await signIn(page, server.url, 'demo-analyst', DEMO_PASSWORD);
        await page.getByRole('link', { name: 'Account' }).click();
        await page.getByRole('button', { name: 'Sign out everywhere…' }).click();
        await page.getByRole('button', { name: 'Sign out everywhere', exact: true }).click();
        await page.getByTestId('app-notice').filter({ hasText: 'Signed out everywhere' }).waitFor();
        await expect(page.getByTestId('app-notice').textContent()).resolves.toMatch(
          /Signed out everywhere: [2-9]\d* sessions ended/,
        );
        await page.getByTestId('sign-in-link').waitFor();

        // The other browser learns it at its next request: opening an incident from its list.
        elsewhereWatch.allowed.push(/\/api\/v1\/incidents\//);
        const row = elsewhere.locator('.incident-row').first();
        const id = await row.getAttribute('data-incident-id');
        await row.click();
        await elsewhere.waitForURL(/\/sign-in\?/);
        await expect(elsewhere.getByTestId('sign-in-notice').textContent()).resolves.toContain(
          'Your session has ended',
        );
        await signIn(elsewhere, server.url, 'demo-analyst', DEMO_PASSWORD);
        await elsewhere.waitForURL(`**/incidents/${id}`);
        await elsewhere
          .getByRole('button', { name: /^Mark / })
          .first()
          .waitFor();
        expect(elsewhereWatch.consoleErrors).toEqual([]);
        expect(elsewhereWatch.failed).toEqual([]);
      } finally {
        await other.close();
      }
    });
  });

  it('made no console errors and no request off this machine', () => {
    expect(watches.flatMap((w) => w.consoleErrors)).toEqual([]);
    expect(watches.flatMap((w) => w.offMachine)).toEqual([]);
    expect(watches.flatMap((w) => w.failed)).toEqual([]);
  });
});
