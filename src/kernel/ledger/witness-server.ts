/**
 * The witness over HTTP: `POST <prefix>/add-checkpoint` as C2SP tlog-witness defines it, on plain
 * node:http so a member state can run it with nothing else (no database, no framework). Bodies are
 * capped: a valid request is a few kilobytes (63 proof lines and a note).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Witness } from './witness.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export interface WitnessServer {
  /** e.g. `http://127.0.0.1:7380`; the submission prefix is this plus `prefix`. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface WitnessServerOptions {
  host?: string;
  port?: number;
  /** The submission prefix path, without a trailing slash; default none. */
  prefix?: string;
  /** Told about each request's outcome, e.g. to log refusals. */
  onResult?: (result: { status: number; body: string }) => void;
}

function send(res: ServerResponse, status: number, contentType: string, body: string, extra = {}): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    length += (chunk as Buffer).length;
    if (length > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startWitnessServer(
  witness: Witness,
  options: WitnessServerOptions = {},
): Promise<WitnessServer> {
  const path = `${options.prefix ?? ''}/add-checkpoint`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://witness.invalid');
    if (url.pathname !== path) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    if (req.method !== 'POST') {
      return send(res, 405, 'text/plain; charset=utf-8', 'use POST\n', { allow: 'POST' });
    }
    void (async () => {
      try {
        const body = await readBody(req);
        if (body === undefined) {
          return send(res, 413, 'text/plain; charset=utf-8', `bodies are at most ${MAX_BODY_BYTES} bytes\n`);
        }
        const result = await witness.addCheckpoint(new Uint8Array(body.buffer, body.byteOffset, body.length));
        options.onResult?.(result);
        send(res, result.status, result.contentType, result.body);
      } catch (e) {
        options.onResult?.({ status: 500, body: String(e) });
        if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
        else res.destroy();
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}${options.prefix ?? ''}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
