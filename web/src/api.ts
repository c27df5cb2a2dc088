/**
 * The web app's calls to the Guarantor API. Every failure becomes an ApiError carrying the
 * server's RFC 9457 problem (code, detail, offending field), so forms can show the message
 * next to the field it concerns.
 *
 * The session rides in an HttpOnly cookie the page never sees; every write also sends the readable
 * CSRF cookie's value in a header, which a cross-site page cannot read and so cannot forge.
 */
import type { FeatureCollection, Point } from 'geojson';
import type { AccessEvent } from '../../src/access/access-events.ts';
import type { Account } from '../../src/access/account-model.ts';
import type { ApiToken } from '../../src/access/api-tokens.ts';
import type { TotpEnrolment } from '../../src/access/totp-enrolment.ts';
import type { DailyReport } from '../../src/monitoring/daily-report.ts';
import type { DaySummary } from '../../src/monitoring/daily-summary.ts';
import type { ImportSummary } from '../../src/monitoring/import/summary.ts';
import type { Incident } from '../../src/monitoring/incident-model.ts';
import type { IncidentDetail } from '../../src/monitoring/incident-service.ts';
import type { AssessedAttribution } from '../../src/monitoring/incident-status.ts';
import type { ComplianceAnswer } from '../../src/monitoring/publication-service.ts';
import type { IncidentStatus, Sector } from '../../src/monitoring/types.ts';
import {
  type Action,
  type Classification,
  CSRF_COOKIE,
  CSRF_HEADER,
  type Role,
  readCookie,
} from './access.ts';

export type {
  AccessEvent,
  Account,
  ApiToken,
  ComplianceAnswer,
  DailyReport,
  ImportSummary,
  Incident,
  IncidentDetail,
  IncidentStatus,
  Sector,
  TotpEnrolment,
};

export interface Problem {
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  field?: string;
  errors?: { field: string; message: string }[];
  /** Extension members some codes carry, such as an import's `summary`; read them with a type guard. */
  [extension: string]: unknown;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds the server asked to wait (Retry-After), when it did. */
    readonly retryAfterS?: number,
  ) {
    super(problem.detail ?? problem.title ?? `request failed with status ${status}`);
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  /** The message for one form field, if the server named it. */
  messageFor(field: string): string | undefined {
    const listed = this.problem.errors?.find((e) => e.field === field || e.field.startsWith(`${field}.`));
    if (listed) return listed.message;
    if (this.problem.field === field || this.problem.field?.startsWith(`${field}.`)) return this.message;
    return undefined;
  }
}

type Listener = (error: ApiError) => void;
const listeners: { unauthenticated?: Listener; enrolment?: Listener } = {};

/**
 * What to do when the server says the caller is not signed in (the session ended or never was) or
 * must set up the authenticator first; main.ts sends the user to the right page, then back.
 */
export function onAccessProblem(handlers: { unauthenticated: Listener; enrolment: Listener }): void {
  listeners.unauthenticated = handlers.unauthenticated;
  listeners.enrolment = handlers.enrolment;
}

function csrfToken(): string | undefined {
  return readCookie(globalThis.document?.cookie ?? '', CSRF_COOKIE);
}

interface RequestOptions {
  accept?: string;
  /** A 401 is an answer the caller handles itself (asking whether anyone is signed in). */
  quiet?: boolean;
}

async function request<T>(path: string, init: RequestInit = {}, options: RequestOptions = {}): Promise<T> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {
    accept: options.accept ?? 'application/json',
    ...((init.headers as Record<string, string> | undefined) ?? {}),
  };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers[CSRF_HEADER] = token;
  }
  const response = await fetch(path, { ...init, method, headers, credentials: 'same-origin' });
  const type = response.headers.get('content-type') ?? '';
  const body: unknown =
    response.status === 204 ? null : type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const problem: Problem =
      typeof body === 'object' && body !== null ? (body as Problem) : { detail: String(body).slice(0, 200) };
    const retry = Number(response.headers.get('retry-after'));
    const error = new ApiError(
      response.status,
      problem,
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
    if (!options.quiet && response.status === 401 && problem.code === 'unauthenticated') {
      listeners.unauthenticated?.(error);
    }
    if (response.status === 403 && problem.code === 'totp_enrolment_required') listeners.enrolment?.(error);
    throw error;
  }
  return body as T;
}

function send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return request<T>(
    path,
    body === undefined
      ? { method }
      : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
  );
}

function post<T>(path: string, body?: unknown): Promise<T> {
  return send<T>('POST', path, body);
}

