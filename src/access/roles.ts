/**
 * Roles and what each may do. Deny by default: an action a role is not listed for is refused, and
 * the anonymous `public` may only read what is published and check the ledger.
 *
 * Releasability (which records of which participant a role may see) is the labels' job, not this
 * table's: `report:read` says an analyst may read reports, the label says which.
 */

export const ROLES = [
  'monitor',
  'sensor',
  'analyst',
  'commission_delegate',
  'commission_chair',
  'force_planner',
  'support_planner',
  'host_nation_liaison',
  'administrator',
] as const;
export type Role = (typeof ROLES)[number];

/** The anonymous caller: not a role anyone holds, the permissions of no sign-in at all. */
export const PUBLIC = 'public' as const;

/** Roles that a stolen password alone must not unlock: they need a TOTP second factor. */
export const PRIVILEGED_ROLES: readonly Role[] = [
  'administrator',
  'commission_chair',
  'commission_delegate',
  'analyst',
];

/** Roles only machines hold, through API tokens; a person's account cannot have them. */
export const MACHINE_ROLES: readonly Role[] = ['sensor'];

export const ACTIONS = [
  'session:open',
  'account:self',
  'report:submit',
  'report:import',
  'report:read',
  'incident:read',
  'incident:transition',
  'incident:split',
  'incident:merge',
  'publication:read',
  'geography:read',
  'geography:edit',
  'device:read',
  'device:enrol',
  'device:revoke',
  'evidence:upload',
  'evidence:read',
  'evidence:export',
  'evidence:custody',
  'ledger:read',
  'ledger:checkpoint',
  'audit:read',
  'account:manage',
] as const;
export type Action = (typeof ACTIONS)[number];

// Published material, the ceasefire's geometry and the ledger are public by design: member states and
// the public verify the record without an account.
const PUBLIC_ACTIONS: readonly Action[] = [
  'publication:read',
  'geography:read',
  'ledger:read',
  'session:open',
];

// What every person who signs in may do besides: see and end their own sessions, change their password,
// set up their authenticator.
const READ_PUBLISHED: readonly Action[] = [...PUBLIC_ACTIONS, 'account:self'];

export const PERMISSIONS: Readonly<Record<Role | typeof PUBLIC, readonly Action[]>> = {
  public: PUBLIC_ACTIONS,
  monitor: [
    ...READ_PUBLISHED,
    'report:submit',
    'report:read',
    'incident:read',
    'evidence:upload',
    'evidence:read',
    'evidence:custody',
  ],
  // A camera, UAV or acoustic sensor sends what it observed and nothing else.
  sensor: ['report:submit', 'evidence:upload'],
  analyst: [
    ...READ_PUBLISHED,
    'report:submit',
    'report:import',
    'report:read',
    'incident:read',
    'incident:transition',
    'incident:split',
    'incident:merge',
    'geography:edit',
    'device:read',
    'evidence:upload',
    'evidence:read',
    'evidence:export',
    'evidence:custody',
  ],
  commission_delegate: [...READ_PUBLISHED, 'report:read', 'incident:read', 'evidence:read', 'audit:read'],
  commission_chair: [
    ...READ_PUBLISHED,
    'report:read',
    'incident:read',
    'evidence:read',
    'evidence:export',
    'audit:read',
  ],
  // Planners need the compliance picture behind the deployment gate, not the raw reports.
  force_planner: [...READ_PUBLISHED, 'incident:read'],
  support_planner: [...READ_PUBLISHED],
  // The host nation's liaison officers report like a party's liaison does, and follow the incidents.
  host_nation_liaison: [
    ...READ_PUBLISHED,
    'report:submit',
    'report:read',
    'incident:read',
    'evidence:upload',
  ],
  // Administration is kept apart from the content: an administrator runs accounts, devices and the
  // ledger, and reads the audit trail, but is not thereby a reader of reports or evidence.
  administrator: [
    ...READ_PUBLISHED,
    'account:manage',
    'device:read',
    'device:enrol',
    'device:revoke',
    'geography:edit',
    'ledger:checkpoint',
    'audit:read',
  ],
};

