import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../app.ts';
import { loadConfig } from '../kernel/config/config.ts';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const WEB_ROOT = join(REPO_ROOT, 'dist/web');

export async function serveCommand(flags: {
  host?: string;
  port?: string;
  data?: string;
  databaseUrl?: string;
  demo?: string;
  buildWeb?: boolean;
}): Promise<void> {
  const config = loadConfig(process.env, {
    host: flags.host,
    port: flags.port,
    dataDir: flags.data,
    databaseUrl: flags.databaseUrl,
    demo: flags.demo,
  });
  if (flags.buildWeb && webIsStale()) {
    process.stderr.write('Building the web app (once; later starts reuse it)...\n');
    const { build } = await import('vite');
    await build({ configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  }
  const app = await createApp(config, { webRoot: WEB_ROOT });
  const stop = async (signal: string) => {
    app.logger.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  const address = await app.http.listen({ host: config.host, port: config.port });
  app.logger.info(`Guarantor is serving at ${address.replace('0.0.0.0', '127.0.0.1')}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function webIsStale(): boolean {
  const index = join(WEB_ROOT, 'index.html');
  if (!existsSync(index)) return true;
  // The bundle includes the shared domain modules, so a change there also rebuilds it.
  const sources = [
    join(REPO_ROOT, 'web'),
    join(REPO_ROOT, 'src/monitoring'),
    join(REPO_ROOT, 'vite.config.ts'),
  ];
  const built = statSync(index).mtimeMs;
  return sources.some(
    (p) => existsSync(p) && (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs) > built,
  );
}
