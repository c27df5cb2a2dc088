/** A stored report as the API returns it, and its mapping from the database row. */

import { labelFromColumns } from '../access/labels.ts';
import type { ReportTable } from '../kernel/store/schema.ts';
import type { ReportInput } from './report-schema.ts';
import type { EstimatedPlace, ZoneAssessment } from './types.ts';

export interface Report extends Omit<ReportInput, 'clientInstanceId'> {
  id: string;
  clientInstanceId: string;
  receivedAt: string;
  estimated: EstimatedPlace;
  oblast: string | null;
  sectorId: string | null;
  zone: ZoneAssessment;
  incidentId: string | null;
  link: { score: number; reason: string } | null;
  /** The enrolled device whose key verified the report's signature; null when unsigned. */
  signedBy: string | null;
}

/** Times are stored as fixed-width UTC (`2026-11-01T10:00:00.000Z`) so text order is time order. */
// Exactly what toISOString writes. Validation (zod's RFC 3339 check, which knows month lengths) and the
// store only hand over real dates, so such a string is already its own UTC form and need not be rebuilt.
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export function utc(time: string | number | Date): string {
  if (typeof time === 'string' && ISO_UTC.test(time)) return time;
  return new Date(time).toISOString();
}

export function reportFromRow(r: ReportTable): Report {
  const event: Report['event'] = {};
  if (r.event_lon !== null && r.event_lat !== null) {
    event.lon = r.event_lon;
    event.lat = r.event_lat;
  }
  if (r.bearing_deg !== null) event.bearingDeg = r.bearing_deg;
  if (r.distance_min_km !== null && r.distance_max_km !== null)
    event.distanceKm = [r.distance_min_km, r.distance_max_km];
  const report: Report = {
    id: r.id,
    clientInstanceId: r.client_instance_id,
    receivedAt: r.received_at,
    source: { kind: r.source_kind as Report['source']['kind'], id: r.source_id, participant: r.participant },
    observedFrom: r.observed_from,
    observedTo: r.observed_to,
    timePrecision: r.time_precision as Report['timePrecision'],
    observer: { lon: r.observer_lon, lat: r.observer_lat, accuracyM: r.observer_accuracy_m },
    event,
    geoPrecision: r.geo_precision as Report['geoPrecision'],
    type: r.type as Report['type'],
    weaponClass: r.weapon_class as Report['weaponClass'],
    count: r.count,
    countApproximate: r.count_approximate === 1,
    means: r.means as Report['means'],
    estimated: {
      lon: r.est_lon,
      lat: r.est_lat,
      uncertaintyM: r.est_uncertainty_m,
      method: r.est_method as EstimatedPlace['method'],
    },
    oblast: r.oblast,
    sectorId: r.sector_id,
    zone: {
      contactLineKm: r.contact_line_km,
      inBufferZone: r.in_buffer_zone === 1,
      zoneIds: JSON.parse(r.zone_ids) as string[],
      withdrawalViolation: r.withdrawal_violation ? JSON.parse(r.withdrawal_violation) : null,
    },
    incidentId: r.incident_id,
    link: r.link_score === null ? null : { score: r.link_score, reason: r.link_reason ?? '' },
    signedBy: r.device_id,
    label: labelFromColumns(r),
  };
  if (r.signature !== null) report.signature = { value: r.signature };
  if (r.claimed_attribution !== null) report.claimedAttribution = r.claimed_attribution;
  if (r.casualties !== null) report.casualties = JSON.parse(r.casualties);
  if (r.notes !== null) report.notes = r.notes;
  if (r.lang !== null) report.lang = r.lang;
  if (r.supersedes !== null) report.supersedes = r.supersedes;
  return report;
}
