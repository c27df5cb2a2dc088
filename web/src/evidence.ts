/**
 * How the app shows evidence and its chain of custody, as pure rules tested without a browser: sizes,
 * the verdict on C2PA content credentials, the capture metadata a file claims, each custody event in
 * words, and what the upload and custody forms must hold before they are sent. The server checks the
 * same; checking here first puts the message next to the field at once.
 */

import { counted } from '../../src/kernel/text/counted.ts';
import type { CaptureMetadata } from '../../src/monitoring/evidence/capture-metadata.ts';
import {
  type ContentCredentials,
  type CredentialsVerdict,
  NO_MANIFEST,
  NOT_APPLICABLE_DETAIL,
  verdictOf,
} from '../../src/monitoring/evidence/credentials-verdict.ts';
import type { CustodyEvent } from '../../src/monitoring/evidence/evidence-model.ts';
import { EVIDENCE_MEDIA_TYPES, EXTENSION_OF } from '../../src/monitoring/evidence/media-type.ts';
import { CLOCK_SKEW_MS } from '../../src/monitoring/report-schema.ts';
import { formatTime } from './format.ts';
import type { FieldErrors } from './verification.ts';

/** `166864` → `163 KiB`: binary units, as the server's size limit is set (200 MiB). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${counted(n, 'byte')}`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal below 10 (1.5 MiB), none above (163 KiB); 1023.96 must not print as "1024 KiB".
  const text = value < 9.95 ? value.toFixed(1) : String(Math.round(value));
  if (text === '1024' && unit < units.length - 1) return `1.0 ${units[unit + 1]}`;
  return `${text} ${units[unit]}`;
}

/** `166864` → `166,864 bytes`, the exact size beside the rounded one. */
export function exactBytes(n: number): string {
  return `${n.toLocaleString('en-GB')} byte${n === 1 ? '' : 's'}`;
}

/** `48.0159° N, 37.8028° E`, with the hemisphere a sign would otherwise carry. */
export function formatPlace(lat: number, lon: number): string {
  const ns = lat < 0 ? 'S' : 'N';
  const ew = lon < 0 ? 'W' : 'E';
  return `${Math.abs(lat).toFixed(5)}° ${ns}, ${Math.abs(lon).toFixed(5)}° ${ew}`;
}

function metres(m: number): string {
  return `${Math.abs(m) >= 100 ? Math.round(m) : Number(m.toFixed(1))} m`;
}

/**
 * What the file says about its own capture, as term and value pairs; empty when it says nothing.
 * These are the file's claims (a device's clock and GPS can be wrong or forged), never facts.
 */
export function captureFacts(c: CaptureMetadata | null | undefined): [string, string][] {
  if (!c) return [];
  const facts: [string, string][] = [];
  if (c.capturedAt) {
    facts.push([
      'Captured',
      c.capturedAtHasZone
        ? `${formatTime(c.capturedAt, { seconds: true })} (the file says ${c.capturedAt})`
        : `${c.capturedAt.replace('T', ' ')} on the device’s clock, time zone unknown`,
    ]);
  }
  if (c.gpsTime) facts.push(['GPS time', formatTime(c.gpsTime, { seconds: true })]);
  const p = c.position;
  if (p && Number.isFinite(p.lat) && Number.isFinite(p.lon)) {
    facts.push([
      'Place',
      [
        formatPlace(p.lat, p.lon),
        p.errorM !== undefined ? ` ± ${metres(p.errorM)}` : '',
        p.altitudeM !== undefined ? `, altitude ${metres(p.altitudeM)}` : '',
      ].join(''),
    ]);
  }
  const d = c.device;
  if (d && (d.make || d.model || d.serialNumber || d.software)) {
    // Many cameras repeat the make in the model (`Canon` / `Canon EOS R6`): name it once.
    const name =
      d.make && d.model?.startsWith(d.make) ? d.model : [d.make, d.model].filter(Boolean).join(' ');
    const parts = [
      name,
      d.serialNumber ? `serial ${d.serialNumber}` : '',
      d.software ? `software ${d.software}` : '',
    ].filter(Boolean);
    facts.push(['Device', parts.join(', ')]);
  }
  if (facts.length && c.sources?.length) {
    facts.push(['Read from', c.sources.map((s) => s.toUpperCase()).join(' and ')]);
  }
  return facts;
}

export interface CredentialsView {
  verdict: CredentialsVerdict;
  /** `Valid · trusted signer`, `Valid · untrusted signer`, `Invalid`, `None`. */
  label: string;
  explanation: string;
  /** The codes C2PA gave for what failed, as recorded. */
  failureCodes: string[];
  /** Who signed, with what and when, when a manifest names it. */
  signer?: string;
}

/**
 * The verdict in words. A valid manifest from a signer nobody configured vouches for is
 * `untrusted`, said as such, never folded into valid; items recorded before the verdict was kept
 * have it worked out from their state and signer, as the server would have.
 */
