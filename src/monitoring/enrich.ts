/**
 * What Guarantor works out about a report when it arrives: where the event most likely was and how
 * sure that is, which oblast, sector and zones it falls in. Pure: the geography is passed in.
 */
import { oblastAt } from './geo/oblasts.ts';
import { estimateEventPlace } from './location.ts';
import type { ReportInput } from './report-schema.ts';
import type { EstimatedPlace, Sector, Zone, ZoneAssessment } from './types.ts';
import { assessZones, prepareZones, sectorAt } from './zones.ts';

export interface Geography {
  zones: ReturnType<typeof prepareZones>;
  sectors: Sector[];
}

export function prepareGeography(zones: Zone[], sectors: Sector[]): Geography {
  return { zones: prepareZones(zones), sectors: [...sectors].sort((a, b) => (a.id < b.id ? -1 : 1)) };
}

export interface Enrichment {
  estimated: EstimatedPlace;
  oblast: string | null;
  sectorId: string | null;
  zone: ZoneAssessment;
}

export function enrichReport(input: ReportInput, geography: Geography): Enrichment {
  const estimated = estimateEventPlace(input.observer, input.event, input.geoPrecision);
  return {
    estimated,
    oblast: oblastAt(estimated.lon, estimated.lat)?.iso ?? null,
    sectorId: sectorAt(estimated.lon, estimated.lat, geography.sectors),
    zone: assessZones(estimated, input.weaponClass, input.type, geography.zones),
  };
}
