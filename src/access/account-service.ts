/**
 * Accounts and sign-in, as one service for the routes and the command line. Each operation lives in
 * its own module (accounts, sign-in, sessions, TOTP enrolment, API tokens); this class holds what they
 * share (the store, the clock, the lifetimes) and is what the app wires in.
 */
import type { Store } from '../kernel/store/store.ts';
import {
  type AccessContext,
  type AccessOptions,
  type Actor,
  accessContext,
  type ClientInfo,
} from './access-context.ts';
import { type AccessEvent, listAccessEvents } from './access-events.ts';
import type { Account, NewAccount } from './account-model.ts';
import {
  createAccount,
  disableAccount,
  enableAccount,
  findAccount,
  getAccount,
  listAccounts,
  setClearance,
  setRoles,
} from './accounts.ts';
import {
  type ApiToken,
  type IssueTokenInput,
  issueApiToken,
  listApiTokens,
  resolveApiToken,
  revokeApiToken,
} from './api-tokens.ts';
import type { Classification } from './labels.ts';
import type { ManagedBy } from './manager.ts';
import { changePassword, resetPassword } from './password-change.ts';
import type { Principal } from './principal.ts';
import type { Role } from './roles.ts';
import { type ResolvedSession, resolveSession, signOut, signOutEverywhere } from './sessions.ts';
import { type SignedIn, type SignInInput, signIn } from './sign-in.ts';
import { confirmTotp, enrolTotp, resetTotp, type TotpEnrolment } from './totp-enrolment.ts';

export class AccountService {
  readonly ctx: AccessContext;

  constructor(store: Store, options: AccessOptions = {}) {
    this.ctx = accessContext(store, options);
  }

  /**
   * The methods that manage accounts and tokens take who manages them (manager.ts): the signed-in
   * administrator, limited to what they may manage and give, or a bare actor name for the server itself.
   */
  createAccount(input: NewAccount, by: ManagedBy, options: { demo?: boolean } = {}): Promise<Account> {
    return createAccount(this.ctx, input, by, options);
  }

  getAccount(id: string): Promise<Account | undefined> {
    return getAccount(this.ctx, id);
  }

  findAccount(username: string): Promise<Account | undefined> {
    return findAccount(this.ctx, username);
  }

  listAccounts(filter: { participant?: string } = {}, by?: ManagedBy): Promise<Account[]> {
    return listAccounts(this.ctx, filter, by);
  }

  setRoles(id: string, roles: Role[], by: ManagedBy): Promise<Account> {
    return setRoles(this.ctx, id, roles, by);
  }

  setClearance(id: string, clearance: Classification, by: ManagedBy): Promise<Account> {
    return setClearance(this.ctx, id, clearance, by);
  }

  disableAccount(id: string, by: ManagedBy): Promise<Account> {
    return disableAccount(this.ctx, id, by);
  }

  enableAccount(id: string, by: ManagedBy): Promise<Account> {
    return enableAccount(this.ctx, id, by);
  }

  changePassword(
    id: string,
    passwords: { currentPassword: string; newPassword: string },
    client: ClientInfo = {},
  ): Promise<void> {
    return changePassword(this.ctx, id, passwords, client);
  }

  resetPassword(id: string, newPassword: string, by: ManagedBy): Promise<void> {
    return resetPassword(this.ctx, id, newPassword, by);
  }

  signIn(input: SignInInput): Promise<SignedIn> {
    return signIn(this.ctx, input);
  }

  resolveSession(token: string): Promise<ResolvedSession | undefined> {
    return resolveSession(this.ctx, token);
  }

  signOut(token: string, client: ClientInfo = {}): Promise<boolean> {
    return signOut(this.ctx, token, client);
  }

  signOutEverywhere(accountId: string, actor: Actor, client: ClientInfo = {}): Promise<number> {
    return signOutEverywhere(this.ctx, accountId, actor, client);
  }

  enrolTotp(accountId: string): Promise<TotpEnrolment> {
    return enrolTotp(this.ctx, accountId);
  }

  confirmTotp(accountId: string, code: string): Promise<void> {
    return confirmTotp(this.ctx, accountId, code);
  }

  resetTotp(accountId: string, actor: Actor): Promise<void> {
    return resetTotp(this.ctx, accountId, actor);
  }

  issueApiToken(input: IssueTokenInput, by: ManagedBy): Promise<{ token: string; apiToken: ApiToken }> {
    return issueApiToken(this.ctx, input, by);
  }

  revokeApiToken(id: string, by: ManagedBy): Promise<ApiToken> {
    return revokeApiToken(this.ctx, id, by);
  }

  listApiTokens(
    filter: { accountId?: string; participant?: string } = {},
    by?: ManagedBy,
  ): Promise<ApiToken[]> {
    return listApiTokens(this.ctx, filter, by);
  }

  resolveApiToken(token: string): Promise<Principal | undefined> {
    return resolveApiToken(this.ctx, token);
  }

  listAccessEvents(
    filter: { accountId?: string; participant?: string; before?: string; limit?: number } = {},
  ): Promise<AccessEvent[]> {
    return listAccessEvents(this.ctx.store, filter);
  }
}
