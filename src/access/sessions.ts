/**
 * Sessions: made at sign-in (a new one every time, so a token planted before sign-in is worthless),
 * looked up by the hash of the cookie's token on every request, and ended on the server by sign-out,
 * sign-out everywhere, a password change or a disabled account. Nothing is cached, so a revoked
 * session is refused by the very next request.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Tx } from '../kernel/store/store.ts';
import {
  type AccessContext,
  type Actor,
  type ClientInfo,
  isoAfter,
  TOUCH_INTERVAL_MS,
} from './access-context.ts';
import { recordAccessEvent } from './access-events.ts';
import { type Account, accountFromRow } from './account-model.ts';
import type { Principal } from './principal.ts';
import { needsSecondFactor } from './roles.ts';
import { cleanOptional } from './sanitize.ts';
import { hashToken, isTokenShaped, newToken } from './tokens.ts';

export interface NewSession {
  /** The cookie's value; shown once, stored only as its hash. */
  sessionToken: string;
  /** Sent back by the client on every cookie-authenticated write (double submit). */
  csrfToken: string;
  expiresAt: string;
}

export interface ResolvedSession {
  /** The session's id (the token's hash), to revoke it by. */
  sessionId: string;
  account: Account;
  expiresAt: string;
  principal: Principal & { kind: 'account'; via: 'session' };
  /** SHA-256 of the CSRF token, hex. */
  csrfHash: string;
}

/**
 * An account needs TOTP when one of its roles is privileged. Demonstration accounts are let off: the
 * demo must be usable by anyone who reads the README, and its published passwords make a second
 * factor pointless there anyway.
 */
export function totpRequired(account: Pick<Account, 'roles' | 'demo'>): boolean {
  return !account.demo && needsSecondFactor(account.roles);
}

export async function createSession(
  ctx: AccessContext,
  trx: Tx,
  accountId: string,
  client: ClientInfo,
): Promise<NewSession> {
  const now = ctx.now();
  const sessionToken = newToken();
  const csrfToken = newToken();
  const expiresAt = isoAfter(now, ctx.sessionMaxMs);
  await trx
    .insertInto('sessions')
    .values({
      id: hashToken(sessionToken),
      account_id: accountId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt,
      revoked_at: null,
      csrf_hash: hashToken(csrfToken),
      address: cleanOptional(client.address, 64),
      user_agent: cleanOptional(client.userAgent, 200),
    })
    .execute();
  return { sessionToken, csrfToken, expiresAt };
}

/** The live session of this token, or undefined when it is unknown, revoked, expired, idle or its account disabled. */
export async function resolveSession(
  ctx: AccessContext,
  token: string,
): Promise<ResolvedSession | undefined> {
  if (!isTokenShaped(token)) return undefined;
  const id = hashToken(token);
  const row = await ctx.store.db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .selectAll('accounts')
    .select([
      'sessions.id as session_id',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.revoked_at',
      'sessions.csrf_hash',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.disabled === 1) return undefined;
  const now = ctx.now();
  const nowIso = now.toISOString();
  if (row.expires_at <= nowIso) return undefined;
  const idle = now.getTime() - Date.parse(row.last_seen_at);
  if (idle >= ctx.sessionIdleMs) return undefined;
  if (idle >= TOUCH_INTERVAL_MS) {
    await ctx.store.transaction((trx) =>
      trx
        .updateTable('sessions')
        .set({ last_seen_at: nowIso })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute(),
    );
  }
  const account = accountFromRow(row);
  return {
    sessionId: row.session_id,
    account,
    expiresAt: row.expires_at,
    csrfHash: row.csrf_hash,
    principal: {
      kind: 'account',
      via: 'session',
      accountId: account.id,
      participant: account.participant,
      roles: account.roles,
      clearance: account.clearance,
      sessionId: row.session_id,
      totpEnrolmentRequired: totpRequired(account) && !account.totpEnabled,
      demo: account.demo,
    },
  };
}

/** Whether `presented` is this session's CSRF token; constant time. */
export function csrfMatches(
  session: Pick<ResolvedSession, 'csrfHash'>,
  presented: string | undefined,
): boolean {
  if (presented === undefined || !isTokenShaped(presented)) return false;
  const a = Buffer.from(hashToken(presented), 'hex');
  const b = Buffer.from(session.csrfHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Revokes every live session of the account; returns how many. */
export async function revokeAllSessions(trx: Tx, accountId: string, at: string): Promise<number> {
  const result = await trx
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Ends the session of this token; false when there was no live one. */
export async function signOut(ctx: AccessContext, token: string, client: ClientInfo = {}): Promise<boolean> {
  if (!isTokenShaped(token)) return false;
  const id = hashToken(token);
  const at = ctx.now().toISOString();
  return ctx.store.transaction(async (trx) => {
    const row = await trx
      .selectFrom('sessions')
      .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
      .select(['sessions.account_id', 'accounts.participant'])
      .where('sessions.id', '=', id)
      .where('sessions.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return false;
    await trx.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).execute();
    await recordAccessEvent(trx, {
      event: 'sign_out',
      at,
      accountId: row.account_id,
      participant: row.participant,
      actor: row.account_id,
      address: client.address,
    });
    return true;
  });
}

/** Ends every session of the account, wherever it was signed in; returns how many. */
export async function signOutEverywhere(
  ctx: AccessContext,
  accountId: string,
  actor: Actor,
  client: ClientInfo = {},
): Promise<number> {
  const at = ctx.now().toISOString();
  return ctx.store.transaction(async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .select(['id', 'participant'])
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!account) return 0;
    const ended = await revokeAllSessions(trx, accountId, at);
    await recordAccessEvent(trx, {
      event: 'sign_out.everywhere',
      at,
      accountId,
      participant: account.participant,
      actor,
      address: client.address,
      details: { sessionsEnded: ended },
    });
    return ended;
  });
}
