/**
 * Setting up the authenticator app: enrolment stores a fresh secret and hands back the otpauth URI
 * (shown once, as a QR code); the second factor is on only once a code from the app confirms it, so a
 * mistyped or unscanned secret cannot lock anyone out. Turning it off again is an administrator's
 * reset, which also ends every session of the account. The secret is stored sealed (totp-secrets.ts):
 * only the enrolment's answer, to the account's owner, ever holds it in clear.
 */
import { Problem } from '../kernel/http/errors.ts';
import type { AccessContext, Actor } from './access-context.ts';
import { recordAccessEvent } from './access-events.ts';
import { revokeAllSessions } from './sessions.ts';
import { newTotpSecret, otpauthUri, verifyTotp } from './totp.ts';
import { openTotpSecret, sealTotpSecret } from './totp-secrets.ts';

export interface TotpEnrolment {
  /** base32, for typing in when the QR code cannot be scanned. */
  secret: string;
  uri: string;
}

export async function enrolTotp(ctx: AccessContext, accountId: string): Promise<TotpEnrolment> {
  const at = ctx.now().toISOString();
  const secret = newTotpSecret();
  return ctx.store.transaction(async (trx) => {
    const row = await trx
      .selectFrom('accounts')
      .select(['username', 'participant', 'totp_enabled'])
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!row) throw new Problem('not_found', `no account ${accountId}`);
    if (row.totp_enabled === 1) {
      throw new Problem(
        'state_conflict',
        'the authenticator app is already set up; an administrator can reset it',
      );
    }
    await trx
      .updateTable('accounts')
      .set({ totp_secret: sealTotpSecret(ctx, accountId, secret), totp_last_step: null, updated_at: at })
      .where('id', '=', accountId)
      .execute();
    await recordAccessEvent(trx, {
      event: 'totp.enrolment_started',
      at,
      accountId,
      participant: row.participant,
      actor: accountId,
      address: null,
    });
    return { secret, uri: otpauthUri(secret, ctx.totpIssuer, row.username) };
  });
}

/** Turns the second factor on when `code` comes from the enrolled secret. */
export async function confirmTotp(ctx: AccessContext, accountId: string, code: string): Promise<void> {
  const now = ctx.now();
  const at = now.toISOString();
  const confirmed = await ctx.store.transaction(async (trx) => {
    const row = await trx
      .selectFrom('accounts')
      .select(['participant', 'totp_secret', 'totp_enabled'])
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!row) throw new Problem('not_found', `no account ${accountId}`);
    if (row.totp_enabled === 1)
      throw new Problem('state_conflict', 'the authenticator app is already set up');
    if (row.totp_secret === null) throw new Problem('state_conflict', 'start the enrolment first');
    // A secret that does not open (another key, a changed row) cannot be confirmed: enrol again.
    const secret = openTotpSecret(ctx, accountId, row.totp_secret);
    const step = secret === undefined ? undefined : verifyTotp(secret, String(code), now, null);
    if (step === undefined) return false;
    await trx
      .updateTable('accounts')
      .set({ totp_enabled: 1, totp_last_step: step, updated_at: at })
      .where('id', '=', accountId)
      .execute();
    await recordAccessEvent(trx, {
      event: 'totp.enabled',
      at,
      accountId,
      participant: row.participant,
      actor: accountId,
      address: null,
    });
    return true;
  });
  if (!confirmed) throw new Problem('totp_invalid', undefined, { field: 'code' });
}

/** An administrator turns the second factor off (a lost phone); the owner must enrol again at next sign-in. */
export async function resetTotp(ctx: AccessContext, accountId: string, actor: Actor): Promise<void> {
  const at = ctx.now().toISOString();
  await ctx.store.transaction(async (trx) => {
    const row = await trx
      .selectFrom('accounts')
      .select(['participant'])
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!row) throw new Problem('not_found', `no account ${accountId}`);
    await trx
      .updateTable('accounts')
      .set({ totp_secret: null, totp_enabled: 0, totp_last_step: null, updated_at: at })
      .where('id', '=', accountId)
      .execute();
    const sessionsEnded = await revokeAllSessions(trx, accountId, at);
    await recordAccessEvent(trx, {
      event: 'totp.reset',
      at,
      accountId,
      participant: row.participant,
      actor,
      address: null,
      details: { sessionsEnded },
    });
  });
}
