import type { Kysely } from 'kysely';

/**
 * Accounts, their sessions and API tokens, the per-address sign-in throttle, and the access events
 * (sign-ins, failures, account changes) that the ledger commits to. No secret is stored as given:
 * passwords as argon2id hashes, session and API tokens as SHA-256 hashes. The TOTP secret has to be
 * kept readable to check codes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('participant', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    // The username folded to lower case: unique here, so `Alice` and `alice` cannot both exist.
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    // The last time step whose code was accepted: a code is good once.
    .addColumn('totp_last_step', 'integer')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_failure_at', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('demo', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('accounts_participant').on('accounts').columns(['participant', 'id']).execute();

  await db.schema
    .createTable('sessions')
    // SHA-256 of the session token, hex: a copy of the database does not sign anyone in.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('csrf_hash', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_account').on('sessions').columns(['account_id', 'id']).execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    // Exactly one of account_id (a person's token) and machine (a sensor or integration) is set.
    .addColumn('account_id', 'text', (c) => c.references('accounts.id'))
    .addColumn('machine', 'text')
    .addColumn('participant', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_account').on('api_tokens').columns(['account_id', 'id']).execute();

  await db.schema
    .createTable('sign_in_throttle')
    // The client address, an IPv6 one cut to its /64 (one subscriber usually holds the whole /64).
    .addColumn('address', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    // Failures count until 15 quiet minutes pass (see access/throttle.ts), so the last one is kept.
    .addColumn('last_failure_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .execute();

  await db.schema
    .createTable('access_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    // The account concerned; null for a failed sign-in under an unknown username.
    .addColumn('account_id', 'text')
    .addColumn('participant', 'text')
    // Who did it: an account id, or `system:<name>` for the command line and the demonstration.
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('access_events_account')
    .on('access_events')
    .columns(['account_id', 'at'])
    .execute();
  await db.schema
    .createIndex('access_events_participant')
    .on('access_events')
    .columns(['participant', 'at'])
    .execute();
}
