/**
 * Where an event happened, estimated from one report: either the point the source gives, or the
 * observer's position with a bearing and distance range (the way OSCE SMM monitors reported explosions
 * heard or seen "3-5 km south-east"). The uncertainty radius lets correlation decide which reports may
 * describe the same event, and lets the daily report say how well an event is placed.
 */
import { destination } from './geo/geodesy.ts';
import type { GEO_PRECISIONS } from './report-schema.ts';
import type { EstimatedPlace } from './types.ts';

export type GeoPrecision = (typeof GEO_PRECISIONS)[number];

export interface ObserverPosition {
  lon: number;
  lat: number;
  /** The observer's own position error (GNSS accuracy), metres. */
  accuracyM: number;
}

/** The event's place as a report gives it (see `eventPlaceSchema`). */
export interface ReportedEventPlace {
  lon?: number | undefined;
  lat?: number | undefined;
  bearingDeg?: number | undefined;
  /** [min, max] distance from the observer, km. */
  distanceKm?: [number, number] | undefined;
}

/**
 * The radius a given point's precision stands for, in the manner of ACLED/UCDP geo-precision codes:
 * a named settlement is placed at its centre, a district or oblast at its middle.
 */
export const GEO_PRECISION_M: Readonly<Record<GeoPrecision, number>> = Object.freeze({
  exact: 50,
  near: 500,
  settlement: 2_000,
  district: 15_000,
  oblast: 60_000,
});

/**
 * A monitor's bearing to a flash or a sound is good to about +-10 degrees (a compass and the eye, or the
 * ear), so the lateral error grows with distance as mid * sin(10 deg).
 */
export const BEARING_ERROR_DEG = 10;
/** Even a precise range ("4 km") is an estimate by eye or ear; never claim better than this radially. */
export const MIN_RADIAL_M = 100;
/** The least uncertainty ever claimed, so that no estimate is a perfect point (the finest precision). */
export const MIN_UNCERTAINTY_M = GEO_PRECISION_M.exact;

const SIN_BEARING_ERROR = Math.sin((BEARING_ERROR_DEG * Math.PI) / 180);

/**
 * Estimate the event's place from one report. The event must be either a point (lon and lat) or a
 * distance range, optionally with a bearing; anything else is a programming error (the schema rejects it).
 */
export function estimateEventPlace(
  observer: ObserverPosition,
  event: ReportedEventPlace,
  geoPrecision: GeoPrecision,
): EstimatedPlace {
  if (event.lon !== undefined && event.lat !== undefined) {
    // The source names the place itself, so where the observer stood adds nothing: the precision code
    // alone says how far off the point may be.
    return { lon: event.lon, lat: event.lat, uncertaintyM: GEO_PRECISION_M[geoPrecision], method: 'point' };
  }
  if (event.distanceKm === undefined) {
    throw new TypeError('an event place needs a point (lon, lat) or a distance range from the observer');
  }
  const [minKm, maxKm] = event.distanceKm;
  const observerM = Math.max(0, observer.accuracyM);
  // geoPrecision is not used for relative places: the distance range already says how well the event is
  // placed, and adding the precision code too would count the same doubt twice.
  if (event.bearingDeg === undefined) {
    // Heard but not seen: the event is somewhere on a ring around the observer. The observer's position is
    // the centre of that ring, and a circle of radius max distance is the smallest one sure to hold it.
    return {
      lon: observer.lon,
      lat: observer.lat,
      uncertaintyM: radius(maxKm * 1000, observerM),
      method: 'distance',
    };
  }
  // Bearing and range: the likeliest place is the middle of the range along the bearing. The errors along
  // the bearing (range), across it (bearing) and of the observer's own position are independent, so they
  // add in quadrature.
  const midM = ((minKm + maxKm) / 2) * 1000;
  const radialM = Math.max(MIN_RADIAL_M, ((maxKm - minKm) / 2) * 1000);
  const lateralM = midM * SIN_BEARING_ERROR;
  const [lon, lat] = destination(observer.lon, observer.lat, event.bearingDeg, midM);
  return { lon, lat, uncertaintyM: radius(radialM, lateralM, observerM), method: 'bearing' };
}

function radius(...componentsM: number[]): number {
  return Math.max(MIN_UNCERTAINTY_M, Math.hypot(...componentsM));
}
