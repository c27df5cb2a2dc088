/**
 * WGS 84 longitude/latitude helpers on a sphere of the mean Earth radius. A sphere is within about 0.5% of
 * the ellipsoid for distances, far below the uncertainty of any field observation, and keeps the maths small.
 *
 * Lines follow RFC 7946: a segment between two positions is straight in lon/lat. Geometries crossing the
 * antimeridian are not supported (nothing in the mission area comes near it).
 */

import type { Geometry, MultiPolygon, Polygon } from 'geojson';

/** IUGG mean Earth radius, metres. */
export const EARTH_RADIUS_M = 6_371_008.8;
const DEG = Math.PI / 180;
/** Metres per degree of latitude (and of longitude at the equator). */
export const M_PER_DEG = EARTH_RADIUS_M * DEG;

/** [minLon, minLat, maxLon, maxLat] */
export type BBox = [number, number, number, number];

export type PolygonalGeometry = Polygon | MultiPolygon;

/** Great-circle distance in metres. */
export function haversineM(aLon: number, aLat: number, bLon: number, bLat: number): number {
  const sinLat = Math.sin(((bLat - aLat) * DEG) / 2);
  const sinLon = Math.sin(((bLon - aLon) * DEG) / 2);
  const h = sinLat * sinLat + Math.cos(aLat * DEG) * Math.cos(bLat * DEG) * sinLon * sinLon;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The point reached by going `distanceM` along the great circle leaving at `bearingDeg` (from north). */
export function destination(
  lon: number,
  lat: number,
  bearingDeg: number,
  distanceM: number,
): [number, number] {
  const d = distanceM / EARTH_RADIUS_M;
  const brg = bearingDeg * DEG;
  const lat1 = lat * DEG;
  const sinLat2 = Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(brg);
  const lat2 = Math.asin(Math.max(-1, Math.min(1, sinLat2)));
  const lon2 =
    lon * DEG +
    Math.atan2(Math.sin(brg) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * sinLat2);
  return [normaliseLon(lon2 / DEG), lat2 / DEG];
}

function normaliseLon(lon: number): number {
  if (lon >= -180 && lon <= 180) return lon;
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/**
 * The scale of longitude between the point and a vertex is cos of their middle latitude. Splitting it
 * as cos(a/2)cos(b/2) - sin(a/2)sin(b/2) lets an index keep each vertex's halves, so that a query needs
 * no trigonometry per vertex.
 */
export function halfLatitude(lat: number): [cos: number, sin: number] {
  return [Math.cos((lat * DEG) / 2), Math.sin((lat * DEG) / 2)];
}

/**
 * A segment's approximate nearest point to (lon, lat) and its distance, in a local equirectangular frame
 * centred on the point (y = dLat, x = dLon times a scale, in degrees). Two scales, for two jobs:
 *  - the nearest point is found with the point's own scale `k0` = cos(lat): the frame is then linear in
 *    lon/lat, so the segment (straight in lon/lat, RFC 7946) stays straight and, near the point, true;
 *  - its distance is measured with the scale at the middle latitude between the point and it, taken
 *    between the vertices' scales `k1`, `k2` (see `halfLatitude`): the mid-latitude equirectangular
 *    approximation, good to ~0.1% within 200 km, where a single scale drifts by ~2% per 100 km north.
 * Returns the squared frame distance; writes the segment parameter t of the nearest point into `out[0]`.
 */
export function segmentApproxSq(
  lon: number,
  lat: number,
  k0: number,
  x1: number,
  y1: number,
  k1: number,
  x2: number,
  y2: number,
  k2: number,
  out: Float64Array,
): number {
  const ex = x1 - lon;
  const ay = y1 - lat;
  const sx = x2 - x1;
  const dy = y2 - y1;
  const dx = sx * k0;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? -(ex * k0 * dx + ay * dy) / len2 : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  out[0] = t;
  const px = (ex + t * sx) * (k1 + t * (k2 - k1));
  const py = ay + t * dy;
  return px * px + py * py;
}

/**
 * Distance in metres from a point to a polyline (RFC 7946 segments, straight in lon/lat).
 *
 * Finds the nearest segment and the nearest point on it in a local equirectangular frame around the point
 * (see `segmentApproxSq`), then measures the great-circle distance to that lon/lat point. The frame ranks
 * segments to ~0.1% and the distance function is flat at its minimum, so the answer is within well under
 * 1% of the exact one for segments up to ~200 km long and away, and near-exact close to the line.
 * A single position is a point; an empty list is infinitely far.
 */
export function distanceToLineM(lon: number, lat: number, coords: number[][]): number {
  const n = coords.length;
  if (n === 0) return Number.POSITIVE_INFINITY;
  if (n === 1) {
    const p = coords[0]!;
    return haversineM(lon, lat, p[0]!, p[1]!);
  }
  const [c0, s0] = halfLatitude(lat);
  const scale = (y: number): number => {
    const [c, s] = halfLatitude(y);
    return c0 * c - s0 * s;
  };
  // cos(lat) = cos^2(lat/2) - sin^2(lat/2), computed as the index computes it, so both agree to the bit.
  const k0 = c0 * c0 - s0 * s0;
  const t = new Float64Array(1);
  let best = Number.POSITIVE_INFINITY;
  let bestI = 1;
  let bestT = 0;
  let k1 = scale(coords[0]![1]!);
  for (let i = 1; i < n; i++) {
    const a = coords[i - 1]!;
    const b = coords[i]!;
    const k2 = scale(b[1]!);
    const d2 = segmentApproxSq(lon, lat, k0, a[0]!, a[1]!, k1, b[0]!, b[1]!, k2, t);
    if (d2 < best) {
      best = d2;
      bestI = i;
      bestT = t[0]!;
    }
    k1 = k2;
  }
  const a = coords[bestI - 1]!;
  const b = coords[bestI]!;
  return haversineM(lon, lat, a[0]! + bestT * (b[0]! - a[0]!), a[1]! + bestT * (b[1]! - a[1]!));
}

/**
 * Whether the edge (x1,y1)-(x2,y2) crosses the ray going east from (x, y): the even-odd rule, with each
 * edge taken as half-open in y so a ray through a vertex counts once. Shared by every point-in-polygon
 * test so that indexed and plain lookups agree to the last bit.
 */
export function crossesEastRay(
  x: number,
  y: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
): boolean {
  return y1 > y !== y2 > y && x < ((x2 - x1) * (y - y1)) / (y2 - y1) + x1;
}

/** Whether a point is inside one polygon's rings (outer ring and holes alike, by even-odd parity). */
function inRings(lon: number, lat: number, rings: number[][][]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[j]!;
      const b = ring[i]!;
      if (crossesEastRay(lon, lat, a[0]!, a[1]!, b[0]!, b[1]!)) inside = !inside;
    }
  }
  return inside;
}

