/**
 * Ingest: validated reports in, stored reports out, in two steps. `prepareReports` is pure: the body
 * hash, enrichment (estimated place, oblast, sector, zones), the row and its ledger leaf; a large
 * import runs it on a worker thread. `landReports` runs in the caller's transaction: idempotency on
 * each clientInstanceId, corrections, signatures, correlation into incidents, the rows and their
 * leaves. A batch either lands whole or (on an error thrown here) not at all; per-row problems are
 * returned, not thrown.
 */
import { hash } from 'node:crypto';
import { isDefaultLabel, type Label, labelColumns, normalizeLabel } from '../access/labels.ts';
import { uuid7 } from '../kernel/ids/uuid7.ts';
import {
  appendPreparedLeaves,
  type LedgerEntry,
  type PreparedLeaf,
  prepareLeaves,
} from '../kernel/ledger/append.ts';
import { canonicalJson } from '../kernel/ledger/canonical.ts';
import { insertRows } from '../kernel/store/insert-rows.ts';
import type { DeviceTable, ReportTable } from '../kernel/store/schema.ts';
import type { Tx } from '../kernel/store/store.ts';
import { correlateNewReports } from './correlation-service.ts';
import { activeDevices } from './devices/device-service.ts';
import { verifyReportSignature } from './devices/signature.ts';
import { type Enrichment, enrichReport, type Geography } from './enrich.ts';
import { type Report, reportFromRow, utc } from './report-model.ts';
import { type ReportInput, SOURCE_KINDS } from './report-schema.ts';

export interface IngestItem {
  /** Where the row came from, for error messages (line number in an import file). */
  line: number;
  input: ReportInput;
  /** The report as the client sent it, before validation: what a signature covers. */
  raw?: unknown;
}

/** Which sources may send unsigned reports; every other source must sign with an enrolled device. */
export interface SignaturePolicy {
  unsignedKinds: ReadonlySet<string>;
}

export const ALLOW_UNSIGNED: SignaturePolicy = { unsignedKinds: new Set(SOURCE_KINDS) };

export interface RowRejection {
  line: number;
  field?: string;
  code: string;
  message: string;
}

export interface IngestOutcome {
  /** Stored rows; `reportFromRow` turns one into the API's shape (bulk imports only count them). */
  created: { line: number; row: ReportTable }[];
  /** Same key and same body as a report already stored: the first result again. */
  duplicates: { line: number; report: Report }[];
  rejected: RowRejection[];
}

/**
 * The hash of what a client said, over the canonical JSON of the validated input with times in UTC,
 * so the same report written with another offset or key order is the same body. The stored row gives
 * the same input back, so anyone holding a report can recompute it; the ledger leaf commits to it.
 */
export function bodyHash(input: ReportInput, label: Label = normalizeLabel(input.label)): string {
  // The signature is kept apart: it is checked on its own and is not part of what was said.
  const { signature: _signature, label: _label, ...said } = input;
  const normalized: Record<string, unknown> = said;
  normalized.observedFrom = utc(input.observedFrom);
  normalized.observedTo = utc(input.observedTo);
  // The label as stored; left out when it is the default, so reports from before labels hash as before.
  if (!isDefaultLabel(label)) normalized.label = label;
  return hash('sha256', canonicalJson(normalized), 'hex');
}

/**
 * A report worked out before it meets the store: its row (id, body hash, enrichment) and, unless it
 * is signed, its ledger leaf. Pure, so a bulk import prepares reports on a worker thread while the
 * writer lands earlier ones; structured-clone safe for the same reason.
 */
export interface PreparedReport {
  line: number;
  /** The row as it will be stored, but for the device, signature and incident columns set on landing. */
  row: ReportTable;
  /** The report's leaf; null for a signed report, whose leaf names the device found when it lands. */
  leaf: PreparedLeaf | null;
  /** A signed report: the signature, what it covers (the body as sent) and the enrichment its leaf needs. */
  signed: { value: string; raw: unknown; enrichment: Enrichment } | null;
}

