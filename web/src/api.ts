/**
 * The web app's calls to the Guarantor API. Every failure becomes an ApiError carrying the
 * server's RFC 9457 problem (code, detail, offending field), so forms can show the message
 * next to the field it concerns.
 */
import type { FeatureCollection, Point } from 'geojson';
import type { DailyReport } from '../../src/monitoring/daily-report.ts';
import type { DaySummary } from '../../src/monitoring/daily-summary.ts';
import type { Incident } from '../../src/monitoring/incident-model.ts';
import type { IncidentDetail } from '../../src/monitoring/incident-service.ts';
import type { AssessedAttribution } from '../../src/monitoring/incident-status.ts';
import type { ComplianceAnswer } from '../../src/monitoring/publication-service.ts';
import type { IncidentStatus, Sector } from '../../src/monitoring/types.ts';

export type { ComplianceAnswer, DailyReport, Incident, IncidentDetail, IncidentStatus, Sector };

export interface Problem {
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  field?: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `request failed with status ${status}`);
  }

  /** The message for one form field, if the server named it. */
  messageFor(field: string): string | undefined {
    const listed = this.problem.errors?.find((e) => e.field === field || e.field.startsWith(`${field}.`));
    if (listed) return listed.message;
    if (this.problem.field === field || this.problem.field?.startsWith(`${field}.`)) return this.message;
    return undefined;
  }
}

async function request<T>(path: string, init: RequestInit = {}, accept = 'application/json'): Promise<T> {
  const response = await fetch(path, { ...init, headers: { accept, ...(init.headers ?? {}) } });
  const type = response.headers.get('content-type') ?? '';
  const body: unknown = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const problem: Problem =
      typeof body === 'object' && body !== null ? (body as Problem) : { detail: String(body).slice(0, 200) };
    throw new ApiError(response.status, problem);
  }
  return body as T;
}

function post<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
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
    const got = await request<IncidentFeatures>(
      `/api/v1/incidents?${params}`,
      signal ? { signal } : {},
      'application/geo+json',
    );
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
      'application/geo+json',
    ),
  zones: () => request<FeatureCollection>('/api/v1/zones', {}, 'application/geo+json'),
  sectors: () => request<{ items: Sector[] }>('/api/v1/sectors'),
  incident: (id: string) => request<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`),
  transition: (
    id: string,
    body: { to: IncidentStatus; reason: string; actor: string; attribution?: AssessedAttribution },
  ) => post<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}/transitions`, body),
  split: (id: string, body: { reportIds: string[]; reason: string; actor: string }) =>
    post<{ from: IncidentDetail; to: IncidentDetail }>(
      `/api/v1/incidents/${encodeURIComponent(id)}/split`,
      body,
    ),
  merge: (id: string, body: { incidentIds: string[]; reason: string; actor: string }) =>
    post<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}/merge`, body),
  dailyReport: (date: string) => request<DailyReport>(`/api/v1/daily-reports/${encodeURIComponent(date)}`),
  dailySummaries: (from: string, to: string) =>
    request<{ items: DaySummary[] }>(
      `/api/v1/daily-summaries?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    ),
  compliance: () => request<ComplianceAnswer>('/api/v1/compliance'),
};

export function spotReportUrl(id: string): string {
  return `/api/v1/incidents/${encodeURIComponent(id)}/spot-report?format=html`;
}

export function dailyReportUrl(date: string, format: 'csv' | 'html'): string {
  return `/api/v1/daily-reports/${encodeURIComponent(date)}?format=${format}`;
}
