/**
 * Geometries prepared once for many point queries: the server assesses every report against the same
 * zones, sectors and oblasts, so the work of a query should not grow with a boundary's vertex count.
 * Answers are identical to the plain functions in geodesy.ts (same crossing rule, same refinement).
 */
import {
  type BBox,
  crossesEastRay,
  haversineM,
  inBBox,
  type PolygonalGeometry,
  REFINE_FACTOR,
  REFINE_SLACK_DEG,
  segmentApproxSq,
} from './geodesy.ts';

const DEG = Math.PI / 180;

/**
 * One polygon of a (Multi)Polygon, with its edges sorted into horizontal bands. A ray cast only meets
 * edges whose latitude range holds the point's latitude, so a query reads the edges of one band.
 */
interface BandedPart {
  box: BBox;
  minY: number;
  /** Bands per degree of latitude (0 for a flat polygon, which then has a single band). */
  scale: number;
  bands: number;
  /** Edges of band b are edges[4 * start[b]] up to edges[4 * start[b + 1]], as x1, y1, x2, y2. */
  start: Uint32Array;
  edges: Float64Array;
}

/** About this many edges per band on average; a band then holds a handful of edges. */
const EDGES_PER_BAND = 4;
const MAX_BANDS = 4096;

function bandOf(part: { minY: number; scale: number; bands: number }, y: number): number {
  const b = Math.floor((y - part.minY) * part.scale);
  return b < 0 ? 0 : b >= part.bands ? part.bands - 1 : b;
}

function buildPart(rings: number[][][]): BandedPart {
  const raw: number[] = [];
  const box: BBox = [
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[j]!;
      const b = ring[i]!;
      const x1 = a[0]!;
      const y1 = a[1]!;
      const x2 = b[0]!;
      const y2 = b[1]!;
      box[0] = Math.min(box[0], x2);
      box[1] = Math.min(box[1], y2);
      box[2] = Math.max(box[2], x2);
      box[3] = Math.max(box[3], y2);
      // A horizontal edge never crosses an east-going ray under the half-open rule.
      if (y1 !== y2) raw.push(x1, y1, x2, y2);
    }
  }
  const count = raw.length / 4;
  const height = box[3] - box[1];
  const bands = height > 0 ? Math.max(1, Math.min(MAX_BANDS, Math.ceil(count / EDGES_PER_BAND))) : 1;
  const shape = { minY: box[1], scale: height > 0 ? bands / height : 0, bands };
  const start = new Uint32Array(bands + 1);
  const span = (e: number): [number, number] => {
    const ya = raw[4 * e + 1]!;
    const yb = raw[4 * e + 3]!;
    return [bandOf(shape, Math.min(ya, yb)), bandOf(shape, Math.max(ya, yb))];
  };
  for (let e = 0; e < count; e++) {
    const [lo, hi] = span(e);
    for (let b = lo; b <= hi; b++) start[b + 1]!++;
  }
  for (let b = 0; b < bands; b++) start[b + 1]! += start[b]!;
  const fill = start.slice(0, bands);
  const edges = new Float64Array(4 * start[bands]!);
  for (let e = 0; e < count; e++) {
    const [lo, hi] = span(e);
    for (let b = lo; b <= hi; b++) {
      const at = 4 * fill[b]!++;
      for (let c = 0; c < 4; c++) edges[at + c] = raw[4 * e + c]!;
    }
  }
  return { box, ...shape, start, edges };
}

function partContains(part: BandedPart, x: number, y: number): boolean {
  if (!inBBox(x, y, part.box)) return false;
  const b = bandOf(part, y);
  const edges = part.edges;
  const end = 4 * part.start[b + 1]!;
  let inside = false;
  for (let i = 4 * part.start[b]!; i < end; i += 4) {
    if (crossesEastRay(x, y, edges[i]!, edges[i + 1]!, edges[i + 2]!, edges[i + 3]!)) inside = !inside;
  }
  return inside;
}

/** A Polygon or MultiPolygon indexed for fast point-in-polygon (holes respected). */
export class IndexedPolygon {
  readonly bbox: BBox;
  readonly #parts: BandedPart[];