/** Prepares reports in order; the leaves of the unsigned ones are worked out together (one draw of salts). */
export function prepareReports(
  items: readonly IngestItem[],
  geography: Geography,
  now: string,
): PreparedReport[] {
  const prepared: PreparedReport[] = [];
  const entries: LedgerEntry[] = [];
  const unsigned: PreparedReport[] = [];
  for (const { line, input, raw } of items) {
    const enrichment = enrichReport(input, geography);
    const label = normalizeLabel(input.label);
    const row = toRow(input, label, enrichment, bodyHash(input, label), now);
    if (input.signature) {
      prepared.push({ line, row, leaf: null, signed: { value: input.signature.value, raw, enrichment } });
      continue;
    }
    const report: PreparedReport = { line, row, leaf: null, signed: null };
    prepared.push(report);
    unsigned.push(report);
    entries.push(reportEntry(row, enrichment));
  }
  prepareLeaves(entries).forEach((leaf, i) => {
    unsigned[i]!.leaf = leaf;
  });
  return prepared;
}

function reportEntry(row: ReportTable, e: Enrichment): LedgerEntry {
  return { kind: 'report', recordId: row.id, content: ledgerContent(row, e), at: row.received_at };
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

/**
 * What a report's leaf commits to: the hash of what was said (see `bodyHash`) and what Guarantor
 * worked out on arrival. The incident link is not in it: correlation can change it later.
 */
export function ledgerContent(row: ReportTable, e: Enrichment): Record<string, unknown> {
  return {
    id: row.id,
    receivedAt: row.received_at,
    bodyHash: row.body_hash,
    ...(row.signature ? { signature: { deviceId: row.device_id, value: row.signature } } : {}),
    estimated: e.estimated,
    oblast: e.oblast,
    sectorId: e.sectorId,
    zone: e.zone,
  };
}

function toRow(
  input: ReportInput,
  label: Label,
  e: ReturnType<typeof enrichReport>,
  hash: string,
  now: string,
): ReportTable {
  const ev = input.event;
  const hasPoint = ev.lon !== undefined && ev.lat !== undefined;
  return {
    id: uuid7(),
    client_instance_id: input.clientInstanceId,
    body_hash: hash,
    received_at: now,
    source_kind: input.source.kind,
    source_id: input.source.id,
    participant: input.source.participant,
    observed_from: utc(input.observedFrom),
    observed_to: utc(input.observedTo),
    time_precision: input.timePrecision,
    observer_lon: input.observer.lon,
    observer_lat: input.observer.lat,
    observer_accuracy_m: input.observer.accuracyM,
    event_lon: hasPoint ? (ev.lon ?? null) : null,
    event_lat: hasPoint ? (ev.lat ?? null) : null,
    bearing_deg: ev.bearingDeg ?? null,
    distance_min_km: ev.distanceKm?.[0] ?? null,
    distance_max_km: ev.distanceKm?.[1] ?? null,
    geo_precision: input.geoPrecision,
    type: input.type,
    weapon_class: input.weaponClass,
    count: input.count,
    count_approximate: input.countApproximate ? 1 : 0,
    means: input.means,
    claimed_attribution: input.claimedAttribution ?? null,
    casualties: input.casualties ? JSON.stringify(input.casualties) : null,
    notes: input.notes ?? null,
    lang: input.lang ?? null,
    supersedes: input.supersedes ?? null,
    device_id: null,
    signature: null,
    est_lon: e.estimated.lon,
    est_lat: e.estimated.lat,
    est_uncertainty_m: e.estimated.uncertaintyM,
    est_method: e.estimated.method,
    oblast: e.oblast,
    sector_id: e.sectorId,
    contact_line_km: e.zone.contactLineKm,
    in_buffer_zone: e.zone.inBufferZone ? 1 : 0,
    zone_ids: JSON.stringify(e.zone.zoneIds),
    withdrawal_violation: e.zone.withdrawalViolation ? JSON.stringify(e.zone.withdrawalViolation) : null,
    incident_id: null,
    link_score: null,
    link_reason: null,
    ...labelColumns(label),
  };
}
