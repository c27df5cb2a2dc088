/**
 * The operations room in a real browser against the real server with the demonstration loaded:
 * the demonstration analyst signs in, the offline map renders under the production
 * Content-Security-Policy, the analyst opens an incident and triages it (the history names the
 * signed-in account), and the daily report shows its 30-day chart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiWithCookies,
  DEMO_PASSWORD,
  ensureWebBuilt,
  launchBrowser,
  openPage,
  REPO,
  type Server,
  signIn,
  startServer,
  type Watch,
} from './harness.ts';

describe('operations room in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: Watch;
  let incidentId = '';

  beforeAll(async () => {
    await ensureWebBuilt();
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    ({ context, page, watched } = await openPage(browser));
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('signs the analyst in with a Secure, HttpOnly session cookie that Chromium keeps on 127.0.0.1', async () => {
    await page.goto(`${server.url}/sign-in`);
    await signIn(page, server.url, 'demo-analyst', DEMO_PASSWORD);
    await page.waitForURL(`${server.url}/`);
    await expect(page.locator('[data-testid="signed-in-meta"]').textContent()).resolves.toBe(
      'demo-analyst · GBR · analyst',
    );
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'guarantor_session');
    const csrf = cookies.find((c) => c.name === 'guarantor_csrf');
    // Chromium treats http://127.0.0.1 as a secure context, so it accepts and sends Secure cookies.
    expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
    expect(csrf).toMatchObject({ secure: true, httpOnly: false, sameSite: 'Strict' });
    const visible = await page.evaluate(() => document.cookie);
    expect(visible).toContain(`guarantor_csrf=${csrf!.value}`);
    expect(visible).not.toContain('guarantor_session');
  });

  it('draws the demonstration incidents on the offline map and lists them', async () => {
    await page.goto(server.url);
    const map = page.locator('#ops-map[data-map-ready="true"]');
    await map.waitFor({ timeout: 30_000 });
    const drawn = Number(await map.getAttribute('data-incident-count'));
    expect(drawn).toBeGreaterThan(0);
    // The map is WebGL in a canvas; a blank canvas would mean the style or worker failed.
    await expect(page.locator('#ops-map canvas').count()).resolves.toBe(1);

    const rows = page.locator('.incident-row');
    expect(await rows.count()).toBeGreaterThan(0);
    await expect(page.locator('#incident-list-heading').textContent()).resolves.toMatch(
      /Incidents in view \(\d+\)/,
    );
    await expect(page.locator('.demo-notice').first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/ops-room.png' });
  });

  it('widens the time window to 30 days with the slider and refetches', async () => {
    const inView = async () =>
      Number(
        (await page.locator('#incident-list-heading').textContent())?.match(/\((\d+)\)/)?.[1] ?? Number.NaN,
      );
    const week = await inView();
    await page.locator('#window-start').fill('29');
    await page.waitForURL(/from=29/);
    await page.locator('#ops-map[data-loading="false"]').waitFor();
    await expect(page.locator('#window-label').textContent()).resolves.toMatch(/\(30 days\)/);
    expect(await inView()).toBeGreaterThan(week);
  });

  it('narrows the list to the ticked statuses', async () => {
    for (const status of [
      'triaged',
      'under_investigation',
      'verified',
      'unverifiable',
      'rejected',
      'duplicate',
    ]) {
      await page.locator(`input[name="status"][value="${status}"]`).uncheck();
    }
    await page.waitForURL(/status=received/);
    await page.locator('#ops-map[data-loading="false"]').waitFor();
    const statuses = await page
      .locator('.incident-row .badge')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.status));
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['received']));
  });

  it('opens an incident from the list and triages it with a reason', async () => {
    const row = page.locator('.incident-row').first();
    incidentId = (await row.getAttribute('data-incident-id')) ?? '';
    await row.click();
    await page.waitForURL(`**/incidents/${incidentId}`);
    await expect(
      page.locator('[data-testid="incident-status"] .badge').getAttribute('data-status'),
    ).resolves.toBe('received');
    expect(await page.locator('table.reports tbody tr').count()).toBeGreaterThan(0);
    // The incident's label heads the page: published, or who within the coalition may see it.
    await expect(page.getByTestId('incident-label').textContent()).resolves.toMatch(
      /^(PUBLIC|RESTRICTED REL TO COALITION|CONFIDENTIAL REL TO GBR)$/,
    );
    const historyBefore = await page.locator('[data-testid="history"] li').count();

    await page.getByRole('button', { name: 'Mark triaged' }).click();
    const form = page.getByRole('form', { name: /Change status/ });
    // The server records who is signed in; the form no longer asks for a name.
    await expect(form.getByLabel('Your name').count()).resolves.toBe(0);
    // An empty form is refused next to its fields, before anything is sent.
    await form.getByRole('button', { name: 'Change to triaged' }).click();
    await expect(form.locator('.field-error:visible').first().textContent()).resolves.toContain('Say why');
    await expect(form.getByLabel('Reason').getAttribute('aria-invalid')).resolves.toBe('true');

    await form.getByLabel('Reason').fill('Two patrols corroborate; queue for review');
    await form.getByRole('button', { name: 'Change to triaged' }).click();

    await page.locator('[data-testid="incident-status"] .badge[data-status="triaged"]').waitFor();
    await expect(page.locator('.flash').textContent()).resolves.toContain('Status changed to triaged');
    const history = page.locator('[data-testid="history"] li');
    await expect(history.count()).resolves.toBe(historyBefore + 1);
    const last = await history.last().textContent();
    expect(last).toContain('demo-analyst (GBR)');
    expect(last).toContain('received → triaged');
    expect(last).toContain('Two patrols corroborate');
    // Triaged allows other actions than received did.
    await expect(page.getByRole('button', { name: 'Mark verified' }).count()).resolves.toBe(1);
  });

  it('keeps the change and the sign-in across a reload of the deep link', async () => {
    await page.reload();
    await page.locator('[data-testid="incident-status"] .badge[data-status="triaged"]').waitFor();
    await page.locator('#incident-map[data-map-ready="true"]').waitFor({ timeout: 20_000 });
    await expect(page.locator('[data-testid="signed-in-meta"]').textContent()).resolves.toContain(
      'demo-analyst',
    );
    await expect(page.locator('[data-testid="history"] li').last().textContent()).resolves.toContain(
      'demo-analyst (GBR)',
    );
    await page.getByRole('button', { name: 'Mark under investigation' }).click();
    await page.getByRole('form', { name: /Change status/ }).waitFor();
    await page.screenshot({ path: '/tmp/ops-incident.png', fullPage: true });
  });

  it('verifies with an assessed attribution, shown apart from what reports claim', async () => {
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Mark verified' }).click();
    const form = page.getByRole('form', { name: /Change status/ });
    await form.getByLabel('Reason').fill('Crater analysis and imagery agree');
    await form.getByLabel('Party responsible (optional)').fill('Party A (illustrative)');
    await form.getByRole('button', { name: 'Change to verified' }).click();
    await expect(form.locator('.field-error:visible').textContent()).resolves.toContain('at least one basis');
    await form.getByLabel('crater analysis').check();
    await form.getByLabel('Confidence').selectOption('high');
    await form.getByRole('button', { name: 'Change to verified' }).click();
    await page.locator('[data-testid="incident-status"] .badge[data-status="verified"]').waitFor();
    const assessed = await page.locator('.attribution .assessed').textContent();
    expect(assessed).toContain('Party A (illustrative)');
    expect(assessed).toContain('high');
    expect(assessed).toContain('crater analysis');
    await expect(page.locator('.attribution .claimed h3').textContent()).resolves.toContain(
      'not an assessment',
    );
  });

  it('shows the server’s problem when a merge names an incident that does not exist', async () => {
    watched.allowed.push(/\/api\/v1\/incidents\/[^/]+\/merge$/);
    const merge = page.getByRole('form', { name: 'Merge' });
    await merge
      .getByLabel('Incident ids to merge into this one')
      .fill('01a22b4e-0000-7000-8000-000000000000');
    await merge.getByLabel('Reason').fill('Same explosion');
    await merge.getByRole('button', { name: 'Merge into this incident' }).click();
    const problem = merge.locator('.form-error:visible, .field-error:visible').first();
    await expect(problem.textContent()).resolves.toMatch(/no incident 01a22b4e-0000-7000-8000-000000000000/);
  });

  it('shows, checked in the browser, that a demonstration incident and its reports are in the ledger', async () => {
    // Incidents are not public: the test asks with the analyst's session, as the page does.
    const res = await apiWithCookies(
      server.url,
      '/api/v1/incidents?status=verified&limit=20',
      await context.cookies(),
    );
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { id: string }[] };
    // Not the incident verified above: its latest change is newer than the checkpoint.
    const demo = items.find((i) => i.id !== incidentId);
    expect(demo).toBeDefined();
    await page.goto(`${server.url}/incidents/${demo!.id}`);
    const line = page.locator('[data-testid="incident-ledger"]');
    await line.locator('.badge[data-ledger="verified"]').waitFor();
    const badge = line.locator('.badge');
    await expect(badge.textContent()).resolves.toBe('Inclusion verified · not witnessed');
    await expect(badge.getAttribute('title')).resolves.toMatch(
      /^Checked in this browser: leaf \d+ \(incident\.transition, .*\) is in the checkpoint of \d+ leaves .* not witnessed/,
    );
    await expect(line.locator('.ledger-detail').textContent()).resolves.toMatch(
      /^leaf \d+ in the checkpoint of \d+ leaves, root .+…; not witnessed: signed by the log only/,
    );

    const reports = page.locator('[data-testid="report-ledger"] .badge');
    const n = await page.locator('table.reports tbody tr').count();
    expect(n).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('[data-testid="report-ledger"] .badge[data-ledger="verified"]').count())
      .toBe(n);
    await expect(reports.first().textContent()).resolves.toContain('verified');
    await page.screenshot({ path: '/tmp/ops-ledger.png', fullPage: true });
  });

  it('shows the check failing when a proof is tampered with on its way to the browser', async () => {
    const proofs = /\/api\/v1\/ledger\/inclusion\?/;
    await page.route(proofs, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { leaf: { proof: string[] } | null };
      if (body.leaf && body.leaf.proof.length > 0) {
        const hash = Buffer.from(body.leaf.proof[0]!, 'base64');
        hash[0]! ^= 0x01;
        body.leaf.proof[0] = hash.toString('base64');
      }
      await route.fulfill({ response, json: body });
    });
    try {
      await page.reload();
      const line = page.locator('[data-testid="incident-ledger"]');
      await line.locator('.badge[data-ledger="failed"]').waitFor();
      await expect(line.locator('.badge').textContent()).resolves.toBe('Inclusion check failed');
      await expect(line.locator('.ledger-detail').textContent()).resolves.toMatch(
        /does not lead to the checkpoint's root/,
      );
      const n = await page.locator('table.reports tbody tr').count();
      await expect
        .poll(() => page.locator('[data-testid="report-ledger"] .badge[data-ledger="failed"]').count())
        .toBe(n);
    } finally {
      await page.unroute(proofs);
    }
    await page.reload();
    await page.locator('[data-testid="incident-ledger"] .badge[data-ledger="verified"]').waitFor();
  });

  it('shows the daily report with its 30-day chart and the compliance determination', async () => {
    await page.getByRole('link', { name: 'Daily report' }).click();
    await page.waitForURL('**/daily');
    const chart = page.locator('svg.chart[data-days="30"]');
    await chart.waitFor({ timeout: 20_000 });
    expect(await chart.locator('rect.bar.incidents').count()).toBeGreaterThanOrEqual(30);
    const totals = await page.locator('svg.chart title').allTextContents();
    expect(totals.some((t) => /: [1-9]\d* incidents/.test(t))).toBe(true);
    await page.locator('[data-testid="sectors-table"]').waitFor();
    await expect(page.locator('[data-testid="determination"] .verdict').textContent()).resolves.toMatch(
      /Reliable ceasefire/,
    );
    await expect(page.locator('.demo-notice.inline').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/ops-daily.png', fullPage: true });

    // A daily report's own address works when loaded directly.
    const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    await page.goto(`${server.url}/daily/${day}`);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Daily report for ${day}`);
    await page.locator('svg.chart[data-days="30"] a.day.selected').waitFor();
  });

  it('imports a file of reports and lists the rows it refused', async () => {
    await page.locator('nav[aria-label="Main"]').getByRole('link', { name: 'Import', exact: true }).click();
    await page.waitForURL('**/import');
    const form = page.getByRole('form', { name: 'Import reports' });
    const csv = readFileSync(join(REPO, 'examples/reports.csv'), 'utf8');
    // One good example row and one with a latitude off the globe.
    const [header, first] = csv.split('\n');
    const bad = first!.replace(/^[^,]+/, 'e2e-bad-row').replace(',47.661,', ',99.5,');
    const body = `${header}\n${first!.replace(/^[^,]+/, 'e2e-good-row')}\n${bad}\n`;
    await form.getByLabel('File of reports').setInputFiles({
      name: 'two-rows.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(body),
    });
    await form.getByRole('button', { name: 'Import' }).click();
    const result = page.getByTestId('import-result');
    await result.locator('p', { hasText: 'imported' }).waitFor();
    await expect(result.locator('p').first().textContent()).resolves.toBe(
      '1 report imported, 1 row refused.',
    );
    await expect(result.locator('tbody tr').count()).resolves.toBe(1);
    await expect(result.locator('tbody tr td').first().textContent()).resolves.toBe('3');

    // The same kind of file all-or-nothing: the refused row rolls the good one back, and the page says so.
    watched.allowed.push(/\/api\/v1\/reports\/import\?allOrNothing=true/);
    await form.getByLabel('All or nothing').check();
    await form.getByLabel('File of reports').setInputFiles({
      name: 'two-rows-again.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(body.replaceAll('e2e-', 'e2e-all-')),
    });
    await form.getByRole('button', { name: 'Import' }).click();
    await result.locator('p', { hasText: 'Nothing was imported' }).waitFor();
    await expect(result.locator('p').first().textContent()).resolves.toBe(
      'Nothing was imported: 1 row was refused, and all-or-nothing rolled the rest back.',
    );
    await expect(result.locator('tbody tr td').first().textContent()).resolves.toBe('3');
  });

  it('made no console errors and no request off this machine', () => {
    expect(watched.consoleErrors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
    expect(watched.failed).toEqual([]);
  });
});