  constructor(geometry: PolygonalGeometry) {
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    this.#parts = polygons.map(buildPart);
    this.bbox = [
      Math.min(...this.#parts.map((p) => p.box[0])),
      Math.min(...this.#parts.map((p) => p.box[1])),
      Math.max(...this.#parts.map((p) => p.box[2])),
      Math.max(...this.#parts.map((p) => p.box[3])),
    ];
  }

  contains(lon: number, lat: number): boolean {
    if (!inBBox(lon, lat, this.bbox)) return false;
    for (const part of this.#parts) {
      if (partContains(part, lon, lat)) return true;
    }
    return false;
  }
}

/** Segments per chunk: a chunk's bbox lets a query skip its segments when they are all too far. */
const CHUNK = 16;

/** One or more polylines indexed for fast point-to-line distance. */
export class IndexedLines {
  readonly bbox: BBox;
  /** Flat x, y of every vertex, parts one after another. */
  readonly #xy: Float64Array;
  /** Per chunk: first and last vertex index (the chunk's segments join consecutive vertices between them). */
  readonly #from: Uint32Array;
  readonly #to: Uint32Array;
  /** Per chunk: minX, minY, maxX, maxY. */
  readonly #box: Float64Array;
  readonly #t = new Float64Array(1);

  /** `lines` holds each polyline's positions; a single position counts as a point. */
  constructor(lines: number[][][]) {
    const xy: number[] = [];
    const from: number[] = [];
    const to: number[] = [];
    for (const line of lines) {
      if (line.length === 0) continue;
      const first = xy.length / 2;
      for (const p of line) xy.push(p[0]!, p[1]!);
      // A lone position becomes a zero-length segment, so every chunk has at least one segment.
      if (line.length === 1) xy.push(line[0]![0]!, line[0]![1]!);
      const last = xy.length / 2 - 1;
      for (let v = first; v < last; v += CHUNK) {
        from.push(v);
        to.push(Math.min(v + CHUNK, last));
      }
    }
    this.#xy = Float64Array.from(xy);
    this.#from = Uint32Array.from(from);
    this.#to = Uint32Array.from(to);
    this.#box = new Float64Array(4 * from.length);
    const all: BBox = [
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (let c = 0; c < from.length; c++) {
      let minX = Number.POSITIVE_INFINITY;
      let minY = Number.POSITIVE_INFINITY;
      let maxX = Number.NEGATIVE_INFINITY;
      let maxY = Number.NEGATIVE_INFINITY;
      for (let v = from[c]!; v <= to[c]!; v++) {
        const x = xy[2 * v]!;
        const y = xy[2 * v + 1]!;
        minX = Math.min(minX, x);
        minY = Math.min(minY, y);
        maxX = Math.max(maxX, x);
        maxY = Math.max(maxY, y);
      }
      this.#box.set([minX, minY, maxX, maxY], 4 * c);
      all[0] = Math.min(all[0], minX);
      all[1] = Math.min(all[1], minY);
      all[2] = Math.max(all[2], maxX);
      all[3] = Math.max(all[3], maxY);
    }
    this.bbox = all;
  }

  get empty(): boolean {
    return this.#from.length === 0;
  }

  /**
   * Distance in metres from the point to the nearest line; Infinity when there is none. Same method as
   * `distanceToLineM`: nearest points in a local equirectangular frame, great-circle distance to the best.
   */
  distanceM(lon: number, lat: number): number {
    const chunks = this.#from.length;
    if (chunks === 0) return Number.POSITIVE_INFINITY;
    const k = Math.cos(lat * DEG);
    let best = Number.POSITIVE_INFINITY;
    for (let c = 0; c < chunks; c++) {
      if (this.#chunkBoundSq(c, lon, lat, k) >= best) continue;
      best = Math.min(best, this.#scan(c, lon, lat, k, Number.POSITIVE_INFINITY, best));
    }
    const limit = (Math.sqrt(best) * REFINE_FACTOR + REFINE_SLACK_DEG) ** 2;
    let bestM = Number.POSITIVE_INFINITY;
    for (let c = 0; c < chunks; c++) {
      if (this.#chunkBoundSq(c, lon, lat, k) > limit) continue;
      bestM = Math.min(bestM, this.#scan(c, lon, lat, k, limit, Number.POSITIVE_INFINITY));
    }
    return bestM;
  }

  /** Lower bound of the frame distance (squared) from the point to anything in chunk c. */
  #chunkBoundSq(c: number, lon: number, lat: number, k: number): number {
    const box = this.#box;
    const dx = Math.max(0, box[4 * c]! - lon, lon - box[4 * c + 2]!) * k;
    const dy = Math.max(0, box[4 * c + 1]! - lat, lat - box[4 * c + 3]!);
    return dx * dx + dy * dy;
  }

  /**
   * Without a limit (Infinity), the least squared frame distance to chunk c's segments (starting from
   * `best`); with a limit, the least great-circle distance in metres to the segments within the limit.
   */
  #scan(c: number, lon: number, lat: number, k: number, limit: number, best: number): number {
    const xy = this.#xy;
    const t = this.#t;
    const refine = limit !== Number.POSITIVE_INFINITY;
    let result = refine ? Number.POSITIVE_INFINITY : best;
    for (let v = this.#from[c]!; v < this.#to[c]!; v++) {
      const x1 = xy[2 * v]!;
      const y1 = xy[2 * v + 1]!;
      const x2 = xy[2 * v + 2]!;
      const y2 = xy[2 * v + 3]!;
      const d2 = segmentApproxSq(lon, lat, k, x1, y1, x2, y2, t);
      if (!refine) {
        if (d2 < result) result = d2;
      } else if (d2 <= limit) {
        const s = t[0]!;
        const m = haversineM(lon, lat, x1 + s * (x2 - x1), y1 + s * (y2 - y1));
        if (m < result) result = m;
      }
    }
    return result;
  }
}
