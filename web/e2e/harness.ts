/**
 * What the browser test stands on: the built web app (rebuilt only when its sources changed), the
 * real server with the demonstration loaded in a fresh data directory, and Debian's Chromium,
 * watched for console errors and for any request that leaves this machine.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
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
    // Roles and their permissions decide what the app offers each account.
    join(REPO, 'src/access'),
  ];
  const fresh = () => existsSync(index) && Math.max(...inputs.map(newestMtime)) < statSync(index).mtimeMs;
  if (fresh()) return;
  // Each browser test file runs in its own process, and a build empties dist/web before it writes:
  // one process builds while the others wait, then find the build fresh.
  await takeBuildLock();
  try {
    if (fresh()) return;
    const { build } = await import('vite');
    await build({ configFile: join(REPO, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

const BUILD_LOCK = join(REPO, 'dist/.web-build.lock');
/** A lock older than this was left by a process that died mid-build. */
const STALE_LOCK_MS = 180_000;

async function takeBuildLock(): Promise<void> {
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  for (;;) {
    try {
      // mkdir either creates the directory or fails: only one process can hold it.
      mkdirSync(BUILD_LOCK);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      if (Date.now() - statSync(BUILD_LOCK).mtimeMs > STALE_LOCK_MS)
        rmSync(BUILD_LOCK, { recursive: true, force: true });
    } catch {
      // Released meanwhile; try again.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Server {
  app: App;
  url: string;
  close(): Promise<void>;
}

/** `env` adds to or overrides the configuration, e.g. a small evidence size limit. */
export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'guarantor-e2e-'));
  const app = await createApp(
    loadConfig({ GUARANTOR_DATA: dataDir, GUARANTOR_DEMO: 'on', LOG_LEVEL: 'warn', ...env }),
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

/** A fresh context (1280×800 unless `options` say otherwise) and its one page, watched. */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; watched: Watch }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  // Well under the test's own timeout, so a stuck step names itself.
  page.setDefaultTimeout(10_000);
  return { context, page, watched: watch(page) };
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

/** The demonstration accounts' published password (README). */
export { DEMO_PASSWORD } from '../../src/access/demo-accounts.ts';

/** Signs in through the app's own sign-in page and waits for the header to name the account. */
export async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  if (!new URL(page.url(), base).pathname.startsWith('/sign-in')) await page.goto(`${base}/sign-in`);
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-testid="signed-in-meta"]', { hasText: username }).waitFor();
}

export interface ApiCall {
  method: string;
  /** Path and query, without the origin. */
  path: string;
  status: number;
}

/** Every API answer the page receives, to check what a role's pages asked for and were given. */
export function recordApi(page: Page, base: string): ApiCall[] {
  const calls: ApiCall[] = [];
  page.on('response', (response) => {
    const url = response.url();
    if (!url.startsWith(`${base}/api/`) && !url.startsWith(`${base}/ledger/`)) return;
    calls.push({
      method: response.request().method(),
      path: url.slice(base.length),
      status: response.status(),
    });
  });
  return calls;
}

/** A request to the server from outside the browser, with the given cookies. */
export async function apiWithCookies(
  base: string,
  path: string,
  cookies: { name: string; value: string }[],
): Promise<Response> {
  return fetch(`${base}${path}`, {
    headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; '), accept: 'application/json' },
  });
}

/** Signs in from outside the browser, as a script would; the cookies to send with later requests. */
export async function apiSignIn(
  base: string,
  username: string,
  password: string,
): Promise<{ name: string; value: string }[]> {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${username} answered ${res.status}: ${await res.text()}`);
  return res.headers.getSetCookie().map((line) => {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
}
