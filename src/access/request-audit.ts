/**
 * The access trail of requests: every write that succeeded, and every read that returned a record
 * labelled above PUBLIC, is recorded with who, what, when and from where, and appended to the ledger.
 * Recorded before the answer leaves, so nothing restricted is served without its entry.
 */
import type { FastifyRequest } from 'fastify';
import type { RouteSpec } from '../kernel/http/api.ts';
import { isWriteMethod } from '../kernel/http/hardening.ts';
import type { CommitHook } from '../kernel/store/commit-hook.ts';
import type { Store } from '../kernel/store/store.ts';
import { recordAccessEvent } from './access-events.ts';
import { actorName, principalOf } from './http-auth.ts';

/** Ids named in one read entry; the count says how many there were in all. */
const MAX_IDS = 50;

/**
 * Records in an answer that carry a label above PUBLIC (reports and incidents, in lists, details and
 * GeoJSON properties), found by their shape so a new route is covered without naming it here.
 */
export function restrictedRecords(value: unknown, depth = 0, out: string[] = []): string[] {
  if (depth > 5 || value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    for (const v of value) restrictedRecords(v, depth + 1, out);
    return out;
  }
  const o = value as Record<string, unknown>;
  const label = o.label as { classification?: unknown } | undefined;
  if (typeof o.id === 'string' && label && typeof label === 'object' && label.classification !== 'PUBLIC')
    out.push(o.id);
  // for...in over own keys rather than Object.entries: a list of a thousand incidents would otherwise
  // allocate a pair array for every key of every nested object, on every read.
  for (const k in o) {
    if (k === 'label' || !Object.hasOwn(o, k)) continue;
    const v = o[k];
    if (v !== null && typeof v === 'object') restrictedRecords(v, depth + 1, out);
  }
  return out;
}

/** Write requests whose entry went into the transaction of the change itself. */
const recordedWithTheChange = new WeakSet<FastifyRequest>();

/**
 * For a write, the hook that puts its access-trail entry into the first transaction the handler
 * commits: the change and the entry saying who made it stand or fall together, even if the process
 * dies before the answer leaves. A write that stores nothing is recorded after it, by `auditRequest`.
 */
export function writeAuditHook(
  spec: RouteSpec,
  req: FastifyRequest,
  now: () => Date,
): CommitHook | undefined {
  // Sign-in, sign-out and account changes record themselves, in their own transaction.
  if (!isWriteMethod(req.method) || spec.tags.includes('access')) return undefined;
  return async (trx) => {
    if (recordedWithTheChange.has(req)) return;
    recordedWithTheChange.add(req);
    await recordAccessEvent(trx, writeEntry(spec, req, now()));
  };
}

function writeEntry(spec: RouteSpec, req: FastifyRequest, at: Date, status?: number) {
  const principal = principalOf(req);
  return {
    event: 'record.write' as const,
    at: at.toISOString(),
    accountId: principal.kind === 'account' ? principal.accountId : null,
    participant: principal.kind === 'public' ? null : principal.participant,
    actor: actorName(req),
    address: req.ip,
    details: { operation: spec.operationId, method: req.method, ...(status ? { status } : {}) },
  };
}

export async function auditRequest(
  store: Store,
  spec: RouteSpec,
  req: FastifyRequest,
  status: number,
  result: unknown,
  now: () => Date,
): Promise<void> {
  if (status >= 400) return;
  // Sign-in, sign-out and account changes record themselves, in their own transaction.
  if (spec.tags.includes('access')) return;
  if (isWriteMethod(req.method)) {
    if (recordedWithTheChange.has(req)) return;
    // Marked first: this transaction may itself run under the request's commit hook.
    recordedWithTheChange.add(req);
    await store.transaction((trx) => recordAccessEvent(trx, writeEntry(spec, req, now(), status)));
    return;
  }
  const read = [...new Set(restrictedRecords(result))];
  if (read.length === 0) return;
  const principal = principalOf(req);
  await store.transaction((trx) =>
    recordAccessEvent(trx, {
      event: 'record.read',
      at: now().toISOString(),
      accountId: principal.kind === 'account' ? principal.accountId : null,
      participant: principal.kind === 'public' ? null : principal.participant,
      actor: actorName(req),
      address: req.ip,
      details: { operation: spec.operationId, count: read.length, ids: read.slice(0, MAX_IDS) },
    }),
  );
}
