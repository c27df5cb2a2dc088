/**
 * Making and changing accounts (passwords: password-change.ts). Each change is one transaction with
 * its access event and ledger leaf; disabling ends the sessions and tokens in that same transaction.
 * Argon2 hashing happens before the transaction, so the write lock is never held for it.
 */

import type { Kysely } from 'kysely';
import { Problem } from '../kernel/http/errors.ts';
import { parseOr400 } from '../kernel/http/validate.ts';
import { uuid7 } from '../kernel/ids/uuid7.ts';
import type { AccountTable, Database } from '../kernel/store/schema.ts';
import type { Tx } from '../kernel/store/store.ts';
import type { AccessContext } from './access-context.ts';
import { type AccessEventKind, type DetailValue, recordAccessEvent } from './access-events.ts';
import {
  type Account,
  accountFromRow,
  clearanceSchema,
  type NewAccount,
  newAccountSchema,
  personRolesSchema,
  usernameKey,
} from './account-model.ts';
import type { Classification } from './labels.ts';
import {
  checkClearance,
  checkParticipant,
  checkRevival,
  checkRoles,
  type ManagedBy,
  type Manager,
  managerOf,
} from './manager.ts';
import { hashPassword, PASSWORD_PROBLEMS, passwordProblem } from './password.ts';
import type { Role } from './roles.ts';
import { revokeAllSessions } from './sessions.ts';

/** Throws `password_rejected` naming the rule the password breaks. */
export function checkPassword(password: string, username: string, field = 'password'): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new Problem('password_rejected', PASSWORD_PROBLEMS[problem], { field });
}

/**
 * The account's row; `not_found` when there is none or, for a manager, when it is not theirs to manage
 * (the same answer, so they do not learn which accounts other participants have).
 */
export async function accountRow(
  db: Kysely<Database>,
  id: string,
  manager?: Manager,
  field?: string,
): Promise<AccountTable> {
  let q = db.selectFrom('accounts').selectAll().where('id', '=', id);
  if (manager?.participant !== undefined) q = q.where('participant', '=', manager.participant);
  const row = await q.executeTakeFirst();
  if (!row) throw new Problem('not_found', `no account ${id}`, field ? { field } : undefined);
  return row;
}

/**
 * `demo` marks a demonstration account, which is let off TOTP (see `totpRequired`); it is an option
 * apart from the input so no request body can set it. What a manager may make: see manager.ts.
 */