export function credentialsView(c: ContentCredentials | null | undefined): CredentialsView {
  if (!c) {
    return {
      verdict: 'none',
      label: 'None',
      explanation: 'No content credentials were recorded.',
      failureCodes: [],
    };
  }
  const verdict = verdictOf(c);
  const failureCodes = [...(c.failureCodes ?? [])];
  const view = (label: string, explanation: string): CredentialsView => {
    const out: CredentialsView = { verdict, label, explanation, failureCodes };
    const signer = signerText(c);
    if (signer) out.signer = signer;
    return out;
  };
  switch (verdict) {
    case 'trusted':
      return view(
        'Valid · trusted signer',
        'The signature and hashes verify, and the signer’s certificate chains to a trust anchor this deployment configured.',
      );
    case 'untrusted':
      return view(
        'Valid · untrusted signer',
        c.trustAnchors === 0
          ? 'The signature and hashes verify, but no trust anchors were configured when it was checked, so no signer is vouched for.'
          : c.trustAnchors
            ? `The signature and hashes verify, but the signer chains to none of the ${counted(c.trustAnchors, 'configured trust anchor')}.`
            : 'The signature and hashes verify, but no configured trust anchor vouches for the signer.',
      );
    case 'invalid':
      return view(
        'Invalid',
        'Content credentials are present but fail: the file or its manifest changed after signing, or the manifest is broken.',
      );
    default: {
      const detail = c.detail ?? '';
      const explanation =
        detail === NOT_APPLICABLE_DETAIL
          ? 'Content credentials do not apply to this type of file.'
          : !detail || NO_MANIFEST.test(detail)
            ? 'The file carries no content credentials.'
            : `No content credentials were read (${detail}).`;
      return view('None', explanation);
    }
  }
}

function signerText(c: ContentCredentials): string | undefined {
  const s = c.signer;
  if (!s || (!s.commonName && !s.issuer)) return undefined;
  return [
    s.commonName ?? 'unnamed signer',
    s.issuer ? `, issued by ${s.issuer}` : '',
    s.alg ? ` (${s.alg})` : '',
    s.time ? `, signed ${formatTime(s.time, { seconds: true })}` : '',
    c.claimGenerator ? `; made with ${c.claimGenerator}` : '',
  ].join('');
}

/** What each custody event means, after the event's own name. */
export const CUSTODY_MEANING: Record<CustodyEvent['event'], string> = {
  collected: 'collected in the field',
  received: 'received and stored by Guarantor',
  viewed: 'the original was downloaded',
  exported: 'exported with its hashes and custody log',
  copied: 'a copy was handed on',
  derived: 'a derived copy was made from the original',
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A custody event's details in one line of words; empty when there are none worth saying. */
export function custodyDetails(e: Pick<CustodyEvent, 'event' | 'actor' | 'details'>): string {
  const d = e.details ?? {};
  const parts: string[] = [];
  const sha = str(d.sha256);
  switch (e.event) {
    case 'received': {
      if (sha) parts.push(`SHA-256 ${sha.slice(0, 16)}…`);
      if (typeof d.size === 'number') parts.push(formatBytes(d.size));
      if (str(d.mediaType)) parts.push(String(d.mediaType));
      if (str(d.originalName)) parts.push(`sent as “${d.originalName}”`);
      if (str(d.declaredType) && d.declaredType !== d.mediaType) parts.push(`declared ${d.declaredType}`);
      break;
    }
    case 'collected':
      if (str(d.reportedBy) && d.reportedBy !== e.actor) parts.push(`reported by ${d.reportedBy}`);
      break;
    case 'copied':
      if (str(d.recipient)) parts.push(`to ${d.recipient}`);
      break;
    case 'exported':
      if (str(d.format)) parts.push(`as ${d.format}`);
      break;
    case 'derived':
      parts.push(
        [str(d.purpose), str(d.method) ? `(${d.method})` : ''].filter(Boolean).join(' ') || 'a copy',
      );
      if (sha) parts.push(`SHA-256 ${sha.slice(0, 16)}…`);
      break;
    default:
      break;
  }
  return parts.join(', ');
}

/** Text fields a person typed into a custody event or an upload. */
export function custodyNote(e: Pick<CustodyEvent, 'details'>): string | undefined {
  return str(e.details?.note);
}

/** `1 item`, `3 items`. */
export function itemCount(n: number): string {
  return `${counted(n, 'item')}`;
}

/** What the file chooser offers: every accepted type, by media type and by extension. */
export const EVIDENCE_ACCEPT = [
  ...EVIDENCE_MEDIA_TYPES,
  ...new Set([...Object.values(EXTENSION_OF), 'jpeg', 'jsonl'].map((e) => `.${e}`)),
].join(',');

/** The accepted types in words, for the hint beside the file chooser. */
export const EVIDENCE_TYPES_TEXT = 'JPEG, PNG, WebP, HEIC, MP4/MOV, WAV, MP3, PDF, CSV or JSON';

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * A `datetime-local` value, which the form labels as UTC (the app shows every time in UTC), as RFC
 * 3339: `2026-11-29T21:26` → `2026-11-29T21:26:00Z`. undefined when it is not a real time.
 */
export function utcInputToRfc3339(value: string): string | undefined {
  const v = value.trim();
  if (!LOCAL_TIME.test(v)) return undefined;
  const iso = `${v.length === 16 ? `${v}:00` : v}Z`;
  const t = Date.parse(iso);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 16) !== v.slice(0, 16)) return undefined;
  return iso;
}

