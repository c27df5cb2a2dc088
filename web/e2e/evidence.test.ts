/**
 * Evidence and its chain of custody in a real browser against the real server with the demonstration
 * loaded: the analyst attaches C2PA sample photographs and a camera photo to a report of an incident,
 * sees each listed with the SHA-256 of the file sent, the verdict on its content credentials, the
 * capture metadata, the thumbnail and the custody log; refused files are explained next to the file
 * field; downloading and exporting show up in the log; a copy handed on is recorded. A commission
 * delegate, who may read evidence but not attach it, sees the same items and no forms.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTiff, jpegWithExif, readTar } from '../../src/monitoring/evidence/evidence.fixture.ts';
import {
  apiSignIn,
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

const SAMPLES = join(REPO, 'test/fixtures/vectors/c2pa');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** Above every sample below (at most 166,864 bytes). */
const MAX_BYTES = 200_000;

/** A photo whose EXIF says when, where and with what it was taken (no content credentials). */
function cameraPhoto(): Buffer {
  const tiff = buildTiff({
    little: true,
    ifd0: [
      { tag: 0x010f, type: 2, value: 'Canon' },
      { tag: 0x0110, type: 2, value: 'Canon EOS R6' },
    ],
    exif: [
      { tag: 0x9003, type: 2, value: '2025:03:14 09:26:53' },
      { tag: 0x9011, type: 2, value: '+02:00' },
    ],
    gps: [
      { tag: 1, type: 2, value: 'N' },
      { tag: 2, type: 5, value: [48, 1, 0, 1, 5724, 100] },
      { tag: 3, type: 2, value: 'E' },
      { tag: 4, type: 5, value: [37, 1, 48, 1, 1008, 100] },
    ],
  });
  return Buffer.from(jpegWithExif(tiff, readFileSync(join(SAMPLES, 'no_manifest.jpg'))));
}

