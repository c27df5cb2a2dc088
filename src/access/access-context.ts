/**
 * What every access operation shares: the store, the clock (injectable, so tests can move time) and
 * the lifetimes. ASVS 5.0 asks for both an inactivity timeout and an absolute session lifetime.
 */
import type { Store } from '../kernel/store/store.ts';
import type { SecretsKey } from './secret-box.ts';

export interface AccessOptions {
  now?: () => Date;
  /** A session unused this long ends. Default 30 minutes. */
  sessionIdleMs?: number;
  /** A session ends this long after sign-in, however busy. Default 12 hours. */
  sessionMaxMs?: number;
  /** The longest an API token may be issued for. Default 366 days. */
  apiTokenMaxMs?: number;
  /** The issuer authenticator apps show beside the code. Default `Guarantor`. */
  totpIssuer?: string;
  /**
   * Seals the TOTP secrets in the database (secret-box.ts). Without it, anything that touches a
   * sealed secret (enrolling, confirming, signing in with a code) fails as a wiring mistake.
   */
  secretsKey?: SecretsKey;
}

export interface AccessContext {
  store: Store;
  now: () => Date;
  sessionIdleMs: number;
  sessionMaxMs: number;
  apiTokenMaxMs: number;
  totpIssuer: string;
  secretsKey: SecretsKey | undefined;
}

/** A session's last-seen time is written at most this often, so reads do not each cost a write. */
export const TOUCH_INTERVAL_MS = 60_000;

export function accessContext(store: Store, options: AccessOptions = {}): AccessContext {
  return {
    store,
    now: options.now ?? (() => new Date()),
    sessionIdleMs: options.sessionIdleMs ?? 30 * 60_000,
    sessionMaxMs: options.sessionMaxMs ?? 12 * 3600_000,
    apiTokenMaxMs: options.apiTokenMaxMs ?? 366 * 24 * 3600_000,
    totpIssuer: options.totpIssuer ?? 'Guarantor',
    secretsKey: options.secretsKey,
  };
}

/** Where a request came from, as the HTTP layer knows it. */
export interface ClientInfo {
  address?: string | null;
  userAgent?: string | null;
}

/** Who made a change: an account id, or `system:<name>` for the command line and the demonstration. */
export type Actor = string;

export function isoAfter(now: Date, ms: number): string {
  return new Date(now.getTime() + ms).toISOString();
}
