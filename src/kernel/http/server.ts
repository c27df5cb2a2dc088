/**
 * The HTTP server: fastify with one error path (everything a client sees as an error is
 * RFC 9457 problem+json with a code from the catalogue), the OpenAPI document, health, and the
 * built web app. Domain modules contribute routes through the Api registry.
 */
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Api, RouteGuard } from './api.ts';
import { type ErrorCode, isProblem, Problem } from './errors.ts';
import { type HardeningOptions, harden, serverOptions } from './hardening.ts';
import { sendProblem } from './problem-reply.ts';

export interface ServerOptions {
  api: Api;
  /** Who may call which route; see Api.register. */
  guard?: RouteGuard;
  logger: Logger;
  /** Directory of the built web app; served at / when present. */
  webRoot?: string;
  health?: () => Promise<Record<string, unknown>>;
  bodyLimit?: number;
  /** HTTPS, trusted proxies, CORS origins and rate limits; see hardening.ts. */
  hardening?: HardeningOptions;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  FST_ERR_BAD_URL: 'route_not_found',
  FST_ERR_ASYNC_CONSTRAINT: 'validation_failed',
};

/** Maps anything thrown during a request to a Problem; unknown errors become 500 and are logged. */
export function toProblem(error: unknown): Problem {
  if (isProblem(error)) return error;
  const e = error as Partial<FastifyError> & { type?: string };
  const mapped = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped) return new Problem(mapped, e.message);
  if (e instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new Problem('malformed_json', e.message);
  }
  if (e.type === 'entity.too.large' || e.statusCode === 413)
    return new Problem('payload_too_large', e.message);
  if (e.statusCode === 415) return new Problem('unsupported_media_type', e.message);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return new Problem('validation_failed', e.message);
  return new Problem('internal', 'an internal error occurred; it has been logged');
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Reject __proto__ and constructor.prototype keys in JSON bodies outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 200 },
    ...serverOptions(options.hardening),
  }) as unknown as FastifyInstance;

  app.setErrorHandler((error, req, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) req.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem, req.url);
  });

  harden(app, options.hardening);

  app.get('/healthz', async () => ({ status: 'ok', ...(options.health ? await options.health() : {}) }));
  app.get('/api/v1/openapi.json', async () =>
    options.api.openapi({
      title: 'Guarantor API',
      version: '1',
      description:
        'Ceasefire monitoring and verification for the coalition security guarantees. Errors are RFC 9457 problem details with a stable `code`.',
    }),
  );
  // Bulk bodies reach their handler as a stream; the handler enforces its own size limit.
  const streamTypes = [...new Set(options.api.routes.flatMap((r) => r.streamBody?.contentTypes ?? []))];
  if (streamTypes.length) {
    app.addContentTypeParser(streamTypes, { bodyLimit: Number.MAX_SAFE_INTEGER }, (_req, payload, done) => {
      done(null, payload);
    });
  }
  options.api.register(app, options.guard);

  const webRoot = options.webRoot;
  const hasWeb = webRoot !== undefined && existsSync(`${webRoot}/index.html`);
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: ['index.html'] });
  }

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    // Paths the web app routes itself (deep links) get its page; API and asset misses get a problem.
    if (hasWeb && req.method === 'GET' && !path.startsWith('/api/') && !path.includes('.')) {
      return reply.type('text/html').sendFile('index.html');
    }
    const problem = new Problem('route_not_found', `no route ${req.method} ${path}`);
    return sendProblem(reply, problem, path);
  });

  return app;
}