describe('evidence in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: Watch;
  const watches: Watch[] = [];
  let incidentId = '';
  let reportId = '';
  const signed = readFileSync(join(SAMPLES, 'CA.jpg'));
  const tampered = readFileSync(join(SAMPLES, 'E-sig-CA.jpg'));
  const photo = cameraPhoto();

  async function freshContext(): Promise<void> {
    await context?.close();
    ({ context, page, watched } = await openPage(browser, {
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    }));
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    watches.push(watched);
  }

  /** The evidence block of the report under test. */
  const block = (): Locator => page.locator(`[data-testid="evidence-report"][data-report-id="${reportId}"]`);
  const item = (sha: string): Locator =>
    block().locator(`[data-testid="evidence-item"][data-sha256="${sha}"]`);

  async function upload(file: { name: string; mimeType: string; buffer: Buffer }): Promise<Locator> {
    const form = block().getByTestId('evidence-upload');
    if (!(await form.isVisible())) await block().getByText('Attach evidence to this report').click();
    await form.getByLabel('File', { exact: true }).setInputFiles(file);
    await form.getByRole('button', { name: 'Upload' }).click();
    return form;
  }

  beforeAll(async () => {
    await ensureWebBuilt();
    // A small size limit, so that refusing a file too large is quick to show.
    [server, browser] = await Promise.all([
      startServer({ GUARANTOR_EVIDENCE_MAX_BYTES: String(MAX_BYTES) }),
      launchBrowser(),
    ]);
    // A report both the analyst and the delegate may read, so both see the same evidence.
    const analyst = await apiSignIn(server.url, 'demo-analyst', DEMO_PASSWORD);
    const delegate = await apiSignIn(server.url, 'demo-commission-delegate', DEMO_PASSWORD);
    const listed = await apiWithCookies(server.url, '/api/v1/incidents?limit=50', delegate);
    const { items } = (await listed.json()) as { items: { id: string }[] };
    for (const { id } of items) {
      const reportsFor = async (cookies: typeof analyst) =>
        (
          (await (await apiWithCookies(server.url, `/api/v1/incidents/${id}`, cookies)).json()) as {
            reports?: { id: string }[];
          }
        ).reports ?? [];
      const theirs = new Set((await reportsFor(analyst)).map((r) => r.id));
      const shared = (await reportsFor(delegate)).find((r) => theirs.has(r.id));
      if (shared) {
        incidentId = id;
        reportId = shared.id;
        break;
      }
    }
    expect(reportId).not.toBe('');
    await freshContext();
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('shows the analyst a report with no evidence yet, and the upload form behind a keyboard summary', async () => {
    await page.goto(`${server.url}/sign-in`);
    await signIn(page, server.url, 'demo-analyst', DEMO_PASSWORD);
    await page.goto(`${server.url}/incidents/${incidentId}`);
    await block().getByTestId('evidence-none').waitFor();
    await expect(block().getByTestId('evidence-none').textContent()).resolves.toBe('No evidence attached.');
    const form = block().getByTestId('evidence-upload');
    await expect(form.isVisible()).resolves.toBe(false);
    await block().getByText('Attach evidence to this report').focus();
    await page.keyboard.press('Enter');
    await form.waitFor();
    // Every control is labelled.
    for (const label of [
      'File',
      'Collected at (UTC, optional)',
      'Collected by (optional)',
      'Note (optional)',
    ]) {
      await expect(form.getByLabel(label, { exact: true }).count()).resolves.toBe(1);
    }
  });

  it('puts the server’s refusal of a file that is no accepted type next to the file field', async () => {
    watched.allowed.push(/\/api\/v1\/reports\/[^/]+\/evidence$/);
    const form = await upload({
      name: 'photo.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0xfd, 0x10, 0x20, 0x30, 0x40]),
    });
    const error = form.locator('.field-error:visible');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/not a type accepted as evidence; accepted: JPEG/);
    await expect(form.getByLabel('File', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(block().getByTestId('evidence-none').count()).resolves.toBe(1);
  });

  it('puts the size limit next to the file field when the file is larger', async () => {
    const form = await upload({
      name: 'large.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.concat([signed, Buffer.alloc(MAX_BYTES)]),
    });
    const error = form.locator('.field-error:visible');
    await expect
      .poll(() => error.textContent())
      .toBe('The file is too large: an evidence file is at most 195 KiB.');
    await expect(block().getByTestId('evidence-none').count()).resolves.toBe(1);
  });

  it('uploads a C2PA-signed JPEG, showing progress, and lists it with its hash, verdict, thumbnail and custody', async () => {
    const form = block().getByTestId('evidence-upload');
    const yesterday = `${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}T08:15:30`;
    await form.getByLabel('Collected at (UTC, optional)').fill(yesterday);
    await form.getByLabel('Collected by (optional)').fill('Patrol 7 (FRA)');
    await form.getByLabel('Note (optional)').fill('Handed over at the checkpoint');
    // Hold the answer back a little, to see the form say it is busy.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    await page.route(/\/api\/v1\/reports\/[^/]+\/evidence$/, async (route) => {
      await held;
      await route.continue();
    });
    try {
      await upload({ name: 'CA.jpg', mimeType: 'image/jpeg', buffer: signed });
      await form.locator('.upload-progress').waitFor();
      await expect(form.locator('.upload-progress').textContent()).resolves.toContain(
        'Uploading “CA.jpg” (163 KiB)',
      );
      await expect(form.getByRole('button', { name: 'Upload' }).isDisabled()).resolves.toBe(true);
      await expect(form.getAttribute('aria-busy')).resolves.toBe('true');
    } finally {
      release();
    }
    const sha = sha256(signed);
    const entry = item(sha);
    await entry.waitFor();
    await page.unroute(/\/api\/v1\/reports\/[^/]+\/evidence$/);
    await expect(form.locator('.upload-progress').isHidden()).resolves.toBe(true);
    await expect(form.locator('.field-error:visible').count()).resolves.toBe(0);
    await expect(block().getByTestId('upload-status').textContent()).resolves.toBe(
      `Attached “CA.jpg”, SHA-256 ${sha}.`,
    );
    await expect(block().getByTestId('evidence-summary').getAttribute('data-count')).resolves.toBe('1');

    await expect(entry.getByTestId('sha256').textContent()).resolves.toBe(sha);
    await expect(entry.locator('h4').textContent()).resolves.toBe('CA.jpg');
    await expect(entry.textContent()).resolves.toContain('image/jpeg');
    await expect(entry.textContent()).resolves.toContain('163 KiB (166,864 bytes)');

    // No trust anchors are configured here: the sample's good signature is from an untrusted signer.
    const c2pa = entry.getByTestId('c2pa');
    await expect(c2pa.getAttribute('data-verdict')).resolves.toBe('untrusted');
    await expect(c2pa.textContent()).resolves.toBe('Valid · untrusted signer');
    await expect(entry.textContent()).resolves.toContain(
      'Signer: C2PA Signer, issued by C2PA Test Signing Cert',
    );

    const thumb = entry.getByTestId('thumbnail');
    await thumb.waitFor();
    await expect
      .poll(() => thumb.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)))
      .toBeGreaterThan(0);
    await expect(thumb.getAttribute('src')).resolves.toMatch(/^\/api\/v1\/evidence\/[^/]+\/thumbnail$/);

    const custody = entry.getByTestId('custody');
    const received = custody.locator('li[data-event="received"]');
    await received.waitFor();
    await expect(received.textContent()).resolves.toContain('received by demo-analyst (GBR)');
    await expect(received.textContent()).resolves.toContain(`SHA-256 ${sha.slice(0, 16)}…`);
    const collected = custody.locator('li[data-event="collected"]');
    await expect(collected.textContent()).resolves.toContain('collected by Patrol 7 (FRA)');
    await expect(collected.textContent()).resolves.toContain('“Handed over at the checkpoint”');
    const collectedAt = await collected.locator('time').getAttribute('datetime');
    expect(Date.parse(collectedAt ?? '')).toBe(Date.parse(`${yesterday}Z`));
    await expect(custody.locator('li[data-event="derived"]').count()).resolves.toBeGreaterThanOrEqual(1);
    // Every custody event names its ledger leaf, and the item's own leaf is checked in this browser.
    await expect(received.textContent()).resolves.toMatch(/ledger leaf \d+/);
    await expect(entry.getByTestId('evidence-ledger').textContent()).resolves.toMatch(
      /^Leaf \d+ \(the item\)/,
    );
    const badge = entry
      .getByTestId('evidence-ledger')
      .locator('.badge:not([data-ledger="pending"][title^="Not verified yet: checking"])');
    await badge.waitFor();
    await expect(badge.getAttribute('data-ledger')).resolves.not.toBe('failed');
    await page.screenshot({ path: '/tmp/evidence-uploaded.png', fullPage: true });
  });

  it('copies the SHA-256 with one button', async () => {
    const sha = sha256(signed);
    await item(sha).getByRole('button', { name: 'Copy the SHA-256' }).click();
    await item(sha).locator('.copy-status', { hasText: 'Copied' }).waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(sha);
  });

  it('keeps the same bytes once, and says so', async () => {
    await upload({ name: 'again.jpg', mimeType: 'image/jpeg', buffer: signed });
    await expect
      .poll(() => block().getByTestId('upload-status').textContent())
      .toMatch(/^These bytes were already attached to this report/);
    await expect(block().getByTestId('evidence-item').count()).resolves.toBe(1);
  });

  it('shows a tampered manifest as invalid with its failure codes', async () => {
    await upload({ name: 'E-sig-CA.jpg', mimeType: 'image/jpeg', buffer: tampered });
    const entry = item(sha256(tampered));
    await entry.waitFor();
    await expect(entry.getByTestId('c2pa').getAttribute('data-verdict')).resolves.toBe('invalid');
    await expect(entry.getByTestId('c2pa').textContent()).resolves.toBe('Invalid');
    await expect(entry.getByTestId('c2pa-codes').locator('li').allTextContents()).resolves.toContain(
      'claimSignature.mismatch',
    );
  });

  it('shows what a camera photo says about its capture: time, place and device', async () => {
    await upload({ name: 'camera.jpg', mimeType: 'image/jpeg', buffer: photo });
    const entry = item(sha256(photo));
    await entry.waitFor();
    const capture = await entry.getByTestId('capture').textContent();
    expect(capture).toContain('2025-03-14 07:26:53 UTC (the file says 2025-03-14T09:26:53+02:00)');
    expect(capture).toContain('48.01590° N, 37.80280° E');
    expect(capture).toContain('Canon EOS R6');
    await expect(entry.getByTestId('c2pa').getAttribute('data-verdict')).resolves.toBe('none');
    await expect(entry.textContent()).resolves.toContain('The file carries no content credentials.');
    await expect(block().getByTestId('evidence-summary').getAttribute('data-count')).resolves.toBe('3');
  });

  it('records a copy handed on, with its recipient and note', async () => {
    const entry = item(sha256(signed));
    await entry.getByText('Record a custody event for CA.jpg').click();
    const form = entry.getByTestId('custody-form');
    await form.getByLabel('What happened').selectOption('copied');
    // A copy must say where it went.
    await form.getByRole('button', { name: 'Record the event' }).click();
    await expect(form.locator('.field-error:visible').textContent()).resolves.toBe(
      'Say to whom or where the copy went.',
    );
    await form.getByLabel('To whom or where').fill('OSCE archive, Vienna');
    await form.getByLabel('Note (optional)').fill('Sealed USB drive no. 12');
    await form.getByRole('button', { name: 'Record the event' }).click();
    const copied = entry.getByTestId('custody').locator('li[data-event="copied"]');
    await copied.waitFor();
    await expect(copied.textContent()).resolves.toContain('to OSCE archive, Vienna');
    await expect(copied.textContent()).resolves.toContain('“Sealed USB drive no. 12”');
    await expect(entry.getByTestId('custody-status').textContent()).resolves.toMatch(
      /^Recorded: copied to OSCE archive/,
    );
  });

  it('downloads the original byte for byte, and the custody log shows it was viewed', async () => {
    const entry = item(sha256(signed));
    const custody = entry.getByTestId('custody');
    await expect(custody.locator('li[data-event="viewed"]').count()).resolves.toBe(0);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      entry.getByTestId('evidence-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('CA.jpg');
    expect(sha256(readFileSync(await download.path()))).toBe(sha256(signed));
    await custody.locator('li[data-event="viewed"]').waitFor();
    await expect(custody.locator('li[data-event="viewed"]').textContent()).resolves.toContain(
      'demo-analyst (GBR)',
    );
  });

  it('exports the item with its hashes and custody log, which records the export', async () => {
    const entry = item(sha256(signed));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      entry.getByTestId('evidence-export').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^evidence-[0-9a-f-]+\.tar$/);
    const names = readTar(readFileSync(await download.path())).map((e) => e.name);
    expect(names).toContain('SHA256SUMS');
    await entry.getByTestId('custody').locator('li[data-event="exported"]').waitFor();
  });

  it('shows a commission delegate the evidence and its custody, with no upload, custody or export', async () => {
    await freshContext();
    await page.goto(`${server.url}/sign-in`);
    await signIn(page, server.url, 'demo-commission-delegate', DEMO_PASSWORD);
    await page.goto(`${server.url}/incidents/${incidentId}`);
    const summary = block().getByTestId('evidence-summary');
    await summary.waitFor();
    await expect(summary.getAttribute('data-count')).resolves.toBe('3');
    await expect(summary.textContent()).resolves.toBe('Evidence: 3 items');
    // Collapsed until asked for, then opened from the keyboard.
    await expect(block().getByTestId('evidence-item').first().isVisible()).resolves.toBe(false);
    await summary.focus();
    await page.keyboard.press('Enter');
    const entry = item(sha256(signed));
    await entry.waitFor();
    await expect(entry.getByTestId('sha256').textContent()).resolves.toBe(sha256(signed));
    await entry.getByTestId('custody').locator('li[data-event="exported"]').waitFor();
    await expect(entry.getByTestId('evidence-download').count()).resolves.toBe(1);
    await expect(page.getByTestId('evidence-upload').count()).resolves.toBe(0);
    await expect(page.getByText('Attach evidence to this report').count()).resolves.toBe(0);
    await expect(page.getByTestId('custody-form').count()).resolves.toBe(0);
    await expect(page.getByTestId('evidence-export').count()).resolves.toBe(0);
    await page.screenshot({ path: '/tmp/evidence-delegate.png', fullPage: true });
  });

  it('made no console errors and no request off this machine', () => {
    for (const w of watches) {
      expect(w.consoleErrors).toEqual([]);
      expect(w.offMachine).toEqual([]);
      expect(w.failed).toEqual([]);
    }
  });
});