export async function createAccount(
  ctx: AccessContext,
  input: NewAccount,
  by: ManagedBy,
  options: { demo?: boolean } = {},
): Promise<Account> {
  const valid = parseOr400(newAccountSchema, input);
  const manager = managerOf(by);
  checkParticipant(manager, valid.participant, 'participant');
  checkClearance(manager, valid.clearance, 'clearance');
  checkRoles(manager, valid.roles);
  checkPassword(valid.password, valid.username);
  const passwordHash = await hashPassword(valid.password);
  const at = ctx.now().toISOString();
  return ctx.store.transaction(async (trx) => {
    const key = usernameKey(valid.username)!;
    const taken = await trx
      .selectFrom('accounts')
      .select('id')
      .where('username_key', '=', key)
      .executeTakeFirst();
    if (taken) throw new Problem('username_taken', undefined, { field: 'username' });
    const row: AccountTable = {
      id: uuid7(),
      participant: valid.participant,
      username: valid.username,
      username_key: key,
      display_name: valid.displayName,
      password_hash: passwordHash,
      roles: JSON.stringify(valid.roles),
      clearance: valid.clearance,
      totp_secret: null,
      totp_enabled: 0,
      totp_last_step: null,
      disabled: 0,
      failed_attempts: 0,
      last_failure_at: null,
      locked_until: null,
      demo: options.demo ? 1 : 0,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto('accounts').values(row).execute();
    await recordAccessEvent(trx, {
      event: 'account.created',
      at,
      accountId: row.id,
      participant: row.participant,
      actor: manager.actor,
      address: null,
      details: {
        username: row.username,
        roles: valid.roles,
        clearance: valid.clearance,
        demo: row.demo === 1,
      },
    });
    return accountFromRow(row);
  });
}

export async function getAccount(ctx: AccessContext, id: string): Promise<Account | undefined> {
  const row = await ctx.store.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && accountFromRow(row);
}

export async function findAccount(ctx: AccessContext, username: string): Promise<Account | undefined> {
  const key = usernameKey(username);
  if (key === undefined) return undefined;
  const row = await ctx.store.db
    .selectFrom('accounts')
    .selectAll()
    .where('username_key', '=', key)
    .executeTakeFirst();
  return row && accountFromRow(row);
}

/** The accounts of `filter.participant`, or of all; a manager sees only those they manage. */
export async function listAccounts(
  ctx: AccessContext,
  filter: { participant?: string } = {},
  by?: ManagedBy,
): Promise<Account[]> {
  const scope = by === undefined ? undefined : managerOf(by).participant;
  let q = ctx.store.db.selectFrom('accounts').selectAll();
  if (filter.participant !== undefined) q = q.where('participant', '=', filter.participant);
  if (scope !== undefined) q = q.where('participant', '=', scope);
  return (await q.orderBy('username_key').execute()).map(accountFromRow);
}

/** What one managed change does to an account: the columns it sets and the access event that records it. */
interface AccountChange {
  set: Partial<AccountTable>;
  event: AccessEventKind;
  details?: Record<string, DetailValue>;
}

/**
 * One managed change to an account, in one transaction: the row read within the manager's scope, the
 * change worked out from it (which may refuse, or write more in `trx`), the update and its access event.
 */
async function changeAccount(
  ctx: AccessContext,
  id: string,
  by: ManagedBy,
  change: (
    row: AccountTable,
    manager: Manager,
    trx: Tx,
    at: string,
  ) => Promise<AccountChange> | AccountChange,
): Promise<Account> {
  const manager = managerOf(by);
  const at = ctx.now().toISOString();
  return ctx.store.transaction(async (trx) => {
    const row = await accountRow(trx, id, manager);
    const { set, event, details } = await change(row, manager, trx, at);
    const changed = { ...set, updated_at: at };
    await trx.updateTable('accounts').set(changed).where('id', '=', id).execute();
    await recordAccessEvent(trx, {
      event,
      at,
      accountId: id,
      participant: row.participant,
      actor: manager.actor,
      address: null,
      ...(details ? { details } : {}),
    });
    return accountFromRow({ ...row, ...changed });
  });
}

export async function setRoles(
  ctx: AccessContext,
  id: string,
  roles: Role[],
  by: ManagedBy,
): Promise<Account> {
  const valid = parseOr400(personRolesSchema, roles);
  return changeAccount(ctx, id, by, (row, manager) => {
    const before = accountFromRow(row).roles;
    checkRoles(manager, valid, before);
    return {
      set: { roles: JSON.stringify(valid) },
      event: 'account.roles_changed',
      details: { from: before, to: valid },
    };
  });
}

/**
 * Sets the highest classification the account may read. Its sessions and tokens read the account's
 * row on every request (sessions.ts, api-tokens.ts), so a lowered clearance holds from the next one.
 */
export async function setClearance(
  ctx: AccessContext,
  id: string,
  clearance: Classification,
  by: ManagedBy,
): Promise<Account> {
  const valid = parseOr400(clearanceSchema, clearance);
  checkClearance(managerOf(by), valid, 'clearance');
  return changeAccount(ctx, id, by, (row) => ({
    set: { clearance: valid },
    event: 'account.clearance_changed',
    details: { from: accountFromRow(row).clearance, to: valid },
  }));
}

/** Disables the account and ends its sessions and API tokens at once. */
export async function disableAccount(ctx: AccessContext, id: string, by: ManagedBy): Promise<Account> {
  return changeAccount(ctx, id, by, async (_row, _manager, trx, at) => {
    const sessionsEnded = await revokeAllSessions(trx, id, at);
    const tokens = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('account_id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return {
      set: { disabled: 1 },
      event: 'account.disabled',
      details: { sessionsEnded, tokensRevoked: Number(tokens.numUpdatedRows) },
    };
  });
}

export async function enableAccount(ctx: AccessContext, id: string, by: ManagedBy): Promise<Account> {
  return changeAccount(ctx, id, by, (row, manager) => {
    checkRevival(manager, accountFromRow(row));
    return {
      set: { disabled: 0, failed_attempts: 0, last_failure_at: null, locked_until: null },
      event: 'account.enabled',
    };
  });
}
