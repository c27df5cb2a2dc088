/**
 * What every response carries and every request passes before any route sees it: security headers,
 * strict CORS, and rate limits per address and per account. Also the fastify options only the
 * constructor can take (HTTPS, which proxies to believe, how unparseable requests are answered).
 */
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { ConfigError } from '../config/config.ts';
import { type ErrorCode, Problem } from './errors.ts';
import { sendProblem } from './problem-reply.ts';

export interface HardeningOptions {
  /** Serve HTTPS with this certificate chain and key (PEM). */
  https?: { cert: Buffer; key: Buffer };
  /** Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-* headers are believed. */
  trustProxy?: string[];
  /** Exact origins of other web apps allowed to call the API from a browser. */
  corsOrigins?: readonly string[];
  /** Requests per minute per address and per account, and of those the writes; 0 is unlimited. */
  rateLimit?: { perMinute: number; writesPerMinute: number };
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now?: () => number;
}

/** The options from the configuration, reading the TLS files so a bad path stops the start at once. */
export function hardeningOptions(
  config: Pick<Config, 'tlsCert' | 'tlsKey' | 'trustProxy' | 'corsOrigins' | 'rateLimit' | 'rateLimitWrites'>,
): HardeningOptions {
  return {
    ...(config.tlsCert && config.tlsKey
      ? {
          https: {
            cert: readPem(config.tlsCert, 'GUARANTOR_TLS_CERT (--tls-cert)'),
            key: readPem(config.tlsKey, 'GUARANTOR_TLS_KEY (--tls-key)'),
          },
        }
      : {}),
    ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    corsOrigins: config.corsOrigins,
    // GUARANTOR_RATE_LIMIT=0 turns limiting off altogether, writes included.
    ...(config.rateLimit > 0
      ? { rateLimit: { perMinute: config.rateLimit, writesPerMinute: config.rateLimitWrites } }
      : {}),
  };
}

function readPem(path: string, name: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (e) {
    throw new ConfigError(`Invalid configuration:\n  ${name}: cannot read ${path}: ${(e as Error).message}`);
  }
  if (!pem.includes('-----BEGIN ')) {
    throw new ConfigError(`Invalid configuration:\n  ${name}: ${path} is not a PEM file`);
  }
  return pem;
}

/** Options for `Fastify(...)`: spread them into the constructor's options. */
export function serverOptions(options: HardeningOptions = {}): {
  http?: { requireHostHeader: boolean };
  https?: { cert: Buffer; key: Buffer; requireHostHeader: boolean };
  trustProxy?: string[];
  clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => void;
  frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => void;
} {
  // Node answers a missing Host header itself, with an empty body; the check moves into harden() so
  // that refusal is a problem document like every other.
  return {
    ...(options.https
      ? { https: { ...options.https, requireHostHeader: false } }
      : { http: { requireHostHeader: false } }),
    ...(options.trustProxy?.length ? { trustProxy: options.trustProxy } : {}),
    clientErrorHandler: answerUnparseable,
    frameworkErrors: answerUnroutable,
  };
}

/**
 * A path fastify cannot route (a parameter that is not valid percent-encoded UTF-8, or longer than
 * the router allows) is answered before any hook or error handler runs; fastify's own answer is plain
 * JSON without the security headers.
 */
function answerUnroutable(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const problem =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new Problem('validation_failed', 'a path segment is too long')
      : error.code === 'FST_ERR_BAD_URL'
        ? new Problem('route_not_found', 'the path is not valid percent-encoded UTF-8')
        : new Problem('validation_failed', 'the request cannot be routed');
  setSecurityHeaders(req, reply);
  void sendProblem(reply, problem, req.raw.url);
}

/**
 * Requests Node's HTTP parser refuses (CR or LF inside a header, a malformed request line, oversized
 * headers) never reach fastify; fastify's own answer to them is plain JSON, which would be the one
 * error a client sees that is not a problem document with a code from the catalogue.
 */
