/**
 * Who is calling and whether they may: every route passes through this guard before its body is
 * read. A caller is an API token (`Authorization: Bearer gtr_…`), a session cookie, or the public.
 * A route must name its action in ROUTE_ACTIONS or the server refuses to start (deny by default).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteGuard } from '../kernel/http/api.ts';
import { Problem } from '../kernel/http/errors.ts';
import { isWriteMethod } from '../kernel/http/hardening.ts';
import type { AccountService } from './account-service.ts';
import { type Reader, readerOf } from './labels.ts';
import { actorOf, can, type Principal, PUBLIC_PRINCIPAL } from './principal.ts';
import { auditedRun, auditRequest } from './request-audit.ts';
import { ROUTE_ACTIONS } from './roles.ts';
import { csrfMatches, type ResolvedSession } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the access guard on every API route; the public when nobody signed in. */
    principal?: Principal;
    /** The cookie session the request came with, when it has a live one. */
    session?: ResolvedSession;
  }
}

export const SESSION_COOKIE = 'guarantor_session';
/** Readable by the web app's script, which echoes it in `x-csrf-token` (double submit). */
export const CSRF_COOKIE = 'guarantor_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function cookieValue(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The principal of a request; throws 401 for a token that is presented but not valid. */
export async function identify(
  req: FastifyRequest,
  accounts: AccountService,
): Promise<{ principal: Principal; session?: ResolvedSession }> {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(authorization);
    // A presented credential that does not work is an error, never a silent fall-back to the public.
    const principal = match ? await accounts.resolveApiToken(match[1]!) : undefined;
    if (!principal)
      throw new Problem('unauthenticated', 'the API token is not valid, or was revoked or expired');
    return { principal };
  }
  const token = cookieValue(req, SESSION_COOKIE);
  if (token) {
    const session = await accounts.resolveSession(token);
    if (session) return { principal: session.principal, session };
  }
  return { principal: PUBLIC_PRINCIPAL };
}

export function accessGuard(accounts: AccountService): RouteGuard {
  return {
    after: (spec, req, status, result) =>
      auditRequest(accounts.ctx.store, spec, req, status, result, accounts.ctx.now),
    around: (spec, req, run) => auditedRun(spec, req, accounts.ctx.now, run),
    prepare(spec) {
      const action = ROUTE_ACTIONS[spec.operationId];
      if (!action)
        throw new Error(`route ${spec.operationId} names no action in ROUTE_ACTIONS; refusing to serve it`);
      return async (req: FastifyRequest) => {
        const { principal, session } = await identify(req, accounts);
        req.principal = principal;
        if (session) req.session = session;
        if (!can(principal, action)) {
          if (principal.kind === 'public') throw new Problem('unauthenticated', 'sign in to do this');
          if (principal.kind === 'account' && principal.via === 'session' && principal.totpEnrolmentRequired)
            throw new Problem('totp_enrolment_required', 'set up your authenticator app first');
          throw new Problem('forbidden', 'your roles do not allow this');
        }
        // Cookies ride along on cross-site requests; the token in a header does not.
        if (session && isWriteMethod(req.method)) {
          const presented = req.headers[CSRF_HEADER];
          if (!csrfMatches(session, typeof presented === 'string' ? presented : undefined))
            throw new Problem(
              'csrf_failed',
              `send the ${CSRF_COOKIE} cookie's value in the ${CSRF_HEADER} header`,
            );
        }
      };
    },
  };
}

/** The caller as routes need it; the guard has always run before a handler. */
export function principalOf(req: FastifyRequest): Principal {
  return req.principal ?? PUBLIC_PRINCIPAL;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '127.0.0.1' || name === '[::1]';
}

/**
 * Session cookies are Secure, so a browser sends them only over HTTPS (and to this machine itself,
 * which browsers treat as secure). Signing in over plain HTTP from elsewhere would leave the browser
 * without its cookie, so it is refused with a reason instead.
 */
export function requireSecureTransport(req: FastifyRequest): void {
  if (req.protocol === 'https' || isLoopback(req.host)) return;
  throw new Problem(
    'forbidden',
    'sign in over HTTPS (see the README on serving with --tls-cert or behind a reverse proxy)',
  );
}

export function setSessionCookies(
  reply: FastifyReply,
  s: { sessionToken: string; csrfToken: string; expiresAt: string },
  now: Date,
): void {
  const maxAge = Math.max(0, Math.floor((Date.parse(s.expiresAt) - now.getTime()) / 1000));
  reply.header('set-cookie', [
    `${SESSION_COOKIE}=${s.sessionToken}; Path=/; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`,
    `${CSRF_COOKIE}=${s.csrfToken}; Path=/; Max-Age=${maxAge}; Secure; SameSite=Strict`,
  ]);
}

export function clearSessionCookies(reply: FastifyReply): void {
  reply.header('set-cookie', [
    `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`,
    `${CSRF_COOKIE}=; Path=/; Max-Age=0; Secure; SameSite=Strict`,
  ]);
}

/**
 * The name a change is recorded under: the signed-in person as `username (participant)`, else the
 * token's account or machine. Never what the request body claims.
 */
export function actorName(req: FastifyRequest): string {
  const account = req.session?.account;
  if (account) return `${account.username} (${account.participant})`;
  return actorOf(principalOf(req));
}

/** What the caller may read, by the labels (see labels.ts). */
export function readerFor(req: FastifyRequest): Reader {
  return readerOf(principalOf(req));
}
