/**
 * Sign-in with username, password and, where the account has it, a TOTP code. Every way of failing
 * (unknown username, wrong password or code, locked or disabled account, throttled address) gives the
 * one answer `sign_in_failed` after the same argon2id work, so neither the answer nor its timing says
 * whether an account exists. The one exception is `totp_required`, which only a right password for a
 * usable account reaches.
 *
 * Throttling (throttle.ts): 5 failures for an account or 10 from an address lock it for 15 minutes.
 * A correct password does not reset an address's count, or one valid account would let its holder
 * guess at every other without end.
 *
 * The TOTP secret is stored sealed (totp-secrets.ts); one that does not open (the database restored
 * beside another secrets key, or a sealed secret copied from another account's row) fails the
 * sign-in like a wrong code, and the access trail says why.
 */
import { Problem } from '../kernel/http/errors.ts';
import type { AccountTable } from '../kernel/store/schema.ts';
import type { Tx } from '../kernel/store/store.ts';
import type { AccessContext, ClientInfo } from './access-context.ts';
import { recordAccessEvent } from './access-events.ts';
import { type Account, accountFromRow, usernameKey } from './account-model.ts';
import { hashPassword, needsRehash, verifyPassword } from './password.ts';
import { createSession, type NewSession, totpRequired } from './sessions.ts';
import {
  ACCOUNT_FAILURE_LIMIT,
  ADDRESS_FAILURE_LIMIT,
  addressKey,
  afterFailure,
  type FailureCounter,
  isLocked,
  NO_FAILURES,
} from './throttle.ts';
import { verifyTotp } from './totp.ts';
import { openTotpSecret } from './totp-secrets.ts';

export interface SignInInput extends ClientInfo {
  username: string;
  password: string;
  totpCode?: string;
}

export interface SignedIn extends NewSession {
  account: Account;
  /** The account holds a role that needs TOTP and has none yet: the session may only enrol it. */
  totpEnrolmentRequired: boolean;
}

/** Why a sign-in failed: for the audit trail only, never for the client. */
type FailureReason =
  | 'unknown_account'
  | 'wrong_password'
  | 'wrong_code'
  | 'totp_secret_unreadable'
  | 'account_locked'
  | 'account_disabled'
  | 'address_locked';

type Outcome = { ok: true; signedIn: SignedIn } | { ok: false } | { ok: 'totp_required' };

function accountCounter(row: AccountTable): FailureCounter {
  return { failures: row.failed_attempts, lastFailureAt: row.last_failure_at, lockedUntil: row.locked_until };
}

async function addressCounter(trx: Tx, key: string | null): Promise<FailureCounter> {
  if (key === null) return NO_FAILURES;
  const row = await trx
    .selectFrom('sign_in_throttle')
    .selectAll()
    .where('address', '=', key)
    .executeTakeFirst();
  return row
    ? { failures: row.failures, lastFailureAt: row.last_failure_at, lockedUntil: row.locked_until }
    : NO_FAILURES;
}

async function saveAddressCounter(trx: Tx, key: string, c: FailureCounter, at: string): Promise<void> {
  const values = {
    failures: c.failures,
    last_failure_at: c.lastFailureAt ?? at,
    locked_until: c.lockedUntil,
  };
  await trx
    .insertInto('sign_in_throttle')
    .values({ address: key, ...values })
    .onConflict((oc) => oc.column('address').doUpdateSet(values))
    .execute();
}

/** What the attempt comes to, decided inside the transaction from the rows as they now stand. */
function decide(
  row: AccountTable | undefined,
  verifiedHash: string | undefined,
  passwordRight: boolean,
  byAddress: FailureCounter,
  totpCode: string | undefined,
  now: Date,
  openSecret: (row: AccountTable) => string | undefined,
): { reason: FailureReason } | { totpRequired: true } | { totpStep: number | undefined } {
  if (isLocked(byAddress, now)) return { reason: 'address_locked' };
  if (!row) return { reason: 'unknown_account' };
  if (row.disabled === 1) return { reason: 'account_disabled' };
  if (isLocked(accountCounter(row), now)) return { reason: 'account_locked' };
  // A hash changed since it was verified (a password change meanwhile) makes the check stale.
  if (!passwordRight || row.password_hash !== verifiedHash) return { reason: 'wrong_password' };
  if (row.totp_enabled !== 1) return { totpStep: undefined };
  if (typeof totpCode !== 'string' || totpCode === '') return { totpRequired: true };
  const secret = openSecret(row);
  if (secret === undefined) return { reason: 'totp_secret_unreadable' };
  const totpStep = verifyTotp(secret, totpCode, now, row.totp_last_step);
  return totpStep === undefined ? { reason: 'wrong_code' } : { totpStep };
}

