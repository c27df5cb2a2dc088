/**
 * Sign-in, one's own account, and (for administrators) accounts, API tokens and the access trail.
 * The guard (http-auth.ts) has checked the caller's action before any handler here runs.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type RouteSpec, route } from '../kernel/http/api.ts';
import { Problem } from '../kernel/http/errors.ts';
import { clearanceSchema, newAccountSchema, personRolesSchema } from './account-model.ts';
import type { AccountService } from './account-service.ts';
import { issueTokenSchema } from './api-tokens.ts';
import {
  clearSessionCookies,
  cookieValue,
  principalOf,
  requireSecureTransport,
  SESSION_COOKIE,
  setSessionCookies,
} from './http-auth.ts';
import { appointsAdministrators, type Manager, managerFor } from './manager.ts';
import { actorOf, type Principal } from './principal.ts';
import { permissionsOf } from './roles.ts';

const signInSchema = z
  .object({
    username: z.string().max(200),
    password: z.string().max(8192),
    totpCode: z
      .string()
      .regex(/^\d{6}$/, 'six digits')
      .optional(),
  })
  .strict();

const idParams = z.object({ id: z.string().min(1).max(100) });

function client(req: { ip: string; headers: Record<string, unknown> }) {
  const agent = req.headers['user-agent'];
  return { address: req.ip, userAgent: typeof agent === 'string' ? agent : null };
}

function accountOf(principal: Principal): string {
  if (principal.kind !== 'account') throw new Problem('forbidden', 'only a person’s account has this');
  return principal.accountId;
}

/** Who is managing accounts in this request, and within what scope (manager.ts). */
function managerOfRequest(req: FastifyRequest): Manager {
  return managerFor(principalOf(req));
}

/**
 * Delegates and the chair review what concerns their own participant; the secretariat's
 * administrators review all. Any other participant's administrators review their own participant's,
 * as they manage only its accounts: the trail would otherwise name other participants' accounts.
 */
function auditScope(principal: Principal): { participant?: string } {
  if (principal.kind !== 'account') return {};
  return principal.roles.includes('administrator') && appointsAdministrators(managerFor(principal))
    ? {}
    : { participant: principal.participant };
}

