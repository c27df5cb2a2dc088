/**
 * What the browser test stands on: the built web app (rebuilt only when its sources changed), the
 * real server with the demonstration loaded in a fresh data directory, and Debian's Chromium,
 * watched for console errors and for any request that leaves this machine.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/kernel/config/config.ts';

export const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
export const WEB_ROOT = join(REPO, 'dist/web');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds web/ into dist/web unless the build is newer than everything it is made from. */
export async function ensureWebBuilt(): Promise<void> {
  const index = join(WEB_ROOT, 'index.html');
  const inputs = [
    join(REPO, 'web/src'),
    join(REPO, 'web/index.html'),
    join(REPO, 'vite.config.ts'),
    join(REPO, 'src/monitoring'),
    // The in-browser ledger check bundles the verifier from here.
    join(REPO, 'src/kernel/ledger'),
  ];
  if (existsSync(index) && Math.max(...inputs.map(newestMtime)) < statSync(index).mtimeMs) return;
  const { build } = await import('vite');
  await build({ configFile: join(REPO, 'vite.config.ts'), logLevel: 'warn' });
}

export interface Server {
  app: App;
  url: string;
  close(): Promise<void>;
}

export async function startServer(): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'guarantor-e2e-'));
  const app = await createApp(
    loadConfig({ GUARANTOR_DATA: dataDir, GUARANTOR_DEMO: 'on', LOG_LEVEL: 'warn' }),
    {
      webRoot: WEB_ROOT,
    },
  );
  const address = await app.http.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url: address,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}

export interface Watch {
  consoleErrors: string[];
  /** Requests to anywhere but the test server: the app must work offline. */
  offMachine: string[];
  /** Requests that failed for a reason other than the app cancelling them. */
  failed: string[];
  /** URLs a step fails on purpose; the browser's own "failed to load" message for them is not an error. */
  allowed: RegExp[];
}

function isLocal(url: string): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return true;
  try {
    const { hostname, protocol } = new URL(url);
    return (
      (protocol === 'http:' || protocol === 'https:') &&
      ['127.0.0.1', 'localhost', '[::1]'].includes(hostname)
    );
  } catch {
    return false;
  }
}

export function watch(page: Page): Watch {
  const w: Watch = { consoleErrors: [], offMachine: [], failed: [], allowed: [] };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location().url;
    if (msg.text().startsWith('Failed to load resource') && w.allowed.some((re) => re.test(url))) return;
    w.consoleErrors.push(`${msg.text()} (${url})`);
  });
  page.on('pageerror', (error) => w.consoleErrors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    if (!isLocal(request.url())) w.offMachine.push(request.url());
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // The app aborts an incident fetch when the filters change under it; that is not a failure.
    if (reason !== 'net::ERR_ABORTED') w.failed.push(`${request.url()}: ${reason}`);
  });
  return w;
}
