/**
 * The access trail of requests: every write that succeeded, and every read that returned a record
 * labelled above PUBLIC, is recorded with who, what, when and from where, and appended to the ledger.
 * Recorded before the answer leaves, so nothing restricted is served without its entry.
 */
import type { FastifyRequest } from 'fastify';
import type { RouteSpec } from '../kernel/http/api.ts';
import { isWriteMethod } from '../kernel/http/hardening.ts';
import { type CommitHook, withCommitHook } from '../kernel/store/commit-hook.ts';
import type { Store } from '../kernel/store/store.ts';
import { recordAccessEvent } from './access-events.ts';
import { actorName, principalOf } from './http-auth.ts';
import { withReadLog } from './read-log.ts';

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
/** Restricted records each request's label checks let through (read-log.ts). */
const notedReads = new WeakMap<FastifyRequest, string[]>();

/** Sign-in, sign-out and account changes record themselves, in their own transaction. */
function recordsItself(spec: RouteSpec): boolean {
  return spec.tags.includes('access');
}

/**
 * Runs a route's handler so that the access trail can account for it: restricted reads are noted as
 * the label checks let them through, and a write's entry goes into the first transaction the handler
 * commits, so the change and the entry saying who made it stand or fall together, even if the process
 * dies before the answer leaves. A write that stores nothing is recorded after it, by `auditRequest`.
 */
export function auditedRun<T>(
  spec: RouteSpec,
  req: FastifyRequest,
  now: () => Date,
  run: () => Promise<T>,
): Promise<T> {
  const reads: string[] = [];
  notedReads.set(req, reads);
  if (!isWriteMethod(req.method) || recordsItself(spec)) return withReadLog(reads, run);
  const hook: CommitHook = async (trx) => {
    if (recordedWithTheChange.has(req)) return;
    recordedWithTheChange.add(req);
    await recordAccessEvent(trx, entry('record.write', spec, req, now(), { method: req.method }));
  };
  return withReadLog(reads, () => withCommitHook(hook, run));
}

function entry(
  event: 'record.write' | 'record.read',
  spec: RouteSpec,
  req: FastifyRequest,
  at: Date,
  details: Record<string, unknown>,
) {
  const principal = principalOf(req);
  return {
    event,
    at: at.toISOString(),
    accountId: principal.kind === 'account' ? principal.accountId : null,
    participant: principal.kind === 'public' ? null : principal.participant,
    actor: actorName(req),
    address: req.ip,
    details: { operation: spec.operationId, ...details },
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
  if (status >= 400 || recordsItself(spec)) return;
  if (isWriteMethod(req.method)) {
    if (recordedWithTheChange.has(req)) return;
    // Marked first: this transaction may itself run under the request's commit hook.
    recordedWithTheChange.add(req);
    await store.transaction((trx) =>
      recordAccessEvent(trx, entry('record.write', spec, req, now(), { method: req.method, status })),
    );
    return;
  }
  const read = [...new Set([...(notedReads.get(req) ?? []), ...restrictedRecords(result)])];
  if (read.length === 0) return;
  await store.transaction((trx) =>
    recordAccessEvent(
      trx,
      entry('record.read', spec, req, now(), { count: read.length, ids: read.slice(0, MAX_IDS) }),
    ),
  );
}