/**
 * Ray-casting point-in-polygon. Holes are respected (a point in a hole is outside); a MultiPolygon contains
 * a point when any of its polygons does. Points exactly on an edge may fall either way.
 */
export function pointInPolygon(lon: number, lat: number, geometry: PolygonalGeometry): boolean {
  if (geometry.type === 'Polygon') return inRings(lon, lat, geometry.coordinates);
  for (const polygon of geometry.coordinates) {
    if (inRings(lon, lat, polygon)) return true;
  }
  return false;
}

/** Bounding box of any GeoJSON geometry; an empty one gives [Infinity, Infinity, -Infinity, -Infinity]. */
export function bbox(geometry: Geometry): BBox {
  const box: BBox = [
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  extend(box, geometry);
  return box;
}

function extend(box: BBox, geometry: Geometry): void {
  switch (geometry.type) {
    case 'Point':
      extendPositions(box, [geometry.coordinates]);
      break;
    case 'MultiPoint':
    case 'LineString':
      extendPositions(box, geometry.coordinates);
      break;
    case 'MultiLineString':
    case 'Polygon':
      for (const part of geometry.coordinates) extendPositions(box, part);
      break;
    case 'MultiPolygon':
      for (const polygon of geometry.coordinates) for (const ring of polygon) extendPositions(box, ring);
      break;
    case 'GeometryCollection':
      for (const g of geometry.geometries) extend(box, g);
      break;
  }
}

function extendPositions(box: BBox, positions: number[][]): void {
  for (const p of positions) {
    const x = p[0]!;
    const y = p[1]!;
    if (x < box[0]) box[0] = x;
    if (y < box[1]) box[1] = y;
    if (x > box[2]) box[2] = x;
    if (y > box[3]) box[3] = y;
  }
}

/** Whether a point lies in a bounding box (edges included). */
export function inBBox(lon: number, lat: number, box: BBox): boolean {
  return lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3];
}