/**
 * What an API token may carry: everything but signing in and a person's own account. Those belong to
 * a signed-in session, so a leaked token cannot change its owner's password, enrol another
 * authenticator or end the owner's sessions.
 */
export const TOKEN_SCOPES: readonly Action[] = ACTIONS.filter(
  (a) => a !== 'session:open' && a !== 'account:self',
);

/** What a machine's API token may be granted, whoever issues it. */
export const MACHINE_SCOPES: readonly Action[] = [
  'report:submit',
  'report:import',
  'report:read',
  'incident:read',
  'publication:read',
  'geography:read',
  'ledger:read',
  'device:read',
  'evidence:upload',
  'evidence:read',
];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

export function permissionsOf(roles: readonly Role[]): Set<Action> {
  const out = new Set<Action>(PERMISSIONS.public);
  for (const role of roles) for (const action of PERMISSIONS[role]) out.add(action);
  return out;
}

export function roleAllows(roles: readonly Role[], action: Action): boolean {
  return PERMISSIONS.public.includes(action) || roles.some((r) => PERMISSIONS[r].includes(action));
}

export function needsSecondFactor(roles: readonly Role[]): boolean {
  return roles.some((r) => PRIVILEGED_ROLES.includes(r));
}

/**
 * The action each existing route performs, by operationId, so one hook can check every route and a
 * route added without an entry is caught by the test beside this file.
 */
export const ROUTE_ACTIONS: Readonly<Record<string, Action>> = {
  submitReport: 'report:submit',
  importReports: 'report:import',
  getReport: 'report:read',
  listReports: 'report:read',
  listIncidents: 'incident:read',
  getIncident: 'incident:read',
  transitionIncident: 'incident:transition',
  splitIncident: 'incident:split',
  mergeIncidents: 'incident:merge',
  getSpotReport: 'publication:read',
  getDailyReport: 'publication:read',
  listDailySummaries: 'publication:read',
  getCompliance: 'publication:read',
  listZones: 'geography:read',
  createZone: 'geography:edit',
  updateZone: 'geography:edit',
  deleteZone: 'geography:edit',
  listSectors: 'geography:read',
  saveSector: 'geography:edit',
  listOblasts: 'geography:read',
  listDevices: 'device:read',
  enrolDevice: 'device:enrol',
  revokeDevice: 'device:revoke',
  uploadEvidence: 'evidence:upload',
  listReportEvidence: 'evidence:read',
  getEvidence: 'evidence:read',
  getEvidenceContent: 'evidence:read',
  getEvidenceDerived: 'evidence:read',
  getEvidenceThumbnail: 'evidence:read',
  exportEvidence: 'evidence:export',
  recordEvidenceCustody: 'evidence:custody',
  getLedgerCheckpoint: 'ledger:read',
  makeLedgerCheckpoint: 'ledger:checkpoint',
  getInclusionProof: 'ledger:read',
  getConsistencyProof: 'ledger:read',
  getRecordProof: 'ledger:read',
  getRecordInclusion: 'ledger:read',
  // Public as a route; the record's own readers are checked inside (see record-opening.ts).
  openRecordLeaf: 'ledger:read',
  getLedgerWitnesses: 'ledger:read',
  getTlogCheckpoint: 'ledger:read',
  getLedgerVerifierKey: 'ledger:read',
  getTlogEntryBundle: 'ledger:read',
  getTlogTile: 'ledger:read',
  getWitnessedCheckpoint: 'ledger:read',
  signIn: 'session:open',
  getSession: 'session:open',
  signOut: 'account:self',
  signOutEverywhere: 'account:self',
  changeOwnPassword: 'account:self',
  enrolTotp: 'account:self',
  confirmTotp: 'account:self',
  listAccounts: 'account:manage',
  createAccount: 'account:manage',
  setAccountRoles: 'account:manage',
  setAccountClearance: 'account:manage',
  disableAccount: 'account:manage',
  enableAccount: 'account:manage',
  resetAccountPassword: 'account:manage',
  listApiTokens: 'account:manage',
  issueApiToken: 'account:manage',
  revokeApiToken: 'account:manage',
  listAccessEvents: 'audit:read',
};