export interface OblastProperties {
  iso: string;
  name: string;
  nameUk: string;
}

export type IncidentFeatures = FeatureCollection<Point, Incident> & { nextCursor?: string | null };

export interface IncidentQuery {
  from?: string;
  to?: string;
  status?: IncidentStatus[];
  type?: string;
  oblast?: string;
  sectorId?: string;
}

/** Every page of incidents matching the query, as one FeatureCollection. */
export async function incidentFeatures(q: IncidentQuery, signal?: AbortSignal): Promise<IncidentFeatures> {
  const params = new URLSearchParams({ limit: '1000' });
  if (q.from) params.set('from', q.from);
  if (q.to) params.set('to', q.to);
  if (q.status?.length) params.set('status', q.status.join(','));
  if (q.type) params.set('type', q.type);
  if (q.oblast) params.set('oblast', q.oblast);
  if (q.sectorId) params.set('sectorId', q.sectorId);
  const all: IncidentFeatures = { type: 'FeatureCollection', features: [] };
  // A cap on pages guards against a server that keeps handing out cursors.
  for (let page = 0; page < 50; page++) {
    const got = await request<IncidentFeatures>(`/api/v1/incidents?${params}`, signal ? { signal } : {}, {
      accept: 'application/geo+json',
    });
    all.features.push(...got.features);
    if (!got.nextCursor) break;
    params.set('cursor', got.nextCursor);
  }
  return all;
}

export type { DaySummary };

export const api = {
  oblasts: () =>
    request<FeatureCollection<GeoJSON.Geometry, OblastProperties>>(
      '/api/v1/oblasts',
      {},
      { accept: 'application/geo+json' },
    ),
  zones: () => request<FeatureCollection>('/api/v1/zones', {}, { accept: 'application/geo+json' }),
  sectors: () => request<{ items: Sector[] }>('/api/v1/sectors'),
  incident: (id: string) => request<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`),
  transition: (id: string, body: { to: IncidentStatus; reason: string; attribution?: AssessedAttribution }) =>
    post<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}/transitions`, body),
  split: (id: string, body: { reportIds: string[]; reason: string }) =>
    post<{ from: IncidentDetail; to: IncidentDetail }>(
      `/api/v1/incidents/${encodeURIComponent(id)}/split`,
      body,
    ),
  merge: (id: string, body: { incidentIds: string[]; reason: string }) =>
    post<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}/merge`, body),
  dailyReport: (date: string) => request<DailyReport>(`/api/v1/daily-reports/${encodeURIComponent(date)}`),
  dailySummaries: (from: string, to: string) =>
    request<{ items: DaySummary[] }>(
      `/api/v1/daily-summaries?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    ),
  compliance: () => request<ComplianceAnswer>('/api/v1/compliance'),

  importReports: (file: Blob, contentType: string, options: { allOrNothing: boolean; mapping?: string }) => {
    const params = new URLSearchParams({ allOrNothing: String(options.allOrNothing) });
    if (options.mapping) params.set('mapping', options.mapping);
    return request<ImportSummary>(`/api/v1/reports/import?${params}`, {
      method: 'POST',
      body: file,
      headers: { 'content-type': contentType },
    });
  },

  /** Who is signed in; a 401 just means nobody is. */
  session: () => request<SessionAnswer>('/api/v1/session', {}, { quiet: true }),
  signIn: (body: { username: string; password: string; totpCode?: string }) =>
    post<SessionAnswer>('/api/v1/session', body),
  signOut: () => request<null>('/api/v1/session', { method: 'DELETE' }, { quiet: true }),
  signOutEverywhere: () => post<{ ended: number }>('/api/v1/session/everywhere'),
  changePassword: (body: { currentPassword: string; newPassword: string }) =>
    post<null>('/api/v1/account/password', body),
  enrolTotp: () => post<TotpEnrolment>('/api/v1/account/totp'),
  confirmTotp: (code: string) => post<null>('/api/v1/account/totp/confirm', { code }),

  accounts: () => request<{ items: Account[] }>('/api/v1/accounts'),
  createAccount: (body: {
    username: string;
    participant: string;
    displayName: string;
    roles: Role[];
    clearance: Classification;
    password: string;
  }) => post<Account>('/api/v1/accounts', body),
  setClearance: (id: string, clearance: Classification) =>
    post<Account>(`/api/v1/accounts/${encodeURIComponent(id)}/clearance`, { clearance }),
  disableAccount: (id: string) => post<Account>(`/api/v1/accounts/${encodeURIComponent(id)}/disable`),
  enableAccount: (id: string) => post<Account>(`/api/v1/accounts/${encodeURIComponent(id)}/enable`),
  resetPassword: (id: string, newPassword: string) =>
    post<null>(`/api/v1/accounts/${encodeURIComponent(id)}/password`, { newPassword }),
  tokens: () => request<{ items: ApiToken[] }>('/api/v1/tokens'),
  issueToken: (body: {
    owner: { machine: string; participant: string } | { accountId: string };
    name: string;
    scopes: Action[];
    expiresAt: string;
  }) => post<{ token: string; apiToken: ApiToken }>('/api/v1/tokens', body),
  revokeToken: (id: string) => send<ApiToken>('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`),
  accessEvents: (q: { before?: string; accountId?: string; limit?: number } = {}) => {
    const params = new URLSearchParams({ limit: String(q.limit ?? 50) });
    if (q.before) params.set('before', q.before);
    if (q.accountId) params.set('accountId', q.accountId);
    return request<{ items: AccessEvent[] }>(`/api/v1/access-events?${params}`);
  },
};