function answerUnparseable(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, detail]: [ErrorCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? ['headers_too_large', 'the request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['request_timeout', 'the request took too long to arrive']
        : ['validation_failed', 'the request is not well-formed HTTP'];
  const problem = new Problem(code, detail);
  const body = JSON.stringify(problem.toJSON());
  // Never write into a response already under way: that would corrupt it rather than end it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        'content-type: application/problem+json\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        'x-content-type-options: nosniff\r\n' +
        'connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

/**
 * Scripts only from this origin; styles may be inline because the map library sets style attributes.
 * Nothing may frame the app (clickjacking), and forms and the base URL cannot be pointed elsewhere.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * Powerful browser features the app does not use. Field monitors may later report their position from
 * the web app; that needs `geolocation=(self)` here, and nothing else loosened.
 */
export const PERMISSIONS_POLICY =
  'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), hid=(), midi=(), display-capture=(), browsing-topics=()';

/** A year, and subdomains too: once a browser has seen HTTPS here it never tries plain HTTP. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': PERMISSIONS_POLICY,
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A method that may change state: rate-limited as a write, audited as one, CSRF-checked. */
export function isWriteMethod(method: string): boolean {
  return !SAFE_METHODS.has(method);
}
const CORS_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
// What a cross-origin caller of this API needs to send: JSON or an import body, a bearer token, the
// double-submit CSRF token, and the content negotiation headers. Anything else is not ours to accept.
const CORS_REQUEST_HEADERS = new Set([
  'accept',
  'accept-language',
  'authorization',
  'content-type',
  'x-csrf-token',
]);
const CORS_EXPOSED_HEADERS = 'content-disposition, etag, location, repr-digest, retry-after';
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Installs the headers, CORS and rate limits on a server before its routes are registered. Limits are
 * off unless `options.rateLimit` is given, so a bare server (a test of one route module) is unlimited.
 */
export function harden(app: FastifyInstance, options: HardeningOptions = {}): void {
  const now = options.now ?? Date.now;
  const origins = new Set(options.corsOrigins ?? []);
  const limits = options.rateLimit;
  const limiters =
    limits && (limits.perMinute > 0 || limits.writesPerMinute > 0)
      ? {
          address: new RateLimiter(limits.perMinute, now),
          addressWrites: new RateLimiter(limits.writesPerMinute, now),
          account: new RateLimiter(limits.perMinute, now),
          accountWrites: new RateLimiter(limits.writesPerMinute, now),
        }
      : undefined;

  if (limiters) {
    // Before anything costs a database lookup (resolving a session or token is one), so a flood from
    // one address is turned away cheaply. Every request counts against its address.
    app.addHook('onRequest', async (req, reply) => {
      const write = isWriteMethod(req.method);
      const wait = Math.max(limiters.address.take(req.ip), write ? limiters.addressWrites.take(req.ip) : 0);
      if (wait > 0)
        return refuse(req, reply, 'rate_limited', 'too many requests from this address', {
          retryAfterS: wait,
        });
    });
    // The access guard (a route's onRequest) has named the caller by now. A signed-in caller also
    // counts against their account, so a stolen token used from many addresses is still held back.
    app.addHook('preHandler', async (req, reply) => {
      const key = accountKey(req);
      if (key === undefined) return;
      const write = isWriteMethod(req.method);
      const wait = Math.max(limiters.account.take(key), write ? limiters.accountWrites.take(key) : 0);
      if (wait > 0)
        return refuse(req, reply, 'rate_limited', 'too many requests from this account', {
          retryAfterS: wait,
        });
    });
  }

  app.addHook('onRequest', async (req, reply) => {
    const raw = req.raw;
    // RFC 9112 section 3.2: a server must refuse an HTTP/1.1 request without a Host header.
    if (raw.httpVersionMajor === 1 && raw.httpVersionMinor >= 1 && req.headers.host === undefined) {
      return refuse(req, reply, 'validation_failed', 'an HTTP/1.1 request needs a Host header');
    }
    // No name, id or filter in this API contains NUL, and PostgreSQL cannot even compare text with
    // one: refused here, a NUL never reaches a query as a database error.
    if (/%00/i.test(req.url) || req.url.includes('\u0000')) {
      return refuse(req, reply, 'validation_failed', 'the URL contains a NUL character (%00)');
    }
  });

  // Checked once the guard has let the caller in and the body is parsed, before any route reads it.
  app.addHook('preValidation', async (req, reply) => {
    const field = nulField(req.body);
    if (field !== undefined) {
      return refuse(req, reply, 'validation_failed', `${field}: text may not contain NUL (U+0000)`, {
        field,
      });
    }
  });

  // A browser asks before a cross-origin write or a request with an authorization header; only the
  // configured origins get a yes. Same-origin requests never ask, so the app's own pages are unaffected.
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    const method = req.headers['access-control-request-method'];
    if (req.method !== 'OPTIONS' || origin === undefined || method === undefined) return;
    if (!origins.has(origin)) {
      return refuse(req, reply, 'cors_refused', 'this origin may not call the API from a browser');
    }
    const asked = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const refused = asked.find((h) => !CORS_REQUEST_HEADERS.has(h));
    if (refused !== undefined || !CORS_METHODS.split(', ').includes(String(method))) {
      return refuse(req, reply, 'cors_refused', 'the API does not accept that method or header cross-origin');
    }
    return reply
      .status(204)
      .header('access-control-allow-methods', CORS_METHODS)
      .header('access-control-allow-headers', [...CORS_REQUEST_HEADERS].join(', '))
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S))
      .send();
  });

  app.addHook('onSend', async (req, reply, payload) => {
    setSecurityHeaders(req, reply);
    if (origins.size > 0) {
      // Answers differ by Origin, so a shared cache must not hand one origin's answer to another.
      reply.header('vary', appendVary(reply.getHeader('vary'), 'Origin'));
      const origin = req.headers.origin;
      if (origin !== undefined && origins.has(origin)) {
        reply.header('access-control-allow-origin', origin);
        // Never with `*`: only an exact configured origin may send the session cookie.
        reply.header('access-control-allow-credentials', 'true');
        reply.header('access-control-expose-headers', CORS_EXPOSED_HEADERS);
      }
    }
    return payload;
  });
}

