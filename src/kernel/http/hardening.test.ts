import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config/config.ts';
import { Api, route } from './api.ts';
import { ERRORS } from './errors.ts';
import {
  CONTENT_SECURITY_POLICY,
  type HardeningOptions,
  harden,
  hardeningOptions,
  nulField,
  RateLimiter,
  STRICT_TRANSPORT_SECURITY,
  serverOptions,
} from './hardening.ts';
import { buildServer } from './server.ts';

const silent = pino({ level: 'silent' });

function testApi(): Api {
  return new Api().add(
    route({
      method: 'GET',
      url: '/api/v1/things',
      operationId: 'listThings',
      summary: 'things',
      tags: ['test'],
      responses: { 200: { description: 'ok' } },
      errors: [],
      handler: async ({ req }) => ({ ip: req.ip, protocol: req.protocol }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/things',
      operationId: 'addThing',
      summary: 'add',
      tags: ['test'],
      body: z.object({ name: z.string() }),
      responses: { 201: { description: 'ok' } },
      errors: ['validation_failed'],
      handler: async ({ reply }) => {
        reply.status(201);
        return { ok: true };
      },
    }),
  );
}

function server(hardening?: HardeningOptions): Promise<FastifyInstance> {
  return buildServer({ api: testApi(), logger: silent, ...(hardening ? { hardening } : {}) });
}

/** A bare fastify with only the hardening, and a route that names its caller as the access guard would. */
function guarded(hardening: HardeningOptions): FastifyInstance {
  const app = Fastify({ ...serverOptions(hardening) }) as unknown as FastifyInstance;
  harden(app, hardening);
  const identify = async (req: { headers: Record<string, unknown> }) => {
    const account = req.headers['x-test-account'];
    if (typeof account === 'string') Reflect.set(req, 'principal', { kind: 'account', accountId: account });
  };
  app.get('/r', { onRequest: identify }, async () => ({ ok: true }));
  app.post('/w', { onRequest: identify }, async () => ({ ok: true }));
  return app;
}

function clock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

describe('RateLimiter', () => {
  it('allows a burst of perMinute, then refills continuously', () => {
    const c = clock();
    const limiter = new RateLimiter(60, c.now);
    for (let i = 0; i < 60; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    c.advance(999);
    expect(limiter.take('a')).toBe(1);
    c.advance(1);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('b')).toBe(0);
  });

  it('says how long to wait, in whole seconds', () => {
    const c = clock();
    const limiter = new RateLimiter(2, c.now);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.take('a')).toBe(30);
    c.advance(29_500);
    expect(limiter.take('a')).toBe(1);
  });

  it('mints nothing when the clock steps back', () => {
    const c = clock();
    const limiter = new RateLimiter(1, c.now);
    expect(limiter.take('a')).toBe(0);
    c.advance(-3_600_000);
    expect(limiter.take('a')).toBeGreaterThan(0);
    c.advance(3_600_000 + 60_000);
    expect(limiter.take('a')).toBe(0);
  });

  it('forgets the least recently seen key when full', () => {
    const limiter = new RateLimiter(1, () => 0, 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c');
    expect(limiter.size).toBe(2);
    expect(limiter.take('a')).toBeGreaterThan(0);
    expect(limiter.take('b')).toBe(0);
  });

  it('is off at 0 a minute', () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.size).toBe(0);
  });
});

