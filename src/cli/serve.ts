import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Server as TlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createApp } from '../app.ts';
import { ConfigError, loadConfig } from '../kernel/config/config.ts';
import { hardeningOptions } from '../kernel/http/hardening.ts';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const WEB_ROOT = join(REPO_ROOT, 'dist/web');

export async function serveCommand(flags: {
  host?: string;
  port?: string;
  data?: string;
  databaseUrl?: string;
  demo?: string;
  buildWeb?: boolean;
  tlsCert?: string;
  tlsKey?: string;
}): Promise<void> {
  const config = loadConfig(process.env, {
    host: flags.host,
    port: flags.port,
    dataDir: flags.data,
    databaseUrl: flags.databaseUrl,
    demo: flags.demo,
    tlsCert: flags.tlsCert,
    tlsKey: flags.tlsKey,
  });
  // Unreadable certificate or key files stop the start here, before any data is touched.
  hardeningOptions(config);
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
  // Asked for HTTPS but handed a plain server (the app not passing the TLS settings on) must never
  // quietly serve passwords and session cookies in the clear.
  if (config.tlsCert && !(app.http.server instanceof TlsServer)) {
    await app.close();
    throw new ConfigError('--tls-cert and --tls-key were given, but the server is not serving HTTPS');
  }
  const address = await app.http.listen({ host: config.host, port: config.port });
  app.logger.info(`Guarantor is serving at ${address.replace('0.0.0.0', '127.0.0.1')}`);
  // Session cookies are Secure: browsers elsewhere on the network will not send them over plain HTTP.
  if (!config.tlsCert && !config.trustProxy && !isLoopback(config.host)) {
    app.logger.warn(
      'serving plain HTTP beyond this machine: sign-in will not work from other machines; use --tls-cert and --tls-key, or a TLS reverse proxy with GUARANTOR_TRUST_PROXY (see the README)',
    );
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
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
