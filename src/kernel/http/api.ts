/**
 * Routes are declared once, with zod schemas; the same declaration validates requests,
 * registers the fastify handler and writes the OpenAPI 3.1 description, so the document
 * can never drift from what the server accepts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ERRORS, type ErrorCode } from './errors.ts';
import { parseOr400 } from './validate.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentTypes?: string[];
}

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  req: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<B = unknown, Q = unknown, P = unknown> {
  method: Method;
  /** fastify path syntax (`/api/v1/reports/:id`). */
  url: string;
  operationId: string;
  summary: string;
  tags: string[];
  description?: string;
  body?: z.ZodType<B>;
  /** Content types accepted as a raw stream instead of a parsed JSON body (bulk imports). */
  streamBody?: { contentTypes: string[]; description: string };
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  responses: Record<number, ResponseSpec>;
  errors: ErrorCode[];
  handler(ctx: RouteContext<B, Q, P>): Promise<unknown>;
}

/**
 * Decides, before a request's body is read, whether the caller may use a route. `prepare` runs once
 * per route when the server starts and may refuse to serve a route it knows nothing about.
 */
export interface RouteGuard {
  prepare(spec: RouteSpec): (req: FastifyRequest) => Promise<void>;
  /** After the handler, before the answer leaves: where the guard keeps its account of the request. */
  after?(spec: RouteSpec, req: FastifyRequest, status: number, result: unknown): Promise<void>;
  /** Runs the handler inside whatever context the guard keeps for the request. */
  around?(spec: RouteSpec, req: FastifyRequest, run: () => Promise<unknown>): Promise<unknown>;
}

export function route<B = undefined, Q = undefined, P = undefined>(spec: RouteSpec<B, Q, P>): RouteSpec {
  return spec as unknown as RouteSpec;
}

export class Api {
  readonly routes: RouteSpec[] = [];

  add(...specs: RouteSpec[]): this {
    this.routes.push(...specs);
    return this;
  }

  /** Without a guard every route is open: only tests of one route module alone leave it out. */
  register(app: FastifyInstance, guard?: RouteGuard): void {
    // What each handler returned, for the guard's after-hook (absent when the handler sent it itself).
    const results = new WeakMap<FastifyRequest, unknown>();
    for (const spec of this.routes) {
      const check = guard?.prepare(spec);
      app.route({
        method: spec.method,
        url: spec.url,
        ...(check ? { onRequest: check } : {}),
        // Before the answer leaves, however the handler sent it (returned, or reply.send itself).
        ...(guard?.after
          ? {
              onSend: async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
                await guard.after?.(spec, req, reply.statusCode, results.get(req));
                return payload;
              },
            }
          : {}),
        handler: async (req, reply) => {
          const params = spec.params ? parseOr400(spec.params, req.params, 'path') : req.params;
          const query = spec.query ? parseOr400(spec.query, req.query, 'query') : req.query;
          const body = spec.body ? parseOr400(spec.body, req.body) : req.body;
          const run = () => spec.handler({ body, query, params, req, reply });
          const result = await (guard?.around ? guard.around(spec, req, run) : run());
          results.set(req, result);
          if (result === undefined) return reply.sent ? reply : reply.send();
          return result;
        },
      });
    }
  }

  openapi(info: { title: string; version: string; description: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const problem = { $ref: '#/components/schemas/Problem' };
    for (const spec of this.routes) {
      const path = spec.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [where, schema] of [
        ['path', spec.params],
        ['query', spec.query],
      ] as const) {
        if (!schema) continue;
        const json = toJsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, s] of Object.entries(json.properties ?? {})) {
          parameters.push({
            name,
            in: where,
            required: where === 'path' || (json.required ?? []).includes(name),
            schema: s,
          });
        }
      }
      const responses: Record<string, unknown> = {};
      for (const [status, r] of Object.entries(spec.responses)) {
        const types = r.contentTypes ?? ['application/json'];
        responses[status] = {
          description: r.description,
          ...(r.schema || r.contentTypes
            ? {
                content: Object.fromEntries(
                  types.map((t) => [
                    t,
                    r.schema && t.includes('json') ? { schema: toJsonSchema(r.schema, 'output') } : {},
                  ]),
                ),
              }
            : {}),
        };
      }
      for (const code of spec.errors) {
        const status = String(ERRORS[code].status);
        const existing = responses[status] as { description: string } | undefined;
        const line = `\`${code}\`: ${ERRORS[code].title}`;
        responses[status] = {
          description: existing ? `${existing.description}; ${line}` : line,
          content: { 'application/problem+json': { schema: problem } },
        };
      }
      const requestBody = spec.body
        ? { required: true, content: { 'application/json': { schema: toJsonSchema(spec.body) } } }
        : spec.streamBody
          ? {
              required: true,
              description: spec.streamBody.description,
              content: Object.fromEntries(spec.streamBody.contentTypes.map((t) => [t, {}])),
            }
          : undefined;
      paths[path] ??= {};
      paths[path][spec.method.toLowerCase()] = {
        operationId: spec.operationId,
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        tags: spec.tags,
        ...(parameters.length ? { parameters } : {}),
        ...(requestBody ? { requestBody } : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info: {
        ...info,
        description: `${info.description}\n\n## Error codes\n\n${Object.entries(ERRORS)
          .map(([code, e]) => `- \`${code}\` (${e.status}): ${e.title}`)
          .join('\n')}`,
      },
      paths,
      components: {
        schemas: {
          Problem: {
            type: 'object',
            description: 'RFC 9457 problem details',
            required: ['type', 'title', 'status', 'code'],
            properties: {
              type: { type: 'string' },
              title: { type: 'string' },
              status: { type: 'integer' },
              code: { type: 'string', enum: Object.keys(ERRORS) },
              detail: { type: 'string' },
              instance: { type: 'string' },
              field: { type: 'string' },
              errors: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { field: { type: 'string' }, message: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    };
  }
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  return json;
}
