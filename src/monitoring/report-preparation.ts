/**
 * A report worked out before it meets the store: validated input in; the body hash, the enrichment
 * (estimated place, oblast, sector, zones), the row and its ledger leaf out. Pure, with no store in
 * its imports, so a large import runs it on a worker thread that starts quickly; ingest.ts lands it.
 */
import { hash } from 'node:crypto';
import { isDefaultLabel, type Label, labelColumns, normalizeLabel } from '../access/labels.ts';
import { uuid7 } from '../kernel/ids/uuid7.ts';
import { canonicalJson } from '../kernel/ledger/canonical.ts';
import { type LedgerEntry, type PreparedLeaf, prepareLeaves } from '../kernel/ledger/leaf.ts';
import type { ReportTable } from '../kernel/store/schema.ts';
import { type Enrichment, enrichReport, type Geography } from './enrich.ts';
import { utc } from './report-model.ts';
import type { ReportInput } from './report-schema.ts';

export interface IngestItem {
  /** Where the row came from, for error messages (line number in an import file). */
  line: number;
  input: ReportInput;
  /** The report as the client sent it, before validation: what a signature covers. */
  raw?: unknown;
}

export interface RowRejection {
  line: number;
  field?: string;
  code: string;
  message: string;
}

/**
 * The hash of what a client said, over the canonical JSON of the validated input with times in UTC,
 * so the same report written with another offset or key order is the same body. The stored row gives
 * the same input back, so anyone holding a report can recompute it; the ledger leaf commits to it.
 */
export function bodyHash(input: ReportInput, label: Label = normalizeLabel(input.label)): string {
  return hash('sha256', canonicalJson(saidInCanonicalOrder(input, label)), 'hex');
}

/** Every member of T, each given, even if undefined: a member added to T and not here fails to compile. */
type Every<T> = { [K in keyof T]-?: unknown };

type Estimate = NonNullable<NonNullable<ReportInput['casualties']>['civilian']>;

/**
 * What a client said, as `bodyHash` hashes it: the validated input without its signature (checked on
 * its own, and not part of what was said), times in UTC, and the label as stored, left out when it is
 * the default so that reports from before labels hash as before. Its members are written in RFC 8785
 * order (by UTF-16 code units) at every level, so `canonicalJson` writes it with JSON.stringify
 * rather than sorting each object's keys: every report is hashed on its way in. The test holds it to
 * that order.
 */
export function saidInCanonicalOrder(
  input: ReportInput,
  label: Label,
): Every<Omit<ReportInput, 'signature'>> {
  const { casualties: c, event: e, observer: o, source: s } = input;
  return {
    casualties:
      c &&
      ({
        civilian: estimateInOrder(c.civilian),
        military: estimateInOrder(c.military),
        unknown: estimateInOrder(c.unknown),
      } satisfies Every<typeof c>),
    claimedAttribution: input.claimedAttribution,
    clientInstanceId: input.clientInstanceId,
    count: input.count,
    countApproximate: input.countApproximate,
    event: {
      bearingDeg: e.bearingDeg,
      distanceKm: e.distanceKm,
      lat: e.lat,
      lon: e.lon,
    } satisfies Every<typeof e>,
    geoPrecision: input.geoPrecision,
    label: isDefaultLabel(label)
      ? undefined
      : ({ classification: label.classification, releasableTo: label.releasableTo } satisfies Every<Label>),
    lang: input.lang,
    means: input.means,
    notes: input.notes,
    observedFrom: utc(input.observedFrom),
    observedTo: utc(input.observedTo),
    observer: { accuracyM: o.accuracyM, lat: o.lat, lon: o.lon } satisfies Every<typeof o>,
    source: { id: s.id, kind: s.kind, participant: s.participant } satisfies Every<typeof s>,
    supersedes: input.supersedes,
    timePrecision: input.timePrecision,
    type: input.type,
    weaponClass: input.weaponClass,
  };
}

function estimateInOrder(e: Estimate | undefined) {
  return e && ({ best: e.best, high: e.high, low: e.low } satisfies Every<Estimate>);
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

export function reportEntry(row: ReportTable, e: Enrichment): LedgerEntry {
  return { kind: 'report', recordId: row.id, content: ledgerContent(row, e), at: row.received_at };
}

/**
 * What a report's leaf commits to: the hash of what was said (see `bodyHash`) and what Guarantor
 * worked out on arrival. The incident link is not in it: correlation can change it later.
 */
export function ledgerContent(row: ReportTable, e: Enrichment): Record<string, unknown> {
  const { estimated: place, zone } = e;
  const violation = zone.withdrawalViolation;
  // Members in canonical (RFC 8785) order at every level, so canonicalJson can write it with JSON.stringify.
  return {
    bodyHash: row.body_hash,
    estimated: { lat: place.lat, lon: place.lon, method: place.method, uncertaintyM: place.uncertaintyM },
    id: row.id,
    oblast: e.oblast,
    receivedAt: row.received_at,
    sectorId: e.sectorId,
    ...(row.signature ? { signature: { deviceId: row.device_id, value: row.signature } } : {}),
    zone: {
      contactLineKm: zone.contactLineKm,
      inBufferZone: zone.inBufferZone,
      withdrawalViolation: violation && {
        actualKm: violation.actualKm,
        requiredKm: violation.requiredKm,
        weaponClass: violation.weaponClass,
        zoneId: violation.zoneId,
        zoneName: violation.zoneName,
      },
      zoneIds: zone.zoneIds,
    },
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
