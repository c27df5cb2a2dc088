/**
 * API tokens for machine clients (a sensor, a member state's integration) and for people's scripts.
 * A token is scoped to named actions, expires, can be revoked, and is stored as its hash. A person's
 * token never does more than its account may do at the time of use (principal.ts), and stops with the
 * account; a machine's token is limited to MACHINE_SCOPES whoever issues it.
 */
import { z } from 'zod';
import { Problem } from '../kernel/http/errors.ts';
import { parseOr400 } from '../kernel/http/validate.ts';
import { uuid7 } from '../kernel/ids/uuid7.ts';
import type { ApiTokenTable } from '../kernel/store/schema.ts';
import { type AccessContext, TOUCH_INTERVAL_MS } from './access-context.ts';
import { recordAccessEvent } from './access-events.ts';
import { accountFromRow, participantSchema } from './account-model.ts';
import { accountRow } from './accounts.ts';
import { checkMachineToken, checkTakeOver, type ManagedBy, managerOf } from './manager.ts';
import type { Principal } from './principal.ts';
import { ACTIONS, type Action, isAction, MACHINE_SCOPES, permissionsOf, TOKEN_SCOPES } from './roles.ts';
import { cleanText } from './sanitize.ts';
import { hashToken, isApiTokenShaped, newApiToken } from './tokens.ts';

export const issueTokenSchema = z
  .object({
    owner: z.union([
      z.object({ accountId: z.string().min(1).max(100) }).strict(),
      z
        .object({
          machine: z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,99}$/, 'lower-case letters, digits and ._:-'),
          participant: participantSchema,
        })
        .strict(),
    ]),
    name: z
      .string()
      .max(400)
      .transform((v) => cleanText(v, 100))
      .pipe(z.string().min(1, 'a name says what the token is for')),
    scopes: z
      .array(z.enum(ACTIONS))
      .min(1)
      .refine((s) => new Set(s).size === s.length, 'a scope is listed twice'),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .strict();
export type IssueTokenInput = z.input<typeof issueTokenSchema>;

