/** Domain shapes shared by the monitoring modules (pure data, no I/O). */
import type { EventType, WeaponClass } from './report-schema.ts';

export const INCIDENT_STATUSES = [
  'received',
  'triaged',
  'under_investigation',
  'verified',
  'unverifiable',
  'rejected',
  'duplicate',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Where Guarantor estimates an event happened, with a 1-sigma-like radius in metres. */
export interface EstimatedPlace {
  lon: number;
  lat: number;
  uncertaintyM: number;
  /** How the estimate was made: given point, bearing and distance from the observer, or distance only. */
  method: 'point' | 'bearing' | 'distance';
}

export const ZONE_KINDS = [
  'contact_line',
  'buffer_zone',
  'withdrawal_line',
  'holding_area',
  'storage_site',
] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

/**
 * Geometry the ceasefire defines. A withdrawal line says that the listed weapon classes must stay at
 * least `distanceKm` from the contact line; its geometry is drawn for people, the rule uses the distance.
 */
export interface Zone {
  id: string;
  kind: ZoneKind;
  name: string;
  weaponClasses: WeaponClass[];
  distanceKm: number | null;
  geometry: GeoJSON.LineString | GeoJSON.MultiLineString | GeoJSON.Polygon | GeoJSON.MultiPolygon;
}

export interface Sector {
  id: string;
  name: string;
  geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon;
}

export interface WithdrawalViolation {
  zoneId: string;
  zoneName: string;
  weaponClass: WeaponClass;
  requiredKm: number;
  actualKm: number;
}

/** What the zones say about one estimated place. */
export interface ZoneAssessment {
  /** Distance to the nearest contact line, km; null when no contact line is defined. */
  contactLineKm: number | null;
  inBufferZone: boolean;
  /** Ids of every polygon zone (buffer, holding area, storage site) containing the place. */
  zoneIds: string[];
  withdrawalViolation: WithdrawalViolation | null;
}

/** The facts correlation needs about one report; times in epoch milliseconds. */
export interface CorrelationReport {
  id: string;
  type: EventType;
  weaponClass: WeaponClass;
  /** One source: `${kind}:${id}` of the report's source. */
  sourceKey: string;
  observedFrom: number;
  observedTo: number;
  lon: number;
  lat: number;
  uncertaintyM: number;
  count: number;
}
