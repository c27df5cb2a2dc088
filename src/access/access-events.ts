/**
 * The access audit trail: each sign-in, failed sign-in and account change is a row in
 * `access_events` and an `access` leaf committing to it, written in the transaction of the change.
 *
 * The leaf's public part (kind, record id, time) says only that some access event happened then: the
 * record id is the event's own id, not the account's, so the public ledger does not show when a given
 * person signs in. Details hold no secret and no raw outside text: strings are cleaned of control
 * characters and cut short (see sanitize.ts), and a failed sign-in under an unknown username does not
 * keep what was typed, which is sometimes a password.
 */
import { uuid7 } from '../kernel/ids/uuid7.ts';
import { appendLeaves } from '../kernel/ledger/append.ts';
import type { AccessEventTable } from '../kernel/store/schema.ts';
import type { Store, Tx } from '../kernel/store/store.ts';
import { cleanOptional, cleanText } from './sanitize.ts';

export const ACCESS_LEAF_KIND = 'access';

export const ACCESS_EVENTS = [
  'account.created',
  'account.roles_changed',
  'account.clearance_changed',
  'account.disabled',
  'account.enabled',
  'account.password_changed',
  'account.password_reset',
  'sign_in',
  'sign_in.failed',
  'sign_out',
  'sign_out.everywhere',
  'totp.enrolment_started',
  'totp.enabled',
  'totp.reset',
  'api_token.issued',
  'api_token.revoked',
  'record.write',
  'record.read',
] as const;
export type AccessEventKind = (typeof ACCESS_EVENTS)[number];

/** Detail values: plain data only, so nothing executable or structured from outside gets in. */
export type DetailValue = string | number | boolean | null | readonly string[];

export interface AccessEventInput {
  event: AccessEventKind;
  at: string;
  accountId: string | null;
  participant: string | null;
  actor: string;
  address: string | null | undefined;
  details?: Record<string, DetailValue>;
}

export interface AccessEvent {
  id: string;
  at: string;
  event: string;
  accountId: string | null;
  participant: string | null;
  actor: string;
  address: string | null;
  details: Record<string, DetailValue>;
}

function cleanDetails(details: Record<string, DetailValue>): Record<string, DetailValue> {
  const out: Record<string, DetailValue> = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined) continue;
    const k = cleanText(key, 64);
    if (typeof value === 'string') out[k] = cleanText(value);
    else if (Array.isArray(value)) out[k] = value.slice(0, 50).map((v) => cleanText(String(v), 100));
    else if (typeof value === 'number') out[k] = Number.isFinite(value) ? value : null;
    else out[k] = value as boolean | null;
  }
  return out;
}

export function accessEventFromRow(r: AccessEventTable): AccessEvent {
  return {
    id: r.id,
    at: r.at,
    event: r.event,
    accountId: r.account_id,
    participant: r.participant,
    actor: r.actor,
    address: r.address,
    details: JSON.parse(r.details) as Record<string, DetailValue>,
  };
}

/** What the event's leaf commits to: the event as stored, so `guarantor audit` can rebuild it. */
export function accessLeafContent(e: AccessEvent): unknown {
  return e;
}

/** Writes the event and its ledger leaf; call inside the transaction of the change it records. */
export async function recordAccessEvent(trx: Tx, input: AccessEventInput): Promise<AccessEvent> {
  const row: AccessEventTable = {
    id: uuid7(),
    at: input.at,
    event: input.event,
    account_id: input.accountId,
    participant: input.participant,
    actor: cleanText(input.actor, 120),
    address: cleanOptional(input.address, 64),
    details: JSON.stringify(cleanDetails(input.details ?? {})),
  };
  await trx.insertInto('access_events').values(row).execute();
  const event = accessEventFromRow(row);
  await appendLeaves(trx, [
    { kind: ACCESS_LEAF_KIND, recordId: event.id, content: accessLeafContent(event), at: event.at },
  ]);
  return event;
}

/** Events newest first, for review by administrators (all) and delegates (their participant's). */
export async function listAccessEvents(
  store: Store,
  filter: { accountId?: string; participant?: string; before?: string; limit?: number } = {},
): Promise<AccessEvent[]> {
  let q = store.db.selectFrom('access_events').selectAll();
  if (filter.accountId !== undefined) q = q.where('account_id', '=', filter.accountId);
  if (filter.participant !== undefined) q = q.where('participant', '=', filter.participant);
  if (filter.before !== undefined) q = q.where('id', '<', filter.before);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000))
    .execute();
  return rows.map(accessEventFromRow);
}
