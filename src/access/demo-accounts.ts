/**
 * The demonstration's accounts: one per role, each marked `demo`, with one published password, made
 * only when the demonstration scenario is loaded. The sensor, a machine, gets an API token instead,
 * also published. None of this may exist on a real deployment; the README says so beside the list.
 */

import { DEFAULT_CLEARANCE } from './account-model.ts';
import type { AccountService } from './account-service.ts';
import { issueApiToken } from './api-tokens.ts';
import { type Classification, MACHINE_CLEARANCE, SECRETARIAT } from './labels.ts';
import { MACHINE_SCOPES, PERMISSIONS, type Role } from './roles.ts';
import { hashToken } from './tokens.ts';

/** Published in the README: it opens only demonstration accounts. */
export const DEMO_PASSWORD = 'guarantor-demo-only';

/** Published in the README beside the password; shaped like any API token (`gtr_` + 43 characters). */
export const DEMO_SENSOR_TOKEN = 'gtr_demonstration-sensor-token-not-a-secret-000';

const DEMO_TOKEN_DAYS = 365;

export interface DemoAccount {
  username: string;
  role: Role;
  participant: string;
  displayName: string;
  /** The highest classification it may read. */
  clearance: Classification;
  /** The password, or for the sensor the API token. */
  secret: string;
  kind: 'account' | 'machine';
}

interface DemoPerson {
  role: Exclude<Role, 'sensor'>;
  participant: string;
  displayName: string;
  clearance?: Classification;
}

/**
 * One per role. The analyst is cleared to SECRET, so the demonstration shows a clearance above the
 * default; the administrator is the secretariat's, who manages every participant's accounts (a
 * participant's administrators manage only their own, see manager.ts) and may give up to SECRET.
 */
const PEOPLE: readonly DemoPerson[] = [
  { role: 'monitor', participant: 'FRA', displayName: 'Demo monitor (France)' },
  {
    role: 'analyst',
    participant: 'GBR',
    displayName: 'Demo analyst (United Kingdom)',
    clearance: 'SECRET',
  },
  { role: 'commission_delegate', participant: 'DEU', displayName: 'Demo commission delegate (Germany)' },
  { role: 'commission_chair', participant: 'NLD', displayName: 'Demo commission chair (Netherlands)' },
  { role: 'force_planner', participant: 'GBR', displayName: 'Demo force planner (United Kingdom)' },
  { role: 'support_planner', participant: 'USA', displayName: 'Demo support planner (United States)' },
  { role: 'host_nation_liaison', participant: 'UKR', displayName: 'Demo host-nation liaison (Ukraine)' },
  {
    role: 'administrator',
    participant: SECRETARIAT,
    displayName: 'Demo administrator (secretariat)',
    clearance: 'SECRET',
  },
];

const SENSOR = { machine: 'demo-sensor', participant: 'FRA', displayName: 'Demo sensor (France)' };

function usernameFor(role: Role): string {
  return `demo-${role.replace(/_/g, '-')}`;
}

/** What the README lists: every demonstration sign-in. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  ...PEOPLE.map((p) => ({
    username: usernameFor(p.role),
    role: p.role,
    participant: p.participant,
    displayName: p.displayName,
    clearance: p.clearance ?? DEFAULT_CLEARANCE,
    secret: DEMO_PASSWORD,
    kind: 'account' as const,
  })),
  {
    username: SENSOR.machine,
    role: 'sensor',
    participant: SENSOR.participant,
    displayName: SENSOR.displayName,
    clearance: MACHINE_CLEARANCE,
    secret: DEMO_SENSOR_TOKEN,
    kind: 'machine',
  },
];

/**
 * Makes the demonstration accounts and the sensor's token, skipping any already there, and returns the
 * full list. TOTP is not required of them even for privileged roles (see `totpRequired`): the
 * demonstration has to be usable straight from the README.
 */
export async function createDemoAccounts(accounts: AccountService): Promise<DemoAccount[]> {
  const actor = 'system:demo';
  for (const p of PEOPLE) {
    const username = usernameFor(p.role);
    if (await accounts.findAccount(username)) continue;
    await accounts.createAccount(
      {
        username,
        participant: p.participant,
        displayName: p.displayName,
        roles: [p.role],
        clearance: p.clearance ?? DEFAULT_CLEARANCE,
        password: DEMO_PASSWORD,
      },
      actor,
      { demo: true },
    );
  }
  const existing = await accounts.ctx.store.db
    .selectFrom('api_tokens')
    .select('id')
    .where('token_hash', '=', hashToken(DEMO_SENSOR_TOKEN))
    .executeTakeFirst();
  if (!existing) {
    const now = accounts.ctx.now();
    await issueApiToken(
      accounts.ctx,
      {
        owner: { machine: SENSOR.machine, participant: SENSOR.participant },
        name: SENSOR.displayName,
        scopes: PERMISSIONS.sensor.filter((s) => MACHINE_SCOPES.includes(s)),
        expiresAt: new Date(now.getTime() + DEMO_TOKEN_DAYS * 24 * 3600_000).toISOString(),
      },
      actor,
      DEMO_SENSOR_TOKEN,
    );
  }
  return [...DEMO_ACCOUNTS];
}
