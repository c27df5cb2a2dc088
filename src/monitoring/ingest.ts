/**
 * Ingest: prepared reports (see report-preparation.ts) landed in the caller's transaction: idempotency
 * on each clientInstanceId, corrections, signatures, correlation into incidents, the rows and their
 * leaves. A batch either lands whole or (on an error thrown here) not at all; per-row problems are
 * returned, not thrown.
 */
import { appendPreparedLeaves } from '../kernel/ledger/append.ts';
import { type PreparedLeaf, prepareLeaves } from '../kernel/ledger/leaf.ts';
import { insertRows } from '../kernel/store/insert-rows.ts';
import type { DeviceTable, ReportTable } from '../kernel/store/schema.ts';
import type { Tx } from '../kernel/store/store.ts';
import { correlateNewReports } from './correlation-service.ts';
import { activeDevices } from './devices/device-service.ts';
import { verifyReportSignature } from './devices/signature.ts';
import type { Geography } from './enrich.ts';
import { type Report, reportFromRow } from './report-model.ts';
import {
  type IngestItem,
  type PreparedReport,
  prepareReports,
  type RowRejection,
  reportEntry,
} from './report-preparation.ts';
import { SOURCE_KINDS } from './report-schema.ts';

/** Which sources may send unsigned reports; every other source must sign with an enrolled device. */
export interface SignaturePolicy {
  unsignedKinds: ReadonlySet<string>;
}

export const ALLOW_UNSIGNED: SignaturePolicy = { unsignedKinds: new Set(SOURCE_KINDS) };

export interface IngestOutcome {
  /** Stored rows; `reportFromRow` turns one into the API's shape (bulk imports only count them). */
  created: { line: number; row: ReportTable }[];
  /** Same key and same body as a report already stored: the first result again. */
  duplicates: { line: number; report: Report }[];
  rejected: RowRejection[];
}

const CHUNK = 400;

/** Prepares and lands reports in one step: single submissions and small batches. */
export async function ingestReports(
  trx: Tx,
  items: IngestItem[],
  geography: Geography,
  now: string = new Date().toISOString(),
  policy: SignaturePolicy = ALLOW_UNSIGNED,
): Promise<IngestOutcome> {
  return landReports(trx, prepareReports(items, geography, now), geography, policy);
}

/**
 * Lands prepared reports in the caller's transaction: idempotency against the store and within the
 * batch, corrections that must name a known report, signatures, correlation, the rows and their leaves.
 */
export async function landReports(
  trx: Tx,
  prepared: PreparedReport[],
  geography: Geography,
  policy: SignaturePolicy = ALLOW_UNSIGNED,
): Promise<IngestOutcome> {
  const outcome: IngestOutcome = { created: [], duplicates: [], rejected: [] };
  if (prepared.length === 0) return outcome;

  // Idempotency: look up every key once, then settle keys repeated inside the batch.
  const existing = new Map<string, ReportTable>();
  const keys = [...new Set(prepared.map((p) => p.row.client_instance_id))];
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('reports')
      .selectAll()
      .where('client_instance_id', 'in', keys.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) existing.set(r.client_instance_id, r);
  }

  const fresh: PreparedReport[] = [];
  const repeatsInBatch: { line: number; key: string }[] = [];
  const seenInBatch = new Map<string, { hash: string; line: number }>();
  for (const p of prepared) {
    const key = p.row.client_instance_id;
    const hash = p.row.body_hash;
    const stored = existing.get(key);
    const earlier = seenInBatch.get(key);
    if (stored || earlier) {
      if ((stored?.body_hash ?? earlier?.hash) === hash) {
        if (stored) outcome.duplicates.push({ line: p.line, report: reportFromRow(stored) });
        else repeatsInBatch.push({ line: p.line, key });
      } else {
        outcome.rejected.push({
          line: p.line,
          field: 'clientInstanceId',
          code: 'idempotency_conflict',
          message: `clientInstanceId ${key} was already used with a different body${earlier ? ` (line ${earlier.line})` : ''}`,
        });
      }
      continue;
    }
    seenInBatch.set(key, { hash, line: p.line });
    fresh.push(p);
  }

  // A correction must name a report that exists (stored, or earlier in this batch).
  const named = [...new Set(fresh.map((p) => p.row.supersedes).filter((s): s is string => !!s))];
  const known = new Set<string>();
  for (let i = 0; i < named.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('reports')
      .select('id')
      .where('id', 'in', named.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) known.add(r.id);
  }

  const rows: ReportTable[] = [];
  const leaves: PreparedLeaf[] = [];
  const lines: number[] = [];
  const devices = await activeDevices(
    trx,
    fresh.map((p) => ({ kind: p.row.source_kind, id: p.row.source_id })),
  );
  for (const p of fresh) {
    const { row } = p;
    if (row.supersedes && !known.has(row.supersedes)) {
      outcome.rejected.push({
        line: p.line,
        field: 'supersedes',
        code: 'not_found',
        message: `supersedes names no known report (${row.supersedes})`,
      });
      continue;
    }
    const device = devices.get(`${row.source_kind}:${row.source_id}`);
    const refusal = signatureRefusal(p, device, policy);
    if (refusal) {
      outcome.rejected.push({ line: p.line, field: 'signature', ...refusal });
      continue;
    }
    let leaf = p.leaf;
    if (p.signed && device) {
      row.device_id = device.id;
      row.signature = p.signed.value;
      leaf = prepareLeaves([reportEntry(row, p.signed.enrichment)])[0]!;
    }
    known.add(row.id);
    rows.push(row);
    leaves.push(leaf!);
    lines.push(p.line);
  }

  const correlation = await correlateNewReports(trx, rows, geography, new Date().toISOString());
  await insertRows(trx, 'reports', rows);
  await correlation.finish();
  await appendPreparedLeaves(trx, leaves);
  rows.forEach((row, n) => {
    outcome.created.push({ line: lines[n]!, row });
  });
  // Duplicates within the batch answer with the report their first occurrence created.
  const byKey = new Map(rows.map((r) => [r.client_instance_id, r]));
  for (const { line, key } of repeatsInBatch) {
    const row = byKey.get(key);
    if (row) outcome.duplicates.push({ line, report: reportFromRow(row) });
    else {
      const first = seenInBatch.get(key)?.line;
      outcome.rejected.push({
        line,
        field: 'clientInstanceId',
        code: 'idempotency_conflict',
        message: `repeats clientInstanceId ${key} of line ${first}, which was rejected`,
      });
    }
  }
  outcome.duplicates.sort((a, b) => a.line - b.line);
  outcome.rejected.sort((a, b) => a.line - b.line);
  return outcome;
}

/** Why a report's signature (or its absence) is not acceptable, or null when it is. */
function signatureRefusal(
  p: PreparedReport,
  device: DeviceTable | undefined,
  policy: SignaturePolicy,
): { code: string; message: string } | null {
  const { source_kind: kind, source_id: id } = p.row;
  if (!p.signed) {
    if (policy.unsignedKinds.has(kind)) return null;
    return { code: 'signature_required', message: `reports from ${kind} sources must be signed` };
  }
  if (!device)
    return { code: 'invalid_signature', message: `no device is enrolled for source ${kind}:${id}` };
  if (p.signed.raw === undefined || !verifyReportSignature(device.public_key, p.signed.raw, p.signed.value)) {
    return {
      code: 'invalid_signature',
      message: `the signature does not verify with the key of device ${device.id}`,
    };
  }
  return null;
}