/** GET and POST /api/v1/session; access.ts's sessionFrom reads it. */
export interface SessionAnswer {
  account: Account;
  expiresAt?: string;
  totpEnrolmentRequired: boolean;
  permissions: Action[];
}

export function spotReportUrl(id: string): string {
  return `/api/v1/incidents/${encodeURIComponent(id)}/spot-report?format=html`;
}

export function dailyReportUrl(date: string, format: 'csv' | 'html'): string {
  return `/api/v1/daily-reports/${encodeURIComponent(date)}?format=${format}`;
}

// Evidence and its chain of custody (views/evidence-panel.ts). Reading the original and exporting
// are plain links: the session cookie authenticates those GETs, and the server records each as a
// custody event before it sends a byte.

export type EvidenceItem = import('../../src/monitoring/evidence/evidence-model.ts').EvidenceItem;
export type CustodyEvent = import('../../src/monitoring/evidence/evidence-model.ts').CustodyEvent;
export type EvidenceDetail = import('../../src/monitoring/evidence/evidence-service.ts').EvidenceDetail;

/** A custody event that happened outside Guarantor, as a person reports it. */
export interface EvidenceCustodyInput {
  event: 'collected' | 'copied';
  /** RFC 3339; the server records now when absent. */
  at?: string;
  /** To whom or where a copy went. */
  recipient?: string;
  note?: string;
}

export const evidenceApi = {
  /** Every item attached to a report, oldest first, with how many there are. */
  async list(reportId: string): Promise<{ items: EvidenceItem[]; total: number }> {
    const params = new URLSearchParams({ limit: '200' });
    const items: EvidenceItem[] = [];
    let total = 0;
    // A cap on pages guards against a server that keeps handing out cursors.
    for (let page = 0; page < 50; page++) {
      const got = await request<{ items: EvidenceItem[]; nextCursor: string | null; total?: number }>(
        `/api/v1/reports/${encodeURIComponent(reportId)}/evidence?${params}`,
      );
      items.push(...got.items);
      total = got.total ?? items.length;
      if (!got.nextCursor) break;
      params.set('cursor', got.nextCursor);
    }
    return { items, total };
  },
  /** One item with its custody log, derived copies, thumbnail status and ledger leaves. */
  get: (id: string) => request<EvidenceDetail>(`/api/v1/evidence/${encodeURIComponent(id)}`),
  /**
   * Sends a file (and its text fields) as multipart/form-data; the browser writes the boundary. The
   * same bytes sent to the same report again answer with the item stored the first time.
   */
  upload: (reportId: string, form: FormData) =>
    request<EvidenceDetail>(`/api/v1/reports/${encodeURIComponent(reportId)}/evidence`, {
      method: 'POST',
      body: form,
    }),
  recordCustody: (id: string, body: EvidenceCustodyInput) =>
    post<CustodyEvent>(`/api/v1/evidence/${encodeURIComponent(id)}/custody`, body),
};

/** The original, byte for byte; fetching it is recorded as a `viewed` custody event. */
export function evidenceContentUrl(id: string): string {
  return `/api/v1/evidence/${encodeURIComponent(id)}/content`;
}

/** A tar of the original, its copies, hashes and custody log; recorded as an `exported` event. */
export function evidenceExportUrl(id: string): string {
  return `/api/v1/evidence/${encodeURIComponent(id)}/export`;
}
