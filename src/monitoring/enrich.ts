/**
 * What Guarantor works out about a report when it arrives: where the event most likely was and how
 * sure that is, which oblast, sector and zones it falls in. Pure: the geography is passed in.
 */
import { oblastNear } from './geo/oblasts.ts';
import { estimateEventPlace } from './location.ts';
import type { ReportInput } from './report-schema.ts';
import type { EstimatedPlace, Sector, Zone, ZoneAssessment } from './types.ts';
import { assessZones, prepareSectors, prepareZones, sectorAt } from './zones.ts';

export interface Geography {
  zones: ReturnType<typeof prepareZones>;
  sectors: ReturnType<typeof prepareSectors>;
  /** The zones and sectors it was prepared from: plain data, for another thread to prepare its own. */
  source: GeographySource;
}

export interface GeographySource {
  zones: Zone[];
  sectors: Sector[];
}

export function prepareGeography(zones: Zone[], sectors: Sector[]): Geography {
  return { zones: prepareZones(zones), sectors: prepareSectors(sectors), source: { zones, sectors } };
}

/**
 * The oblast of a place. The boundaries leave out rivers and reservoirs (the Dnipro at Kherson, the
 * Kakhovka reservoir), where much of the southern line runs, so a place within 10 km of an oblast
 * counts in the nearest one rather than in none.
 */
export function oblastOf(lon: number, lat: number): string | null {
  return oblastNear(lon, lat)?.iso ?? null;
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
    oblast: oblastOf(estimated.lon, estimated.lat),
    sectorId: sectorAt(estimated.lon, estimated.lat, geography.sectors),
    zone: assessZones(estimated, input.weaponClass, input.type, geography.zones),
  };
}
