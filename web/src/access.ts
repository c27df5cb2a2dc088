/**
 * Who is using the app and what the server lets them do, as pure rules the pages and the header
 * follow. The server decides every request on its own; the app only avoids offering what would be
 * refused, so each role sees its own actions and the public sees what is published.
 */
import { CLASSIFICATIONS, type Classification, levelOf } from '../../src/access/labels.ts';
import { ACTIONS, type Action, PERMISSIONS, ROLES, type Role } from '../../src/access/roles.ts';
import { words } from './format.ts';
import type { Route } from './router.ts';

export type { Action, Classification, Role };

export interface SessionAccount {
  id: string;
  username: string;
  displayName: string;
  participant: string;
  roles: Role[];
  /** The highest classification the account may read, and the highest its administrator may give. */
  clearance: Classification;
  totpEnabled: boolean;
  demo: boolean;
}

export interface Session {
  /** null for the anonymous public. */
  account: SessionAccount | null;
  permissions: ReadonlySet<Action>;
  /** Signed in with a password, but a privileged role needs the authenticator app set up first. */
  totpEnrolmentRequired: boolean;
  expiresAt: string | null;
}

export const PUBLIC_SESSION: Session = Object.freeze({
  account: null,
  permissions: new Set<Action>(PERMISSIONS.public),
  totpEnrolmentRequired: false,
  expiresAt: null,
});

/** The cookies the server sets at sign-in; only the CSRF one is readable by the page. */
export const SESSION_COOKIE = 'guarantor_session';
export const CSRF_COOKIE = 'guarantor_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function can(session: Session, action: Action): boolean {
  return session.permissions.has(action);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * The session from the server's answer to GET or POST /api/v1/session. Unknown actions and roles are
 * dropped rather than trusted, so a newer server never makes this app offer something it cannot name.
 */
export function sessionFrom(answer: unknown): Session {
  if (!isRecord(answer) || !isRecord(answer.account)) return PUBLIC_SESSION;
  const a = answer.account;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const roles = Array.isArray(a.roles)
    ? a.roles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r))
    : [];
  // A clearance the app cannot name is taken as the lowest, so it never offers more than it may.
  const clearance = (CLASSIFICATIONS as readonly unknown[]).includes(a.clearance)
    ? (a.clearance as Classification)
    : 'PUBLIC';
  const granted = Array.isArray(answer.permissions)
    ? answer.permissions.filter((p): p is Action => (ACTIONS as readonly unknown[]).includes(p))
    : [];
  return {
    account: {
      id: str(a.id),
      username: str(a.username),
      displayName: str(a.displayName) || str(a.username),
      participant: str(a.participant),
      roles,
      clearance,
      totpEnabled: a.totpEnabled === true,
      demo: a.demo === true,
    },
    // Signing in never leaves anyone with less than the public has (the server's rule too).
    permissions: new Set<Action>([...PERMISSIONS.public, ...granted]),
    totpEnrolmentRequired: answer.totpEnrolmentRequired === true,
    expiresAt: typeof answer.expiresAt === 'string' ? answer.expiresAt : null,
  };
}

/** One cookie's value from `document.cookie`, or undefined when it is not set or empty. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (!value) return undefined;
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

export const SIGN_IN_PATH = '/sign-in';

/**
 * Where to go after signing in: a path of this app only. Anything else (another origin, `//host`,
 * a backslash browsers read as a slash, the API, the sign-in page itself) would make the sign-in page
 * an open redirect or a loop, so it falls back to the start page.
 */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || raw.length > 2000) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return '/';
  // Control characters and spaces have no place in the app's own paths.
  for (const ch of raw) {
    const c = ch.codePointAt(0) ?? 0;
    if (c <= 0x20 || c === 0x7f) return '/';
  }
  const path = raw.split(/[?#]/)[0] ?? '';
  if (path.startsWith('/api/') || path === SIGN_IN_PATH || path.startsWith(`${SIGN_IN_PATH}/`)) return '/';
  return raw;
}

export type SignInReason = 'expired' | 'required' | 'password_changed' | 'signed_out';

/** The sign-in page's address, coming back to `next` afterwards. */
export function signInPath(next?: string, reason?: SignInReason): string {
  const params = new URLSearchParams();
  const back = safeNext(next);
  if (back !== '/') params.set('next', back);
  if (reason) params.set('reason', reason);
  const query = params.toString();
  return query ? `${SIGN_IN_PATH}?${query}` : SIGN_IN_PATH;
}

export const SIGN_IN_NOTICES: Record<SignInReason, string> = {
  expired: 'Your session has ended. Sign in again to go on where you were.',
  required: 'Sign in to see this page.',
  password_changed: 'Your password was changed and every session ended. Sign in with the new password.',
  signed_out: 'You are signed out.',
};

export function signInReason(raw: string | null): SignInReason | undefined {
  return raw && Object.hasOwn(SIGN_IN_NOTICES, raw) ? (raw as SignInReason) : undefined;
}

export const ROLE_LABELS: Record<Role, string> = {
  monitor: 'monitor',
  sensor: 'sensor',
  analyst: 'analyst',
  commission_delegate: 'commission delegate',
  commission_chair: 'commission chair',
  force_planner: 'force planner',
  support_planner: 'support planner',
  host_nation_liaison: 'host-nation liaison',
  administrator: 'administrator',
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role as Role] ?? words(role);
}

