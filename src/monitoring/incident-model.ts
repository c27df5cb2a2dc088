/** An incident as the API returns it, and its mapping from the database row. */
import { sql } from 'kysely';
import { type Label, labelFromColumns } from '../access/labels.ts';
import type { IncidentEventTable, IncidentTable } from '../kernel/store/schema.ts';
import type { EventCounts } from './event-counts.ts';
import type { AssessedAttribution } from './incident-status.ts';
import type { EventType } from './report-schema.ts';
import type { IncidentStatus } from './types.ts';

export interface Incident {
  id: string;
  /** Who may read it: the high-water mark of its reports' labels. */
  label: Label;
  status: IncidentStatus;
  primaryType: EventType;
  types: EventType[];
  firstObserved: string;
  lastObserved: string;
  lon: number;
  lat: number;
  uncertaintyM: number;
  oblast: string | null;
  sectorId: string | null;
  reportCount: number;
  sourceCount: number;
  /** Events by type, counted without double counting across sources. */
  counts: EventCounts;
  weaponViolation: boolean;
  /** Split or merged by an analyst: correlation no longer merges it automatically. */
  locked: boolean;
  assessedAttribution: AssessedAttribution | null;
  mergedInto: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface IncidentHistoryEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

export function incidentFromRow(r: IncidentTable): Incident {
  return {
    id: r.id,
    status: r.status as IncidentStatus,
    primaryType: r.primary_type as EventType,
    types: JSON.parse(r.types) as EventType[],
    firstObserved: r.first_observed,
    lastObserved: r.last_observed,
    lon: r.lon,
    lat: r.lat,
    uncertaintyM: r.uncertainty_m,
    oblast: r.oblast,
    sectorId: r.sector_id,
    reportCount: r.report_count,
    sourceCount: r.source_count,
    counts: JSON.parse(r.counts) as EventCounts,
    weaponViolation: r.weapon_violation === 1,
    locked: r.locked === 1,
    assessedAttribution: r.attribution_party
      ? {
          party: r.attribution_party,
          confidence: r.attribution_confidence as AssessedAttribution['confidence'],
          basis: JSON.parse(r.attribution_basis ?? '[]'),
          ...(r.attribution_notes ? { notes: r.attribution_notes } : {}),
        }
      : null,
    mergedInto: r.merged_into,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    label: labelFromColumns(r),
  };
}

export function historyFromRow(r: IncidentEventTable): IncidentHistoryEntry {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    reason: r.reason,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
  };
}

/**
 * An incident's history as the API gives it: its stored entries, after the one for its creation. An
 * incident that correlation started has no stored entry for that (a bulk import starts hundreds of
 * thousands): its row says when, and the entry is the same for all of them. One that an analyst split
 * off has its split entry instead.
 */
export function historyOf(
  incident: IncidentTable,
  stored: readonly IncidentEventTable[],
): IncidentHistoryEntry[] {
  const entries = stored.map(historyFromRow);
  const splitOff = entries.some((e) => e.action === 'split' && e.details?.to === incident.id);
  return splitOff ? entries : [creationByCorrelation(incident), ...entries];
}

/** The creation entry of an incident that correlation started; it takes the incident's id. */
function creationByCorrelation(incident: Pick<IncidentTable, 'id' | 'created_at'>): IncidentHistoryEntry {
  return {
    id: incident.id,
    at: incident.created_at,
    actor: 'correlation',
    action: 'created',
    fromStatus: null,
    toStatus: 'received',
    reason: 'new report matched no existing incident',
    details: null,
  };
}

/** Set on every update of an incident row, so cached publications see that it changed. */
export const bumpRevision = sql<number>`revision + 1`;
