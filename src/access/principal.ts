/**
 * Who is calling, as the HTTP layer learns it from a session cookie or an API token, and the one-line
 * permission check every route makes: `can(principal, 'incident:transition')`.
 */
import type { Classification } from './labels.ts';
import { type Action, MACHINE_SCOPES, PERMISSIONS, type Role, roleAllows, TOKEN_SCOPES } from './roles.ts';

export type Principal =
  | { kind: 'public' }
  | {
      kind: 'account';
      accountId: string;
      participant: string;
      roles: readonly Role[];
      /** The account's clearance as its row says at this request: never kept from an earlier one. */
      clearance: Classification;
      via: 'session';
      sessionId: string;
      /**
       * Signed in with a password but holding a role that needs TOTP not yet enrolled: this session
       * may enrol TOTP and sign out, and otherwise do only what the public may.
       */
      totpEnrolmentRequired: boolean;
      demo: boolean;
    }
  | {
      kind: 'account';
      accountId: string;
      participant: string;
      roles: readonly Role[];
      /** As for a session: the account's clearance at this request. */
      clearance: Classification;
      via: 'token';
      tokenId: string;
      scopes: readonly Action[];
      demo: boolean;
    }
  | {
      kind: 'machine';
      /** The machine's name as the token was issued to it, e.g. `sensor:uav-12`. */
      machine: string;
      participant: string;
      tokenId: string;
      scopes: readonly Action[];
    };

export const PUBLIC_PRINCIPAL: Principal = { kind: 'public' };

export function can(principal: Principal, action: Action): boolean {
  // Signing in never leaves anyone with less than the anonymous public has.
  if (PERMISSIONS.public.includes(action)) return true;
  switch (principal.kind) {
    case 'public':
      return false;
    case 'machine':
      return principal.scopes.includes(action) && MACHINE_SCOPES.includes(action);
    case 'account':
      if (principal.via === 'session') {
        // Until the authenticator is set up, the session may only do that (and sign out).
        if (principal.totpEnrolmentRequired) return action === 'account:self';
        return roleAllows(principal.roles, action);
      }
      // A token never does more than its account may do today, whatever it was issued with, and never
      // what only a session may do (a token issued before that rule may still list it).
      return (
        TOKEN_SCOPES.includes(action) &&
        principal.scopes.includes(action) &&
        roleAllows(principal.roles, action)
      );
  }
}

/** The account or machine to name in audit entries and custody records. */
export function actorOf(principal: Principal): string {
  switch (principal.kind) {
    case 'public':
      return 'public';
    case 'machine':
      return `machine:${principal.machine}`;
    case 'account':
      return principal.accountId;
  }
}