/** The clearances an administrator cleared to `own` may give, lowest first. */
export function grantableClearances(own: Classification): Classification[] {
  return CLASSIFICATIONS.filter((c) => levelOf(c) <= levelOf(own));
}

/** `monitor, analyst` for the header and the account page. */
export function rolesText(roles: readonly string[]): string {
  return roles.length ? roles.map(roleLabel).join(', ') : 'no role';
}

/** What a failed sign-in says, and next to which field. */
export function signInProblem(
  problem: { code?: string; detail?: string; field?: string },
  retryAfterS?: number,
): { message: string; field?: 'username' | 'password' | 'totpCode' } {
  switch (problem.code) {
    case 'totp_required':
      return {
        message: 'Enter the six-digit code from your authenticator app.',
        field: 'totpCode',
      };
    case 'sign_in_failed':
      // One message whatever went wrong, as the server intends: it must not tell a stranger which
      // usernames exist, nor which of the password or the code was wrong.
      return {
        message:
          'Sign-in failed: the username, password or code is not right, or sign-in is paused after too many failures. Check them and try again later if it keeps failing.',
      };
    case 'rate_limited':
      return {
        message: `Too many attempts from here. Wait ${
          retryAfterS && retryAfterS > 0 ? `${retryAfterS} seconds` : 'a little'
        } and try again.`,
      };
    case 'validation_failed':
      if (problem.field === 'totpCode') return { message: 'The code is six digits.', field: 'totpCode' };
      return { message: 'Fill in the username and the password.' };
    case 'forbidden':
      // Sign-in over plain HTTP from another machine; the server says how to fix it.
      return { message: problem.detail ?? 'Sign-in is not allowed from here.' };
    default:
      return { message: `Sign-in did not work: ${problem.detail ?? 'the server could not be reached'}.` };
  }
}

/** Checks the sign-in form before anything is sent. */
export function checkSignIn(form: { username: string; password: string; totpCode: string | null }): {
  body?: { username: string; password: string; totpCode?: string };
  errors: Partial<Record<'username' | 'password' | 'totpCode', string>>;
} {
  const errors: Partial<Record<'username' | 'password' | 'totpCode', string>> = {};
  const username = form.username.trim();
  if (!username) errors.username = 'Enter your username.';
  if (!form.password) errors.password = 'Enter your password.';
  const code = form.totpCode?.replace(/\s/g, '') ?? null;
  if (code !== null && !/^\d{6}$/.test(code)) errors.totpCode = 'Enter the six digits the app shows.';
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    body: { username, password: form.password, ...(code ? { totpCode: code } : {}) },
  };
}

/** The same server rule the policy enforces (src/access/password.ts), checked early for a quick answer. */
export const PASSWORD_MIN = 12;

export function checkPasswordChange(form: { current: string; next: string; repeat: string }): {
  body?: { currentPassword: string; newPassword: string };
  errors: Partial<Record<'currentPassword' | 'newPassword' | 'repeat', string>>;
} {
  const errors: Partial<Record<'currentPassword' | 'newPassword' | 'repeat', string>> = {};
  if (!form.current) errors.currentPassword = 'Enter your current password.';
  if (form.next.length < PASSWORD_MIN)
    errors.newPassword = `The new password needs at least ${PASSWORD_MIN} characters.`;
  else if (form.next === form.current)
    errors.newPassword = 'Choose a password different from the current one.';
  if (!errors.newPassword && form.repeat !== form.next) errors.repeat = 'The two new passwords differ.';
  if (Object.keys(errors).length) return { errors };
  return { errors, body: { currentPassword: form.current, newPassword: form.next } };
}