export interface ApiToken {
  id: string;
  accountId: string | null;
  machine: string | null;
  participant: string;
  name: string;
  scopes: Action[];
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export function apiTokenFromRow(r: ApiTokenTable): ApiToken {
  const scopes: unknown = JSON.parse(r.scopes);
  return {
    id: r.id,
    accountId: r.account_id,
    machine: r.machine,
    participant: r.participant,
    name: r.name,
    scopes: Array.isArray(scopes) ? scopes.filter(isAction) : [],
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

/**
 * Issues a token; the raw token is in the answer only, never stored. `presetToken` is for the
 * demonstration alone, whose sensor token is published in the README. Whoever issues a token holds
 * it, so it is refused where it would hand them more than they may give (manager.ts); a machine's
 * token belongs to the issuing administrator's participant, and an account they do not manage
 * answers as one that does not exist.
 */
export async function issueApiToken(
  ctx: AccessContext,
  input: IssueTokenInput,
  by: ManagedBy,
  presetToken?: string,
): Promise<{ token: string; apiToken: ApiToken }> {
  const valid = parseOr400(issueTokenSchema, input);
  const manager = managerOf(by);
  if ('machine' in valid.owner) checkMachineToken(manager, valid.owner.participant);
  const now = ctx.now();
  const at = now.toISOString();
  const expires = new Date(valid.expiresAt);
  if (expires.getTime() <= now.getTime()) {
    throw new Problem('validation_failed', 'the expiry is in the past', { field: 'expiresAt' });
  }
  if (expires.getTime() - now.getTime() > ctx.apiTokenMaxMs) {
    throw new Problem('validation_failed', 'the expiry is too far ahead', { field: 'expiresAt' });
  }
  if (presetToken !== undefined && !isApiTokenShaped(presetToken)) throw new Error('not an API token');
  const token = presetToken ?? newApiToken();
  return ctx.store.transaction(async (trx) => {
    let accountId: string | null = null;
    let machine: string | null = null;
    let participant: string;
    let allowed: ReadonlySet<Action>;
    if ('accountId' in valid.owner) {
      const row = await accountRow(trx, valid.owner.accountId, manager, 'owner.accountId');
      if (row.disabled === 1) throw new Problem('state_conflict', 'the account is disabled');
      const account = accountFromRow(row);
      checkTakeOver(manager, account, 'owner.accountId');
      accountId = row.id;
      participant = row.participant;
      allowed = permissionsOf(account.roles);
    } else {
      machine = valid.owner.machine;
      participant = valid.owner.participant;
      allowed = new Set(MACHINE_SCOPES);
    }
    const sessionOnly = valid.scopes.filter((s) => !TOKEN_SCOPES.includes(s));
    if (sessionOnly.length > 0) {
      throw new Problem(
        'unprocessable',
        `${sessionOnly.join(' and ')} belong to a signed-in session; a token cannot carry them`,
        { field: 'scopes' },
      );
    }
    const beyond = valid.scopes.filter((s) => !allowed.has(s));
    if (beyond.length > 0) {
      throw new Problem('unprocessable', `the owner may not be given ${beyond.join(', ')}`, {
        field: 'scopes',
      });
    }
    const row: ApiTokenTable = {
      id: uuid7(),
      token_hash: hashToken(token),
      account_id: accountId,
      machine,
      participant,
      scopes: JSON.stringify(valid.scopes),
      name: valid.name,
      created_by: manager.actor,
      created_at: at,
      expires_at: expires.toISOString(),
      revoked_at: null,
      last_used_at: null,
    };
    await trx.insertInto('api_tokens').values(row).execute();
    await recordAccessEvent(trx, {
      event: 'api_token.issued',
      at,
      accountId,
      participant,
      actor: manager.actor,
      address: null,
      details: { tokenId: row.id, machine, scopes: valid.scopes, expiresAt: row.expires_at },
    });
    return { token, apiToken: apiTokenFromRow(row) };
  });
}

/** Revokes a token; one of a participant the manager does not manage answers as one that does not exist. */
export async function revokeApiToken(ctx: AccessContext, id: string, by: ManagedBy): Promise<ApiToken> {
  const manager = managerOf(by);
  const at = ctx.now().toISOString();
  return ctx.store.transaction(async (trx) => {
    let q = trx.selectFrom('api_tokens').selectAll().where('id', '=', id);
    if (manager.participant !== undefined) q = q.where('participant', '=', manager.participant);
    const row = await q.executeTakeFirst();
    if (!row) throw new Problem('not_found', `no API token ${id}`);
    if (row.revoked_at !== null)
      throw new Problem('state_conflict', `the token was revoked on ${row.revoked_at}`);
    await trx.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).execute();
    await recordAccessEvent(trx, {
      event: 'api_token.revoked',
      at,
      accountId: row.account_id,
      participant: row.participant,
      actor: manager.actor,
      address: null,
      details: { tokenId: id, machine: row.machine },
    });
    return apiTokenFromRow({ ...row, revoked_at: at });
  });
}

/** The tokens matching the filter; a manager sees only those of the participants they manage. */
export async function listApiTokens(
  ctx: AccessContext,
  filter: { accountId?: string; participant?: string } = {},
  by?: ManagedBy,
): Promise<ApiToken[]> {
  const scope = by === undefined ? undefined : managerOf(by).participant;
  let q = ctx.store.db.selectFrom('api_tokens').selectAll();
  if (filter.accountId !== undefined) q = q.where('account_id', '=', filter.accountId);
  if (filter.participant !== undefined) q = q.where('participant', '=', filter.participant);
  if (scope !== undefined) q = q.where('participant', '=', scope);
  return (await q.orderBy('id').execute()).map(apiTokenFromRow);
}

/** Who a presented token speaks for; undefined when it is unknown, revoked, expired or its account disabled. */
export async function resolveApiToken(ctx: AccessContext, token: string): Promise<Principal | undefined> {
  if (!isApiTokenShaped(token)) return undefined;
  const row = await ctx.store.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  const now = ctx.now();
  const nowIso = now.toISOString();
  if (!row || row.revoked_at !== null || row.expires_at <= nowIso) return undefined;
  const apiToken = apiTokenFromRow(row);
  let principal: Principal;
  if (row.account_id !== null) {
    const account = await ctx.store.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', row.account_id)
      .executeTakeFirst();
    if (!account || account.disabled === 1) return undefined;
    const a = accountFromRow(account);
    principal = {
      kind: 'account',
      via: 'token',
      accountId: a.id,
      participant: a.participant,
      roles: a.roles,
      clearance: a.clearance,
      tokenId: row.id,
      scopes: apiToken.scopes,
      demo: a.demo,
    };
  } else {
    principal = {
      kind: 'machine',
      machine: row.machine ?? 'unnamed',
      participant: row.participant,
      tokenId: row.id,
      scopes: apiToken.scopes,
    };
  }
  if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= TOUCH_INTERVAL_MS) {
    await ctx.store.transaction((trx) =>
      trx.updateTable('api_tokens').set({ last_used_at: nowIso }).where('id', '=', row.id).execute(),
    );
  }
  return principal;
}