/** Counts the failure against the address and (for a wrong password or code) the account, and audits it. */
async function recordFailure(
  trx: Tx,
  input: SignInInput,
  row: AccountTable | undefined,
  address: string | null,
  byAddress: FailureCounter,
  reason: FailureReason,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  let lockedNow = false;
  if (address !== null && reason !== 'address_locked') {
    const next = afterFailure(byAddress, now, ADDRESS_FAILURE_LIMIT);
    lockedNow ||= next.lockedUntil !== byAddress.lockedUntil;
    await saveAddressCounter(trx, address, next, at);
  }
  const before = row ? accountCounter(row) : NO_FAILURES;
  const counts = row !== undefined && (reason === 'wrong_password' || reason === 'wrong_code');
  const next = counts ? afterFailure(before, now, ACCOUNT_FAILURE_LIMIT) : before;
  lockedNow ||= next.lockedUntil !== before.lockedUntil;
  // Run even when nothing changes (unknown, locked, disabled), so every failure costs the same
  // statements and its timing does not tell them apart.
  await trx
    .updateTable('accounts')
    .set({
      failed_attempts: next.failures,
      last_failure_at: next.lastFailureAt,
      locked_until: next.lockedUntil,
    })
    .where('id', '=', row?.id ?? '')
    .execute();
  await recordAccessEvent(trx, {
    event: 'sign_in.failed',
    at,
    accountId: row?.id ?? null,
    participant: row?.participant ?? null,
    actor: row?.id ?? 'anonymous',
    address: input.address,
    details: { reason, lockedNow, userAgent: input.userAgent ?? null },
  });
}

/** Clears the account's failures, spends the TOTP step, and opens a new session. */
async function completeSignIn(
  ctx: AccessContext,
  trx: Tx,
  input: SignInInput,
  row: AccountTable,
  totpStep: number | undefined,
): Promise<SignedIn> {
  const at = ctx.now().toISOString();
  const cleared = { failed_attempts: 0, last_failure_at: null, locked_until: null };
  await trx
    .updateTable('accounts')
    .set({ ...cleared, ...(totpStep !== undefined ? { totp_last_step: totpStep } : {}) })
    .where('id', '=', row.id)
    .execute();
  const session = await createSession(ctx, trx, row.id, input);
  await recordAccessEvent(trx, {
    event: 'sign_in',
    at,
    accountId: row.id,
    participant: row.participant,
    actor: row.id,
    address: input.address,
    details: { secondFactor: totpStep !== undefined, userAgent: input.userAgent ?? null },
  });
  const account = accountFromRow({ ...row, ...cleared });
  return { ...session, account, totpEnrolmentRequired: totpRequired(account) && !account.totpEnabled };
}

export async function signIn(ctx: AccessContext, input: SignInInput): Promise<SignedIn> {
  const key = usernameKey(input.username);
  const found = key
    ? await ctx.store.db
        .selectFrom('accounts')
        .select(['id', 'password_hash'])
        .where('username_key', '=', key)
        .executeTakeFirst()
    : undefined;
  const password = typeof input.password === 'string' ? input.password : '';
  // Always argon2 work, with or without an account, before anything is decided.
  const passwordRight = await verifyPassword(found?.password_hash ?? null, password);
  const now = ctx.now();
  const address = input.address ? addressKey(input.address) : null;

  const outcome = await ctx.store.transaction(async (trx): Promise<Outcome> => {
    // Looked up even for an unknown username (matching nothing), for the same reason as above.
    const row = await trx
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', found?.id ?? '')
      .executeTakeFirst();
    const byAddress = await addressCounter(trx, address);
    const decision = decide(row, found?.password_hash, passwordRight, byAddress, input.totpCode, now, (r) =>
      openTotpSecret(ctx, r.id, r.totp_secret),
    );
    if ('totpRequired' in decision) return { ok: 'totp_required' };
    if ('reason' in decision) {
      await recordFailure(trx, input, row, address, byAddress, decision.reason, now);
      return { ok: false };
    }
    return { ok: true, signedIn: await completeSignIn(ctx, trx, input, row!, decision.totpStep) };
  });

  // Thrown after the commit: the failure and its counters must be kept, not rolled back with it.
  if (outcome.ok === 'totp_required') throw new Problem('totp_required', undefined, { field: 'totpCode' });
  if (!outcome.ok) throw new Problem('sign_in_failed');
  if (found && needsRehash(found.password_hash)) await rehash(ctx, found.id, found.password_hash, password);
  return outcome.signedIn;
}

/** Remakes a hash made with older parameters, now that the password is known to be right. */
async function rehash(ctx: AccessContext, id: string, old: string, password: string): Promise<void> {
  const fresh = await hashPassword(password);
  await ctx.store.transaction((trx) =>
    trx
      .updateTable('accounts')
      .set({ password_hash: fresh })
      .where('id', '=', id)
      .where('password_hash', '=', old)
      .execute(),
  );
}
