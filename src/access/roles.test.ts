import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RouteSpec } from '../kernel/http/api.ts';
import { ledgerRoutes } from '../kernel/ledger/routes.ts';
import { witnessRoutes } from '../kernel/ledger/witness-routes.ts';
import { evidenceRoutes } from '../monitoring/evidence/routes.ts';
import { recordOpeningRoutes } from '../monitoring/record-opening.ts';
import { monitoringRoutes } from '../monitoring/routes.ts';
import { actorOf, can, type Principal, PUBLIC_PRINCIPAL } from './principal.ts';
import {
  ACTIONS,
  type Action,
  isRole,
  MACHINE_ROLES,
  MACHINE_SCOPES,
  needsSecondFactor,
  PERMISSIONS,
  PRIVILEGED_ROLES,
  permissionsOf,
  ROLES,
  ROUTE_ACTIONS,
  roleAllows,
  TOKEN_SCOPES,
} from './roles.ts';
import { accessRoutes } from './routes.ts';

const role = fc.constantFrom(...ROLES);
const personRole = fc.constantFrom(...ROLES.filter((r) => !MACHINE_ROLES.includes(r)));
const action = fc.constantFrom(...ACTIONS);

/** Every route the app serves today; the route builders only keep their services for later. */
function allRoutes(): RouteSpec[] {
  return [
    ...monitoringRoutes({ store: { db: {} } } as never),
    ...evidenceRoutes({ maxBytes: 1 } as never),
    ...ledgerRoutes({} as never),
    ...witnessRoutes(undefined),
    ...accessRoutes({} as never),
    ...recordOpeningRoutes({} as never),
  ];
}

describe('roles and permissions', () => {
  it('names an action for every route, and only actions that exist', () => {
    const ids = allRoutes().map((r) => r.operationId);
    expect(ids.filter((id) => ROUTE_ACTIONS[id] === undefined)).toEqual([]);
    expect(Object.keys(ROUTE_ACTIONS).filter((id) => !ids.includes(id))).toEqual([]);
    for (const a of Object.values(ROUTE_ACTIONS)) expect(ACTIONS).toContain(a);
  });

  it('lets someone do each action, and lets the public only read what is published', () => {
    for (const a of ACTIONS)
      expect(ROLES.some((r) => PERMISSIONS[r].includes(a)) || PERMISSIONS.public.includes(a)).toBe(true);
    expect([...PERMISSIONS.public].sort()).toEqual([
      'geography:read',
      'ledger:read',
      'publication:read',
      'session:open',
    ]);
  });

  it('keeps account management and the audit trail to the roles that need them', () => {
    expect(ROLES.filter((r) => PERMISSIONS[r].includes('account:manage'))).toEqual(['administrator']);
    expect(ROLES.filter((r) => PERMISSIONS[r].includes('audit:read')).sort()).toEqual([
      'administrator',
      'commission_chair',
      'commission_delegate',
    ]);
    expect(PERMISSIONS.sensor).toEqual(['report:submit', 'evidence:upload']);
  });

  it('asks a second factor of the privileged roles, and of no machine', () => {
    for (const r of ['administrator', 'commission_chair', 'commission_delegate', 'analyst'] as const) {
      expect(PRIVILEGED_ROLES).toContain(r);
      expect(needsSecondFactor([r])).toBe(true);
    }
    expect(needsSecondFactor(['monitor', 'force_planner'])).toBe(false);
    expect(PRIVILEGED_ROLES.some((r) => MACHINE_ROLES.includes(r))).toBe(false);
    expect(isRole('public')).toBe(false);
    expect(isRole('__proto__')).toBe(false);
  });

  it('grants a set of roles exactly the union of its roles’ permissions and the public’s', () => {
    fc.assert(
      fc.property(fc.uniqueArray(role), action, (roles, a) => {
        const union = PERMISSIONS.public.includes(a) || roles.some((r) => PERMISSIONS[r].includes(a));
        expect(roleAllows(roles, a)).toBe(union);
        expect(permissionsOf(roles).has(a)).toBe(union);
      }),
    );
  });
});

describe('can(principal, action)', () => {
  const session = (roles: readonly (typeof ROLES)[number][], totpEnrolmentRequired = false): Principal => ({
    kind: 'account',
    via: 'session',
    accountId: 'a',
    participant: 'FRA',
    roles,
    clearance: 'CONFIDENTIAL',
    sessionId: 's',
    totpEnrolmentRequired,
    demo: false,
  });

  it('gives the public only the public actions', () => {
    for (const a of ACTIONS) expect(can(PUBLIC_PRINCIPAL, a)).toBe(PERMISSIONS.public.includes(a));
    expect(actorOf(PUBLIC_PRINCIPAL)).toBe('public');
  });

  it('gives a session its roles’ permissions, and only the public’s while TOTP enrolment is pending', () => {
    fc.assert(
      fc.property(fc.uniqueArray(personRole, { minLength: 1 }), action, (roles, a) => {
        expect(can(session(roles), a)).toBe(roleAllows(roles, a));
        expect(can(session(roles, true), a)).toBe(PERMISSIONS.public.includes(a) || a === 'account:self');
      }),
    );
  });

  it('never lets a token do more than its scopes, its account’s roles and TOKEN_SCOPES allow, beyond the public’s', () => {
    fc.assert(
      fc.property(fc.uniqueArray(personRole), fc.uniqueArray(action), action, (roles, scopes, a) => {
        const p: Principal = {
          kind: 'account',
          via: 'token',
          accountId: 'a',
          participant: 'FRA',
          roles,
          clearance: 'CONFIDENTIAL',
          tokenId: 't',
          scopes,
          demo: false,
        };
        expect(can(p, a)).toBe(
          PERMISSIONS.public.includes(a) ||
            (TOKEN_SCOPES.includes(a) && scopes.includes(a) && roleAllows(roles, a)),
        );
      }),
    );
  });

  it('never lets a machine do more than its scopes within MACHINE_SCOPES, beyond the public’s', () => {
    fc.assert(
      fc.property(fc.uniqueArray(action), action, (scopes: Action[], a) => {
        const p: Principal = { kind: 'machine', machine: 'uav-1', participant: 'FRA', tokenId: 't', scopes };
        expect(can(p, a)).toBe(
          PERMISSIONS.public.includes(a) || (scopes.includes(a) && MACHINE_SCOPES.includes(a)),
        );
        expect(actorOf(p)).toBe('machine:uav-1');
      }),
    );
    expect(MACHINE_SCOPES).not.toContain('account:manage');
    expect(MACHINE_SCOPES).not.toContain('audit:read');
  });
});