describe('security headers', () => {
  it('are on every answer: success, problem and unknown route; HSTS and CORS are not, over plain HTTP', async () => {
    const app = await server();
    for (const res of [
      await app.inject({ method: 'GET', url: '/api/v1/things' }),
      await app.inject({ method: 'POST', url: '/api/v1/things', payload: { name: 1 } }),
      await app.inject({ method: 'GET', url: '/api/v1/nothing' }),
    ]) {
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self';/);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['permissions-policy']).toMatch(/camera=\(\).*microphone=\(\).*geolocation=\(\)/);
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    await app.close();
  });

  it('sends HSTS when a trusted proxy says the client used HTTPS, and not when anyone else says so', async () => {
    const behindProxy = await server({ trustProxy: ['127.0.0.1'] });
    const viaProxy = await behindProxy.inject({
      method: 'GET',
      url: '/api/v1/things',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    });
    expect(viaProxy.headers['strict-transport-security']).toBe(STRICT_TRANSPORT_SECURITY);
    expect(viaProxy.json()).toEqual({ ip: '203.0.113.9', protocol: 'https' });

    const spoofed = await behindProxy.inject({
      method: 'GET',
      url: '/api/v1/things',
      remoteAddress: '198.51.100.7',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    });
    expect(spoofed.headers['strict-transport-security']).toBeUndefined();
    expect(spoofed.json()).toEqual({ ip: '198.51.100.7', protocol: 'http' });
    await behindProxy.close();

    const direct = await server();
    const res = await direct.inject({
      method: 'GET',
      url: '/api/v1/things',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    });
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.json()).toEqual({ ip: '127.0.0.1', protocol: 'http' });
    await direct.close();
  });

  it('answers paths the router cannot decode or that are too long as problems, with the headers', async () => {
    const app = await server();
    for (const [url, code] of [
      ['/api/v1/things/%FF%FE', 'route_not_found'],
      ['/api/v1/things/%E0%A4%A', 'route_not_found'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['content-type'], url).toContain('application/problem+json');
      expect(res.json().code, url).toBe(code);
      expect(res.headers['content-security-policy'], url).toBe(CONTENT_SECURITY_POLICY);
    }
    await app.close();
    const withParam = await buildServer({
      api: new Api().add(
        route({
          method: 'GET',
          url: '/api/v1/things/:id',
          operationId: 'getThing',
          summary: 'one',
          tags: ['test'],
          responses: { 200: { description: 'ok' } },
          errors: [],
          handler: async ({ params }) => params,
        }),
      ),
      logger: silent,
    });
    for (const [url, status, code] of [
      ['/api/v1/things/%FF%FE', 404, 'route_not_found'],
      [`/api/v1/things/${'a'.repeat(300)}`, 400, 'validation_failed'],
    ] as const) {
      const res = await withParam.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
      expect(res.json().code, url).toBe(code);
      expect(res.headers['x-frame-options'], url).toBe('DENY');
    }
    await withParam.close();
  });

  it('refuses NUL in any string or key of a JSON body, naming the field', async () => {
    const app = await server();
    const res = await app.inject({ method: 'POST', url: '/api/v1/things', payload: { name: 'a\u0000b' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', field: 'name' });
    await app.close();
    expect(nulField({ a: [{ b: 'x' }, { c: ['y', 'z\u0000'] }] })).toBe('a.1.c.1');
    expect(nulField({ a: { 'k\u0000': 1 } })).toBe('a.k\u0000');
    expect(nulField('\u0000')).toBe('(body)');
    expect(nulField({ a: ['fine', 1, null, true], b: { c: 'fine' } })).toBeUndefined();
    const deep = JSON.parse(`${'['.repeat(200_000)}"\\u0000"${']'.repeat(200_000)}`);
    expect(nulField(deep)?.split('.').length).toBe(200_000);
  });

  it('keeps the JSON body limit at 1 MiB, answered as a problem', async () => {
    const app = await server();
    const name = 'x'.repeat(1024 * 1024);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/things',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('payload_too_large');
    await app.close();
  });
});

describe('CORS', () => {
  const preflight = (origin: string, headers: Record<string, string> = {}) => ({
    method: 'OPTIONS' as const,
    url: '/api/v1/things',
    headers: { origin, 'access-control-request-method': 'POST', ...headers },
  });

  it('by default answers no cross-origin request and refuses every preflight', async () => {
    const app = await server();
    const res = await app.inject(preflight('https://evil.example'));
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'cors_refused', status: 403 });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await app.inject({
      method: 'GET',
      url: '/api/v1/things',
      headers: { origin: 'https://evil.example' },
    });
    expect(get.statusCode).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
  });

  it('allows exactly the configured origins, with credentials and never *', async () => {
    const app = await server({ corsOrigins: ['https://member.example'] });
    const ok = await app.inject(
      preflight('https://member.example', { 'access-control-request-headers': 'Content-Type, X-CSRF-Token' }),
    );
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://member.example');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(ok.headers['access-control-allow-methods']).toContain('POST');
    expect(ok.headers['access-control-allow-headers']).toContain('x-csrf-token');
    expect(ok.headers.vary).toContain('Origin');

    for (const origin of ['https://member.example.evil', 'http://member.example', 'null', '*']) {
      const refused = await app.inject(preflight(origin));
      expect(refused.statusCode, origin).toBe(403);
      expect(refused.json().code).toBe('cors_refused');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    }
    const oddHeader = await app.inject(
      preflight('https://member.example', { 'access-control-request-headers': 'x-guarantor-actor' }),
    );
    expect(oddHeader.statusCode).toBe(403);

    const get = await app.inject({
      method: 'GET',
      url: '/api/v1/things',
      headers: { origin: 'https://member.example' },
    });
    expect(get.headers['access-control-allow-origin']).toBe('https://member.example');
    expect(get.headers.vary).toContain('Origin');
    const other = await app.inject({
      method: 'GET',
      url: '/api/v1/things',
      headers: { origin: 'https://other.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-allow-credentials']).toBeUndefined();
    await app.close();
  });
});

describe('rate limits', () => {
  it('answers 429 rate_limited with retry-after per address, and refills with time', async () => {
    const c = clock();
    const app = await server({ rateLimit: { perMinute: 3, writesPerMinute: 3 }, now: c.now });
    const get = (remoteAddress: string) =>
      app.inject({ method: 'GET', url: '/api/v1/things', remoteAddress });
    for (let i = 0; i < 3; i++) expect((await get('192.0.2.1')).statusCode).toBe(200);
    const limited = await get('192.0.2.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ code: 'rate_limited', status: ERRORS.rate_limited.status });
    expect(limited.headers['retry-after']).toBe('20');
    expect(limited.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect((await get('192.0.2.2')).statusCode).toBe(200);
    c.advance(20_000);
    expect((await get('192.0.2.1')).statusCode).toBe(200);
    expect((await get('192.0.2.1')).statusCode).toBe(429);
    await app.close();
  });

  it('holds writes to their own, stricter limit', async () => {
    const c = clock();
    const app = await server({ rateLimit: { perMinute: 10, writesPerMinute: 2 }, now: c.now });
    const post = () => app.inject({ method: 'POST', url: '/api/v1/things', payload: { name: 'a' } });
    expect((await post()).statusCode).toBe(201);
    expect((await post()).statusCode).toBe(201);
    const limited = await post();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');
    expect((await app.inject({ method: 'GET', url: '/api/v1/things' })).statusCode).toBe(200);
    await app.close();
  });

  it('counts a signed-in caller against their account, from whatever address', async () => {
    const c = clock();
    const app = guarded({ rateLimit: { perMinute: 2, writesPerMinute: 2 }, now: c.now });
    const as = (account: string, remoteAddress: string) =>
      app.inject({ method: 'GET', url: '/r', remoteAddress, headers: { 'x-test-account': account } });
    expect((await as('acc-1', '192.0.2.1')).statusCode).toBe(200);
    expect((await as('acc-1', '192.0.2.2')).statusCode).toBe(200);
    const limited = await as('acc-1', '192.0.2.3');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().detail).toMatch(/account/);
    expect((await as('acc-2', '192.0.2.4')).statusCode).toBe(200);
    await app.close();
  });

  it('are configured from GUARANTOR_RATE_LIMIT and _WRITES, and all off at GUARANTOR_RATE_LIMIT=0', () => {
    expect(hardeningOptions(loadConfig({})).rateLimit).toEqual({ perMinute: 600, writesPerMinute: 120 });
    expect(
      hardeningOptions(loadConfig({ GUARANTOR_RATE_LIMIT: '60', GUARANTOR_RATE_LIMIT_WRITES: '0' }))
        .rateLimit,
    ).toEqual({ perMinute: 60, writesPerMinute: 0 });
    expect(hardeningOptions(loadConfig({ GUARANTOR_RATE_LIMIT: '0' })).rateLimit).toBeUndefined();
  });

  it('are off without options, so a bare server never limits', async () => {
    const app = await server();
    for (let i = 0; i < 50; i++) {
      expect(
        (await app.inject({ method: 'POST', url: '/api/v1/things', payload: { name: 'a' } })).statusCode,
      ).toBe(201);
    }
    await app.close();
  });
});

describe('requests the HTTP parser refuses', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = await server();
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
  });

  const raw = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(text));
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (d) => {
        answer += d;
      });
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });

  it('answers a header with a bare CR, or a broken request line, as a problem', async () => {
    for (const text of [
      'GET /api/v1/things HTTP/1.1\r\nHost: x\r\nX-A: b\rSet-Cookie: c=d\r\n\r\n',
      'GET /api/v1/things\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
      'NOT HTTP AT ALL\r\n\r\n',
    ]) {
      const answer = await raw(text);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toMatch(/content-type: application\/problem\+json/);
      expect(answer).not.toMatch(/set-cookie/i);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(body.code).toBe('validation_failed');
    }
  });

  it('refuses an HTTP/1.1 request without Host as a problem, and still serves HTTP/1.0 without one', async () => {
    const answer = await raw('GET /api/v1/things HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).detail).toMatch(/Host/);
    expect(await raw('GET /api/v1/things HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('answers oversized headers as 431 headers_too_large', async () => {
    const answer = await raw(
      `GET /api/v1/things HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).code).toBe('headers_too_large');
  });
});

describe('HTTPS', () => {
  let dir: string;
  let certFile: string;
  let keyFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'guarantor-tls-'));
    certFile = join(dir, 'cert.pem');
    keyFile = join(dir, 'key.pem');
    // A throwaway self-signed certificate: node:crypto cannot issue X.509 certificates.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves HTTPS from --tls-cert and --tls-key, with HSTS', async () => {
    const config = loadConfig({}, { tlsCert: certFile, tlsKey: keyFile });
    const app = await server(hardeningOptions(config));
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    expect(address).toMatch(/^https:\/\//);
    const ca = readFileSync(certFile);
    const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const req = httpsRequest(`${address}/api/v1/things`, { ca }, (r) => {
          let body = '';
          r.setEncoding('utf8');
          r.on('data', (d) => {
            body += d;
          });
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
        });
        req.on('error', reject);
        req.end();
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBe(STRICT_TRANSPORT_SECURITY);
    expect(JSON.parse(res.body).protocol).toBe('https');
    await app.close();
  });

  it('sends no HSTS over plain HTTP', async () => {
    const app = await server(hardeningOptions(loadConfig({})));
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/api/v1/things`);
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toBeNull();
    await app.close();
  });

  it('stops at start, naming the variable, for a missing or non-PEM file or half a pair', () => {
    expect(() =>
      hardeningOptions(loadConfig({ GUARANTOR_TLS_CERT: join(dir, 'nope.pem'), GUARANTOR_TLS_KEY: keyFile })),
    ).toThrow(/GUARANTOR_TLS_CERT \(--tls-cert\): cannot read/);
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a key');
    expect(() =>
      hardeningOptions(loadConfig({ GUARANTOR_TLS_CERT: certFile, GUARANTOR_TLS_KEY: junk })),
    ).toThrow(/GUARANTOR_TLS_KEY \(--tls-key\): .* is not a PEM file/);
    expect(() => loadConfig({ GUARANTOR_TLS_CERT: certFile })).toThrow(ConfigError);
    expect(() => loadConfig({ GUARANTOR_TLS_CERT: certFile })).toThrow(/GUARANTOR_TLS_KEY/);
  });
});
