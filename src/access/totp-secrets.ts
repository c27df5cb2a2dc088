/**
 * The TOTP shared secret as the database keeps it: sealed with the secrets key (secret-box.ts), bound
 * to its account, so neither a copy of the database nor a secret moved onto another account's row
 * yields codes.
 *
 * Rows written before secrets were sealed hold the base32 secret in clear. They are sealed once, at
 * start (`sealClearTotpSecrets`, called by createApp before the server listens), in one transaction,
 * rather than at each account's next sign-in: sealing on use would leave the secrets of accounts that
 * rarely sign in (a reserve administrator, a delegate on leave) in clear in the database, and in every
 * backup made meanwhile, for as long as they stay away, while accounts are few and the pass is
 * cheap. Reading still accepts a clear secret, so a row written by an older instance during a rolling
 * upgrade, or a database restored from an older backup, keeps working until the next start seals it.
 */
import type { AccessContext } from './access-context.ts';
import { base32Decode } from './base32.ts';
import { isSealed, type SecretsKey } from './secret-box.ts';

/** What a sealed TOTP secret is bound to: the account, and this one use of the key. */
function context(accountId: string): string {
  return `guarantor/totp-secret/${accountId}`;
}

function keyOf(ctx: AccessContext): SecretsKey {
  if (!ctx.secretsKey) {
    // A wiring mistake, not a client's: every path that serves accounts is given the key.
    throw new Error('the access services were started without the secrets key (GUARANTOR_SECRETS_KEY)');
  }
  return ctx.secretsKey;
}

/** The value to store for a fresh base32 `secret` of `accountId`. */
export function sealTotpSecret(ctx: AccessContext, accountId: string, secret: string): string {
  return keyOf(ctx).seal(secret, context(accountId));
}

/**
 * The base32 secret of a stored value: opened when sealed, as it is when written before sealing;
 * undefined when it does not open (another key, another account's row, a changed value).
 */
export function openTotpSecret(
  ctx: AccessContext,
  accountId: string,
  stored: string | null,
): string | undefined {
  if (stored === null) return undefined;
  if (!isSealed(stored)) return base32Decode(stored) ? stored : undefined;
  return keyOf(ctx).open(stored, context(accountId));
}

export interface SealingPass {
  /** Clear secrets found and sealed now. */
  sealed: number;
  /** Sealed secrets that do not open with this key: those accounts must enrol their app again. */
  unreadable: number;
}

/**
 * Seals every clear TOTP secret in one transaction, and counts the sealed ones this key cannot open
 * (a database restored beside another key). Only counts come out: nothing secret reaches a log.
 */
export async function sealClearTotpSecrets(ctx: AccessContext): Promise<SealingPass> {
  const key = keyOf(ctx);
  return ctx.store.transaction(async (trx) => {
    const rows = await trx
      .selectFrom('accounts')
      .select(['id', 'totp_secret'])
      .where('totp_secret', 'is not', null)
      .orderBy('id')
      .execute();
    const pass: SealingPass = { sealed: 0, unreadable: 0 };
    for (const row of rows) {
      const stored = row.totp_secret!;
      if (isSealed(stored)) {
        if (key.open(stored, context(row.id)) === undefined) pass.unreadable++;
        continue;
      }
      // Only if unchanged meanwhile: another instance starting at once may have sealed it already.
      const done = await trx
        .updateTable('accounts')
        .set({ totp_secret: key.seal(stored, context(row.id)) })
        .where('id', '=', row.id)
        .where('totp_secret', '=', stored)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) > 0) pass.sealed++;
    }
    return pass;
  });
}