function refuse(
  req: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  options: { retryAfterS?: number; field?: string } = {},
): FastifyReply {
  const problem = new Problem(code, detail, options.field !== undefined ? { field: options.field } : {});
  if (options.retryAfterS !== undefined) reply.header('retry-after', String(options.retryAfterS));
  return sendProblem(reply, problem, req.url);
}

function setSecurityHeaders(req: FastifyRequest, reply: FastifyReply): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
  // Over plain HTTP the header is ignored by browsers and would only mislead; `protocol` believes a
  // proxy's X-Forwarded-Proto only when the proxy is one of those configured to be trusted.
  if (req.protocol === 'https') reply.header('strict-transport-security', STRICT_TRANSPORT_SECURITY);
}

function appendVary(existing: unknown, name: string): string {
  const current = Array.isArray(existing)
    ? existing.join(', ')
    : existing === undefined
      ? ''
      : String(existing);
  const names = current
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (names.some((v) => v === '*' || v.toLowerCase() === name.toLowerCase())) return current;
  return [...names, name].join(', ');
}

/**
 * The dotted path of the first string or key holding a NUL in a parsed JSON body, `(body)` for the body
 * itself; undefined when there is none. No text in this API may hold one: PostgreSQL refuses to store
 * it (a 500 where a 400 belongs), SQLite would store it, and C-string consumers would cut the text
 * short. Iterative, with parent links instead of path strings, because a 1 MiB body can nest 500,000
 * levels deep. Streamed bodies (imports, uploads) are not plain objects and are left to their parsers.
 */
export function nulField(body: unknown): string | undefined {
  interface Node {
    value: unknown;
    key: string;
    parent: Node | undefined;
  }
  const path = (n: Node | undefined, last?: string): string => {
    const keys = last === undefined ? [] : [last];
    for (let at = n; at?.parent !== undefined; at = at.parent) keys.push(at.key);
    return keys.reverse().join('.') || '(body)';
  };
  const stack: Node[] = [{ value: body, key: '', parent: undefined }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const { value } = node;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path(node);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], key: String(i), parent: node });
      continue;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) continue;
    const entries = Object.entries(value as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (key.includes('\u0000')) return path(node, key);
      stack.push({ value: child, key, parent: node });
    }
  }
  return undefined;
}

/**
 * The access layer sets `req.principal`; read structurally so this module neither depends on it nor
 * redeclares its type. The public has no account, so it is limited by address alone.
 */
function accountKey(req: FastifyRequest): string | undefined {
  const principal: unknown = Reflect.get(req, 'principal');
  if (typeof principal !== 'object' || principal === null) return undefined;
  const p = principal as { kind?: unknown; accountId?: unknown; tokenId?: unknown };
  if (p.kind === 'account' && typeof p.accountId === 'string') return `account:${p.accountId}`;
  if (p.kind === 'machine' && typeof p.tokenId === 'string') return `machine:${p.tokenId}`;
  return undefined;
}

/**
 * Token buckets, one per key: `perMinute` requests at once, refilled continuously at `perMinute` a
 * minute. Memory is bounded by forgetting the least recently seen key, which at worst gives that key
 * a full bucket again.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one request's token: 0 when allowed, else the whole seconds until one is available. */
  take(key: string): number {
    if (this.perMinute <= 0) return 0;
    const now = this.now();
    const perMs = this.perMinute / 60_000;
    let bucket = this.buckets.get(key);
    if (bucket) {
      // A clock that steps back must not mint tokens or push the refill into the future.
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
      bucket.at = Math.max(bucket.at, now);
      this.buckets.delete(key);
    } else {
      bucket = { tokens: this.perMinute, at: now };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }

  get size(): number {
    return this.buckets.size;
  }
}