export interface NavItem {
  href: string;
  label: string;
  /** Matches the route's name, to mark the current page. */
  nav: string;
}

/** The main navigation: each entry only for those who may use the page behind it. */
export function navItems(session: Session): NavItem[] {
  if (session.totpEnrolmentRequired) return [];
  const items: NavItem[] = [
    { href: '/', label: can(session, 'incident:read') ? 'Operations room' : 'Map', nav: 'operations' },
    { href: '/daily', label: 'Daily report', nav: 'daily' },
    { href: '/verify', label: 'Ledger', nav: 'ledger' },
  ];
  if (can(session, 'report:import')) items.push({ href: '/import', label: 'Import', nav: 'import' });
  if (can(session, 'account:manage')) items.push({ href: '/admin', label: 'Administration', nav: 'admin' });
  if (can(session, 'audit:read')) items.push({ href: '/access-trail', label: 'Access trail', nav: 'access' });
  return items;
}

/** Which of the analyst's actions the incident page offers. */
export function incidentActions(session: Session): { transition: boolean; split: boolean; merge: boolean } {
  return {
    transition: can(session, 'incident:transition'),
    split: can(session, 'incident:split'),
    merge: can(session, 'incident:merge'),
  };
}

/** How long until the session ends, for the account page: `in 7 h 59 min`. */
export function expiresIn(expiresAt: string | null, now: number): string | null {
  if (!expiresAt) return null;
  const ms = Date.parse(expiresAt) - now;
  if (Number.isNaN(ms)) return null;
  if (ms <= 0) return 'now';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `in ${hours} h ${minutes % 60} min`;
  return `in ${Math.round(hours / 24)} days`;
}

/**
 * Whether the page may be shown: `sign_in` for the public on a page that needs an account, `forbidden`
 * for an account whose roles do not reach it, `enrol` while the authenticator must be set up first.
 * The map, the daily report and the ledger are for everyone, so the public never meets a broken page.
 */
export function routeAccess(route: Route, session: Session): 'ok' | 'sign_in' | 'forbidden' | 'enrol' {
  if (session.totpEnrolmentRequired) {
    return route.name === 'authenticator' || route.name === 'sign_in' ? 'ok' : 'enrol';
  }
  const needs = (action: Action) => (can(session, action) ? 'ok' : session.account ? 'forbidden' : 'sign_in');
  switch (route.name) {
    case 'incident':
      return needs('incident:read');
    case 'account':
    case 'authenticator':
      return session.account ? 'ok' : 'sign_in';
    case 'admin':
      return needs('account:manage');
    case 'access':
      return needs('audit:read');
    case 'import':
      return needs('report:import');
    default:
      return 'ok';
  }
}

/** What each action lets a person do, in words, for the account page's "what you may do". */
export const ACTION_LABELS: Record<Action, string> = {
  'session:open': 'sign in',
  'account:self': 'manage your own account and sessions',
  'report:submit': 'submit reports',
  'report:import': 'import files of reports',
  'report:read': 'read reports',
  'incident:read': 'see incidents on the map and open them',
  'incident:transition': 'change an incident’s verification status',
  'incident:split': 'split an incident',
  'incident:merge': 'merge incidents',
  'publication:read': 'read daily reports, spot reports and compliance',
  'geography:read': 'see oblasts, sectors and ceasefire zones',
  'geography:edit': 'edit sectors and ceasefire zones',
  'device:read': 'see enrolled devices',
  'device:enrol': 'enrol devices',
  'device:revoke': 'revoke devices',
  'evidence:upload': 'attach evidence to reports',
  'evidence:read': 'see evidence',
  'evidence:export': 'export evidence with its custody log',
  'evidence:custody': 'record custody events of evidence',
  'ledger:read': 'check the ledger',
  'ledger:checkpoint': 'sign a ledger checkpoint on demand',
  'audit:read': 'review the access trail',
  'account:manage': 'manage accounts and API tokens',
};

/** The session's permissions in words, in the order the server's list of actions has them. */
export function permissionWords(session: Session): string[] {
  return ACTIONS.filter((a) => a !== 'session:open' && session.permissions.has(a)).map(
    (a) => ACTION_LABELS[a],
  );
}

/** A base32 secret in groups of four, as authenticator apps show and people type it. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s/g, '').match(/.{1,4}/g) ?? []).join(' ');
}