export function accessRoutes(accounts: AccountService): RouteSpec[] {
  const now = () => accounts.ctx.now();
  return [
    route({
      method: 'POST',
      url: '/api/v1/session',
      operationId: 'signIn',
      summary: 'Sign in',
      description:
        'Answers with the account and sets two cookies: the session (HttpOnly) and a CSRF token the web app echoes in `x-csrf-token` on every write. One error, `sign_in_failed`, for an unknown username, a wrong password or code, and a locked or disabled account.',
      tags: ['access'],
      body: signInSchema,
      responses: { 200: { description: 'Signed in' } },
      errors: [
        'validation_failed',
        'malformed_json',
        'sign_in_failed',
        'totp_required',
        'forbidden',
        'rate_limited',
      ],
      async handler({ body, req, reply }) {
        requireSecureTransport(req);
        // Rotation: whatever session the browser held ends, and the new one gets new tokens.
        const previous = cookieValue(req, SESSION_COOKIE);
        if (previous) await accounts.signOut(previous, client(req));
        const signedIn = await accounts.signIn({
          username: body.username,
          password: body.password,
          ...(body.totpCode ? { totpCode: body.totpCode } : {}),
          ...client(req),
        });
        setSessionCookies(reply, signedIn, now());
        return {
          account: signedIn.account,
          expiresAt: signedIn.expiresAt,
          totpEnrolmentRequired: signedIn.totpEnrolmentRequired,
          csrfToken: signedIn.csrfToken,
          permissions: [...permissionsOf(signedIn.totpEnrolmentRequired ? [] : signedIn.account.roles)],
        };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/session',
      operationId: 'getSession',
      summary: 'Who I am: my account (null for the public) and what I may do',
      tags: ['access'],
      responses: { 200: { description: 'The signed-in account, or null, and the permitted actions' } },
      errors: ['unauthenticated'],
      async handler({ req }) {
        const principal = principalOf(req);
        // Asking is not an error for the public: a client learns it is not signed in, and what it may read.
        if (principal.kind === 'public') return { account: null, permissions: [...permissionsOf([])] };
        if (principal.kind === 'machine')
          return {
            machine: principal.machine,
            participant: principal.participant,
            permissions: principal.scopes,
          };
        // A session has just read its account; only a token's needs reading here.
        const account = req.session?.account ?? (await accounts.getAccount(accountOf(principal)));
        const enrolling =
          principal.kind === 'account' && principal.via === 'session' && principal.totpEnrolmentRequired;
        return {
          account,
          ...(req.session ? { expiresAt: req.session.expiresAt } : {}),
          totpEnrolmentRequired: enrolling,
          permissions:
            principal.kind === 'account' && principal.via === 'token'
              ? principal.scopes
              : [...permissionsOf(enrolling ? [] : (account?.roles ?? []))],
        };
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/session',
      operationId: 'signOut',
      summary: 'Sign out (this session)',
      tags: ['access'],
      responses: { 204: { description: 'Signed out' } },
      errors: ['unauthenticated', 'csrf_failed'],
      async handler({ req, reply }) {
        const token = cookieValue(req, SESSION_COOKIE);
        if (token) await accounts.signOut(token, client(req));
        clearSessionCookies(reply);
        reply.status(204);
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/session/everywhere',
      operationId: 'signOutEverywhere',
      summary: 'Sign out of every session of my account',
      tags: ['access'],
      responses: { 200: { description: 'How many sessions ended' } },
      errors: ['unauthenticated', 'csrf_failed'],
      async handler({ req, reply }) {
        const principal = principalOf(req);
        const ended = await accounts.signOutEverywhere(accountOf(principal), actorOf(principal), client(req));
        clearSessionCookies(reply);
        return { ended };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/account/password',
      operationId: 'changeOwnPassword',
      summary: 'Change my password (ends every session of the account)',
      tags: ['access'],
      body: z.object({ currentPassword: z.string().max(8192), newPassword: z.string().max(8192) }).strict(),
      responses: { 204: { description: 'Changed; sign in again' } },
      errors: [
        'validation_failed',
        'unauthenticated',
        'csrf_failed',
        'forbidden',
        'sign_in_failed',
        'password_rejected',
      ],
      async handler({ body, req, reply }) {
        await accounts.changePassword(accountOf(principalOf(req)), body, client(req));
        clearSessionCookies(reply);
        reply.status(204);
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/account/totp',
      operationId: 'enrolTotp',
      summary: 'Start setting up the authenticator app: a new secret and its otpauth URI',
      tags: ['access'],
      responses: { 200: { description: 'The secret, to confirm with a code' } },
      errors: ['unauthenticated', 'csrf_failed', 'state_conflict'],
      async handler({ req }) {
        return accounts.enrolTotp(accountOf(principalOf(req)));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/account/totp/confirm',
      operationId: 'confirmTotp',
      summary: 'Finish setting up the authenticator app with a code from it',
      tags: ['access'],
      body: z.object({ code: z.string().regex(/^\d{6}$/, 'six digits') }).strict(),
      responses: { 204: { description: 'The second factor is on' } },
      errors: ['validation_failed', 'unauthenticated', 'csrf_failed', 'totp_invalid', 'state_conflict'],
      async handler({ body, req, reply }) {
        await accounts.confirmTotp(accountOf(principalOf(req)), body.code);
        reply.status(204);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/accounts',
      operationId: 'listAccounts',
      summary: 'Accounts (administrators)',
      description:
        'The secretariat’s administrators see every participant’s accounts; any other participant’s administrators see their own participant’s.',
      tags: ['access'],
      query: z.object({ participant: z.string().max(20).optional() }),
      responses: { 200: { description: 'Accounts, without secrets' } },
      errors: ['unauthenticated', 'forbidden', 'validation_failed'],
      async handler({ query, req }) {
        return {
          items: await accounts.listAccounts(
            query.participant ? { participant: query.participant } : {},
            managerOfRequest(req),
          ),
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/accounts',
      operationId: 'createAccount',
      summary: 'Create an account (administrators)',
      description:
        'A participant’s administrators make accounts of their own participant only; nobody gives a clearance above their own, and only the secretariat’s administrators give the administrator role.',
      tags: ['access'],
      body: newAccountSchema,
      responses: { 201: { description: 'Created' } },
      errors: [
        'validation_failed',
        'unauthenticated',
        'forbidden',
        'csrf_failed',
        'username_taken',
        'password_rejected',
      ],
      async handler({ body, req, reply }) {
        const account = await accounts.createAccount(body, managerOfRequest(req));
        reply.status(201).header('location', `/api/v1/accounts/${account.id}`);
        return account;
      },
    }),
    route({
      method: 'PUT',
      url: '/api/v1/accounts/:id/roles',
      operationId: 'setAccountRoles',
      summary: 'Set an account’s roles (administrators)',
      description: 'Only the secretariat’s administrators give the administrator role.',
      tags: ['access'],
      params: idParams,
      body: z.object({ roles: personRolesSchema }).strict(),
      responses: { 200: { description: 'The account' } },
      errors: ['validation_failed', 'unauthenticated', 'forbidden', 'csrf_failed', 'not_found'],
      async handler({ params, body, req }) {
        return accounts.setRoles(params.id, body.roles, managerOfRequest(req));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/accounts/:id/clearance',
      operationId: 'setAccountClearance',
      summary: 'Set an account’s clearance, the highest classification it may read (administrators)',
      description:
        'Never above the administrator’s own clearance. Takes effect from the next request of every session and token of the account.',
      tags: ['access'],
      params: idParams,
      body: z.object({ clearance: clearanceSchema }).strict(),
      responses: { 200: { description: 'The account' } },
      errors: ['validation_failed', 'unauthenticated', 'forbidden', 'csrf_failed', 'not_found'],
      async handler({ params, body, req }) {
        return accounts.setClearance(params.id, body.clearance, managerOfRequest(req));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/accounts/:id/disable',
      operationId: 'disableAccount',
      summary: 'Disable an account; every session of it ends at once (administrators)',
      tags: ['access'],
      params: idParams,
      responses: { 200: { description: 'The account' } },
      errors: ['unauthenticated', 'forbidden', 'csrf_failed', 'not_found'],
      async handler({ params, req }) {
        return accounts.disableAccount(params.id, managerOfRequest(req));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/accounts/:id/enable',
      operationId: 'enableAccount',
      summary: 'Enable a disabled account (administrators)',
      tags: ['access'],
      params: idParams,
      responses: { 200: { description: 'The account' } },
      errors: ['unauthenticated', 'forbidden', 'csrf_failed', 'not_found'],
      async handler({ params, req }) {
        return accounts.enableAccount(params.id, managerOfRequest(req));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/accounts/:id/password',
      operationId: 'resetAccountPassword',
      summary: 'Set a new password for an account; its sessions end (administrators)',
      tags: ['access'],
      params: idParams,
      body: z.object({ newPassword: z.string().max(8192) }).strict(),
      responses: { 204: { description: 'Set' } },
      errors: [
        'validation_failed',
        'unauthenticated',
        'forbidden',
        'csrf_failed',
        'not_found',
        'password_rejected',
      ],
      async handler({ params, body, req, reply }) {
        await accounts.resetPassword(params.id, body.newPassword, managerOfRequest(req));
        reply.status(204);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/tokens',
      operationId: 'listApiTokens',
      summary: 'API tokens, never their values (administrators)',
      tags: ['access'],
      query: z.object({ participant: z.string().max(20).optional() }),
      responses: { 200: { description: 'Tokens' } },
      errors: ['unauthenticated', 'forbidden', 'validation_failed'],
      async handler({ query, req }) {
        return {
          items: await accounts.listApiTokens(
            query.participant ? { participant: query.participant } : {},
            managerOfRequest(req),
          ),
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/tokens',
      operationId: 'issueApiToken',
      summary: 'Issue an API token for a machine or an account (administrators)',
      description:
        'The token is in the answer once and never again; Guarantor keeps only its hash. A participant’s administrators issue tokens for their own participant’s machines and accounts only.',
      tags: ['access'],
      body: issueTokenSchema,
      responses: { 201: { description: 'The token and its record' } },
      errors: [
        'validation_failed',
        'unauthenticated',
        'forbidden',
        'csrf_failed',
        'not_found',
        'unprocessable',
      ],
      async handler({ body, req, reply }) {
        const issued = await accounts.issueApiToken(body, managerOfRequest(req));
        reply.status(201);
        return issued;
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/tokens/:id',
      operationId: 'revokeApiToken',
      summary: 'Revoke an API token (administrators)',
      tags: ['access'],
      params: idParams,
      responses: { 200: { description: 'The revoked token' } },
      errors: ['unauthenticated', 'forbidden', 'csrf_failed', 'not_found'],
      async handler({ params, req }) {
        return accounts.revokeApiToken(params.id, managerOfRequest(req));
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/access-events',
      operationId: 'listAccessEvents',
      summary: 'The access trail: sign-ins, failures, account changes',
      description:
        'The secretariat’s administrators see every event; other administrators, commission delegates and the chair see their own participant’s.',
      tags: ['access'],
      query: z.object({
        accountId: z.string().max(100).optional(),
        before: z.string().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      responses: { 200: { description: 'Events, newest first' } },
      errors: ['unauthenticated', 'forbidden', 'validation_failed'],
      async handler({ query, req }) {
        const items = await accounts.listAccessEvents({
          ...auditScope(principalOf(req)),
          ...(query.accountId ? { accountId: query.accountId } : {}),
          ...(query.before ? { before: query.before } : {}),
          limit: query.limit,
        });
        return { items };
      },
    }),
  ];
}