/** A time a moment ahead of this clock is allowed: the server's clock and this one differ a little. */

function checkPastTime(
  value: string,
  key: string,
  now: number,
  errors: FieldErrors,
  what: string,
): string | undefined {
  if (!value.trim()) return undefined;
  const iso = utcInputToRfc3339(value);
  if (!iso) {
    errors[key] = 'Enter a date and time (UTC).';
    return undefined;
  }
  if (Date.parse(iso) > now + CLOCK_SKEW_MS) {
    errors[key] = `${what} cannot be in the future (times are UTC).`;
    return undefined;
  }
  return iso;
}

export interface UploadForm {
  file: { name: string; size: number } | undefined;
  collectedAt: string;
  collectedBy: string;
  note: string;
}

/** The multipart text fields to send with the file, as the server names them. */
export interface UploadFields {
  collectedAt?: string;
  collectedBy?: string;
  note?: string;
}

export function checkUpload(form: UploadForm, now: number): { fields?: UploadFields; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!form.file) errors.file = 'Choose a file to attach.';
  else if (form.file.size === 0) errors.file = 'The file is empty.';
  const collectedAt = checkPastTime(form.collectedAt, 'collectedAt', now, errors, 'The collection time');
  const collectedBy = form.collectedBy.trim();
  if (collectedBy.length > 200) errors.collectedBy = 'At most 200 characters.';
  if (form.note.length > 2000) errors.note = 'At most 2000 characters.';
  if (Object.keys(errors).length) return { errors };
  const fields: UploadFields = {};
  if (collectedAt) fields.collectedAt = collectedAt;
  if (collectedBy) fields.collectedBy = collectedBy;
  if (form.note.trim()) fields.note = form.note.trim();
  return { fields, errors };
}

/** Custody events a person reports; the others Guarantor records itself. */
export const REPORTED_CUSTODY_EVENTS = ['copied', 'collected'] as const;
export type ReportedCustodyEvent = (typeof REPORTED_CUSTODY_EVENTS)[number];

export interface CustodyForm {
  event: string;
  at: string;
  recipient: string;
  note: string;
}

export interface CustodyBody {
  event: ReportedCustodyEvent;
  at?: string;
  recipient?: string;
  note?: string;
}

export function checkCustody(form: CustodyForm, now: number): { body?: CustodyBody; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const event = (REPORTED_CUSTODY_EVENTS as readonly string[]).includes(form.event)
    ? (form.event as ReportedCustodyEvent)
    : undefined;
  if (!event) errors.event = 'Choose what happened.';
  const at = checkPastTime(form.at, 'at', now, errors, 'The time of the event');
  const recipient = form.recipient.trim();
  if (event === 'copied' && !recipient) errors.recipient = 'Say to whom or where the copy went.';
  else if (recipient.length > 200) errors.recipient = 'At most 200 characters.';
  const note = form.note.trim();
  if (note.length > 2000) errors.note = 'At most 2000 characters.';
  if (Object.keys(errors).length || !event) return { errors };
  const body: CustodyBody = { event };
  if (at) body.at = at;
  if (recipient) body.recipient = recipient;
  if (note) body.note = note;
  return { body, errors };
}

/**
 * Which upload field a refused upload concerns: the server names it, or for a file too large or of
 * a refused type, it is the file.
 */
export function uploadProblemField(problem: { code?: string; field?: string }): string | undefined {
  const known = ['file', 'collectedAt', 'collectedBy', 'note'];
  if (problem.field && known.includes(problem.field)) return problem.field;
  if (problem.code === 'payload_too_large' || problem.code === 'unsupported_media_type') return 'file';
  return undefined;
}

/** The server's words for a refused upload, with a byte limit written the way sizes are shown here. */
export function uploadProblemMessage(problem: { code?: string }, message: string): string {
  const limit = problem.code === 'payload_too_large' ? message.match(/at most (\d+) bytes/) : null;
  if (limit) return `The file is too large: an evidence file is at most ${formatBytes(Number(limit[1]))}.`;
  return message;
}
