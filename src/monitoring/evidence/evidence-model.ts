/**
 * Evidence as the API shows it, and what each of its ledger leaves commits to. The leaf contents are
 * built from the stored rows alone, so `guarantor audit` (or anyone given the salt) can recompute
 * them; an evidence leaf and every custody leaf carry the file's SHA-256, so the ledger pins the bytes.
 */
import type { EvidenceCustodyTable, EvidenceItemTable } from '../../kernel/store/schema.ts';
import type { CaptureMetadata } from './capture-metadata.ts';
import type { ContentCredentials } from './credentials-verdict.ts';
import type { EvidenceDerivationFailureTable, EvidenceDerivedRow } from './evidence-schema.ts';

export const CUSTODY_EVENTS = ['collected', 'received', 'viewed', 'exported', 'copied', 'derived'] as const;
export type CustodyEventKind = (typeof CUSTODY_EVENTS)[number];

export const LEAF_KINDS = {
  item: 'evidence',
  custody: 'evidence.custody',
  derived: 'evidence.derived',
  /** An attempt to derive a copy that made none, with the reason. */
  notDerived: 'evidence.not-derived',
} as const;

export interface EvidenceItem {
  id: string;
  reportId: string;
  sha256: string;
  size: number;
  mediaType: string;
  originalName: string | null;
  capture: CaptureMetadata;
  c2pa: ContentCredentials;
  createdAt: string;
  uploadedBy: string;
}

export interface CustodyEvent {
  id: string;
  evidenceId: string;
  event: CustodyEventKind;
  actor: string;
  at: string;
  details: Record<string, unknown> | null;
}

export interface DerivedCopy {
  id: string;
  evidenceId: string;
  /** What the copy is for: `thumbnail`. */
  purpose: string;
  /**
   * How it was made: `exif-embedded` (the device's own thumbnail, cut out byte for byte) or
   * `rendered` (drawn here from the original; `params` says with what and how).
   */
  method: string;
  sha256: string;
  size: number;
  mediaType: string;
  createdAt: string;
  /** Pixel size, where known. Absent (not null) on copies recorded before it was kept. */
  width?: number;
  height?: number;
  /** The tool, its version and the settings, for a rendered copy. */
  params?: Record<string, unknown>;
}

/** A copy that could not be made, and why: recorded so that a missing thumbnail is explained. */
export interface DerivationFailure {
  id: string;
  evidenceId: string;
  purpose: string;
  method: string;
  reason: string;
  createdAt: string;
}

export function itemFromRow(r: EvidenceItemTable): EvidenceItem {
  return {
    id: r.id,
    reportId: r.report_id,
    sha256: r.sha256,
    size: Number(r.size),
    mediaType: r.media_type,
    originalName: r.original_name,
    capture: JSON.parse(r.capture) as CaptureMetadata,
    c2pa: JSON.parse(r.c2pa) as ContentCredentials,
    createdAt: r.created_at,
    uploadedBy: r.uploaded_by,
  };
}

export function itemToRow(i: EvidenceItem): EvidenceItemTable {
  return {
    id: i.id,
    report_id: i.reportId,
    sha256: i.sha256,
    size: i.size,
    media_type: i.mediaType,
    original_name: i.originalName,
    capture: JSON.stringify(i.capture),
    c2pa: JSON.stringify(i.c2pa),
    created_at: i.createdAt,
    uploaded_by: i.uploadedBy,
  };
}

export function custodyFromRow(r: EvidenceCustodyTable): CustodyEvent {
  return {
    id: r.id,
    evidenceId: r.evidence_id,
    event: r.event as CustodyEventKind,
    actor: r.actor,
    at: r.at,
    details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>),
  };
}

export function custodyToRow(e: CustodyEvent): EvidenceCustodyTable {
  return {
    id: e.id,
    evidence_id: e.evidenceId,
    event: e.event,
    actor: e.actor,
    at: e.at,
    details: e.details === null ? null : JSON.stringify(e.details),
  };
}

/**
 * The optional fields are left out rather than null when the row has none, so a copy recorded
 * before they existed rebuilds to exactly what its leaf committed to.
 */
export function derivedFromRow(r: EvidenceDerivedRow): DerivedCopy {
  const copy: DerivedCopy = {
    id: r.id,
    evidenceId: r.evidence_id,
    purpose: r.purpose,
    method: r.method,
    sha256: r.sha256,
    size: Number(r.size),
    mediaType: r.media_type,
    createdAt: r.created_at,
  };
  if (r.width !== null && r.width !== undefined) copy.width = Number(r.width);
  if (r.height !== null && r.height !== undefined) copy.height = Number(r.height);
  if (r.params !== null && r.params !== undefined)
    copy.params = JSON.parse(r.params) as Record<string, unknown>;
  return copy;
}

export function derivedToRow(d: DerivedCopy): EvidenceDerivedRow {
  return {
    id: d.id,
    evidence_id: d.evidenceId,
    purpose: d.purpose,
    method: d.method,
    sha256: d.sha256,
    size: d.size,
    media_type: d.mediaType,
    created_at: d.createdAt,
    width: d.width ?? null,
    height: d.height ?? null,
    params: d.params === undefined ? null : JSON.stringify(d.params),
  };
}

export function failureFromRow(r: EvidenceDerivationFailureTable): DerivationFailure {
  return {
    id: r.id,
    evidenceId: r.evidence_id,
    purpose: r.purpose,
    method: r.method,
    reason: r.reason,
    createdAt: r.created_at,
  };
}

export function failureToRow(f: DerivationFailure): EvidenceDerivationFailureTable {
  return {
    id: f.id,
    evidence_id: f.evidenceId,
    purpose: f.purpose,
    method: f.method,
    reason: f.reason,
    created_at: f.createdAt,
  };
}

/** The item leaf commits to the whole stored record, its SHA-256 included. */
export function itemLeafContent(i: EvidenceItem): unknown {
  return { ...i };
}

/** A custody leaf names the file by hash too, so each event stands on its own in the ledger. */
export function custodyLeafContent(e: CustodyEvent, sha256: string): unknown {
  return { ...e, sha256 };
}

export function derivedLeafContent(d: DerivedCopy, sourceSha256: string): unknown {
  return { ...d, sourceSha256 };
}

export function failureLeafContent(f: DerivationFailure, sourceSha256: string): unknown {
  return { ...f, sourceSha256 };
}
