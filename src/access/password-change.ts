/**
 * Password changes: by the owner, who gives the current password, or by an administrator resetting a
 * forgotten one. Either ends every session of the account in the same transaction.
 */
import { Problem } from '../kernel/http/errors.ts';
import type { AccessContext, ClientInfo } from './access-context.ts';
import { recordAccessEvent } from './access-events.ts';
import { accountFromRow } from './account-model.ts';
import { accountRow, checkPassword } from './accounts.ts';
import { checkTakeOver, type ManagedBy, managerOf } from './manager.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { revokeAllSessions } from './sessions.ts';
import { ACCOUNT_FAILURE_LIMIT, afterFailure, isLocked } from './throttle.ts';

/**
 * The account's owner changes their password, giving the current one. Every session ends, this one
 * included. A wrong current password counts as a failed sign-in, so a stolen session cannot be used
 * to guess the password at leisure.
 */
export async function changePassword(
  ctx: AccessContext,
  id: string,
  passwords: { currentPassword: string; newPassword: string },
  client: ClientInfo = {},
): Promise<void> {
  const before = await ctx.store.db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!before) throw new Problem('not_found', `no account ${id}`);
  const right = await verifyPassword(before.password_hash, passwords.currentPassword);
  if (right) checkPassword(passwords.newPassword, before.username, 'newPassword');
  const newHash = right ? await hashPassword(passwords.newPassword) : undefined;
  const now = ctx.now();
  const at = now.toISOString();
  const refused = await ctx.store.transaction(async (trx) => {
    const row = await accountRow(trx, id);
    const counter = {
      failures: row.failed_attempts,
      lastFailureAt: row.last_failure_at,
      lockedUntil: row.locked_until,
    };
    // The hash is compared too: a password changed meanwhile makes the verified one stale.
    if (newHash === undefined || row.password_hash !== before.password_hash || isLocked(counter, now)) {
      const next = afterFailure(counter, now, ACCOUNT_FAILURE_LIMIT);
      await trx
        .updateTable('accounts')
        .set({
          failed_attempts: next.failures,
          last_failure_at: next.lastFailureAt,
          locked_until: next.lockedUntil,
        })
        .where('id', '=', id)
        .execute();
      await recordAccessEvent(trx, {
        event: 'sign_in.failed',
        at,
        accountId: id,
        participant: row.participant,
        actor: id,
        address: client.address,
        details: { reason: 'password_change_refused', locked: next.lockedUntil !== counter.lockedUntil },
      });
      return true;
    }
    await trx
      .updateTable('accounts')
      .set({ password_hash: newHash, updated_at: at, failed_attempts: 0, last_failure_at: null })
      .where('id', '=', id)
      .execute();
    const sessionsEnded = await revokeAllSessions(trx, id, at);
    await recordAccessEvent(trx, {
      event: 'account.password_changed',
      at,
      accountId: id,
      participant: row.participant,
      actor: id,
      address: client.address,
      details: { sessionsEnded },
    });
    return false;
  });
  if (refused) {
    throw new Problem('forbidden', 'the current password is not right', { field: 'currentPassword' });
  }
}

/**
 * An administrator sets a new password (the owner forgot theirs); every session ends, any lock is
 * lifted. Whoever sets it knows it, so it is refused where it would hand them more than they may give
 * (manager.ts); an account they do not manage answers as one that does not exist.
 */
export async function resetPassword(
  ctx: AccessContext,
  id: string,
  newPassword: string,
  by: ManagedBy,
): Promise<void> {
  const manager = managerOf(by);
  const existing = await accountRow(ctx.store.db, id, manager);
  checkTakeOver(manager, accountFromRow(existing));
  checkPassword(newPassword, existing.username);
  const newHash = await hashPassword(newPassword);
  const at = ctx.now().toISOString();
  await ctx.store.transaction(async (trx) => {
    const row = await accountRow(trx, id, manager);
    // Checked again: the account may have been changed while the password was hashed.
    checkTakeOver(manager, accountFromRow(row));
    await trx
      .updateTable('accounts')
      .set({
        password_hash: newHash,
        updated_at: at,
        failed_attempts: 0,
        last_failure_at: null,
        locked_until: null,
      })
      .where('id', '=', id)
      .execute();
    const sessionsEnded = await revokeAllSessions(trx, id, at);
    await recordAccessEvent(trx, {
      event: 'account.password_reset',
      at,
      accountId: id,
      participant: row.participant,
      actor: manager.actor,
      address: null,
      details: { sessionsEnded },
    });
  });
}
