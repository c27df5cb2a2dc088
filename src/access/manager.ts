/**
 * Who manages accounts and API tokens, and so which of them are theirs to manage, and what they may
 * give. The rules, checked inside each operation (accounts.ts, password-change.ts, api-tokens.ts):
 *
 * - **Participants.** The secretariat (`CWS`) runs the mechanism for the whole coalition, so its
 *   administrators manage every participant's accounts and tokens. Any other participant's
 *   administrators manage only their own participant's: they list only those, make accounts and
 *   machine tokens only for their own participant, and anyone else's account or token answers them
 *   exactly as one that does not exist, so they do not learn which exist.
 * - **Clearance.** Nobody gives a clearance above their own: not to an account they make or change,
 *   and not by taking credentials of an account cleared above them (setting its password, issuing a
 *   token for it), which would give them that clearance under another name.
 * - **The administrator role** is given only by the secretariat's administrators. A participant's
 *   administrator cannot raise anyone above the powers they have themselves (their participant, their
 *   clearance), but administrators are who decides access: who administers it is the mechanism's
 *   decision, and a participant's administrator who went rogue or was taken over must not leave
 *   behind further administrators, which outlive their own account's disabling. For the same reason
 *   they do not take over another administrator's account (set its password, issue a token for it)
 *   or enable one that is disabled: that too would be making an administrator. Taking the role away,
 *   or disabling an administrator of their participant, only narrows access and stays open to them.
 *
 * The server itself (the command line on the server, the demonstration loader, tests that drive the
 * service) acts under a bare actor name: every participant, every clearance. Routes always pass the
 * signed-in administrator (`managerFor`).
 */
import { Problem } from '../kernel/http/errors.ts';
import type { Actor } from './access-context.ts';
import { type Classification, levelOf, MACHINE_CLEARANCE, SECRETARIAT } from './labels.ts';
import { actorOf, type Principal } from './principal.ts';
import type { Role } from './roles.ts';

export interface Manager {
  /** Named as the actor of every change. */
  actor: Actor;
  /** The account acting, when it is one; it may always act on itself within its clearance. */
  accountId: string | undefined;
  /** The one participant whose accounts and tokens are theirs; undefined for every participant. */
  participant: string | undefined;
  /** The highest clearance they may give. */
  clearance: Classification;
}

/** Whoever manages every participant (the secretariat, the server itself) makes administrators. */
export function appointsAdministrators(manager: Manager): boolean {
  return manager.participant === undefined;
}

/** The signed-in administrator, or the server itself under a bare actor name. */
export type ManagedBy = Actor | Manager;

export function managerOf(by: ManagedBy): Manager {
  if (typeof by !== 'string') return by;
  return {
    actor: by,
    accountId: undefined,
    participant: undefined,
    clearance: 'SECRET',
  };
}

/** The manager a request's caller is; only accounts hold `account:manage`. */
export function managerFor(principal: Principal): Manager {
  if (principal.kind !== 'account')
    throw new Problem('forbidden', 'only a person’s account manages accounts');
  const secretariat = principal.participant === SECRETARIAT;
  return {
    actor: actorOf(principal),
    accountId: principal.accountId,
    participant: secretariat ? undefined : principal.participant,
    clearance: principal.clearance,
  };
}

/** Whether the accounts and tokens of this participant are the manager's. */
export function manages(manager: Manager, participant: string): boolean {
  return manager.participant === undefined || manager.participant === participant;
}

/** Refuses a participant other than the manager's own for something new (an account, a machine token). */
export function checkParticipant(manager: Manager, participant: string, field: string): void {
  if (!manages(manager, participant))
    throw new Problem(
      'forbidden',
      `administrators of ${manager.participant} make accounts and tokens for ${manager.participant} only`,
      { field },
    );
}

/** Refuses a clearance above the manager's own. */
export function checkClearance(manager: Manager, clearance: Classification, field?: string): void {
  if (levelOf(clearance) > levelOf(manager.clearance))
    throw new Problem('forbidden', `your clearance is ${manager.clearance}: you may not give ${clearance}`, {
      field,
    });
}

/** Refuses roles that add the administrator role, unless the manager appoints administrators. */
export function checkRoles(manager: Manager, roles: readonly Role[], before: readonly Role[] = []): void {
  if (appointsAdministrators(manager)) return;
  if (roles.includes('administrator') && !before.includes('administrator'))
    throw new Problem('forbidden', 'only the secretariat’s administrators make administrators', {
      field: 'roles',
    });
}

/**
 * Refuses handing the manager what would let them act as this account (its password, an API token
 * for it): above their clearance, or another administrator unless they appoint administrators.
 */
export function checkTakeOver(
  manager: Manager,
  account: { id: string; clearance: Classification; roles: readonly Role[] },
  field?: string,
): void {
  checkClearance(manager, account.clearance, field);
  checkRevival(manager, account, field);
}

/** Refuses bringing back another administrator's account (enabling it, taking it over). */
export function checkRevival(
  manager: Manager,
  account: { id: string; roles: readonly Role[] },
  field?: string,
): void {
  if (appointsAdministrators(manager) || account.id === manager.accountId) return;
  if (account.roles.includes('administrator'))
    throw new Problem(
      'forbidden',
      'only the secretariat’s administrators take over or enable another administrator’s account',
      { field },
    );
}

/** A machine reads up to MACHINE_CLEARANCE; whoever issues its token gives it that. */
export function checkMachineToken(manager: Manager, participant: string): void {
  checkParticipant(manager, participant, 'owner.participant');
  checkClearance(manager, MACHINE_CLEARANCE, 'owner');
}
