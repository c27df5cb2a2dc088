/**
 * Geometries prepared once for many point queries: the server assesses every report against the same
 * zones, sectors and oblasts, so the work of a query should not grow with a boundary's vertex count.
 * Answers match the plain functions in geodesy.ts (same crossing rule, same distance method).
 */
import {
  type BBox,
  crossesEastRay,
  halfLatitude,
  haversineM,
  inBBox,
  type PolygonalGeometry,
  segmentApproxSq,
} from './geodesy.ts';

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

/** Segments per chunk, the leaves of the tree below. */
const CHUNK = 8;

/**
 * One or more polylines indexed for fast point-to-line distance: runs of consecutive segments (chunks)
 * under a binary tree of bounding boxes. Consecutive segments of a line lie close together, so splitting
 * the chunk list in halves gives tight boxes; a query descends nearest box first and skips any box
 * farther than the best distance so far, reading a few chunks of a long contact line instead of all.
 */
export class IndexedLines {
  readonly bbox: BBox;
  /** Flat x, y of every vertex, parts one after another. */
  readonly #xy: Float64Array;
  /** Per chunk: first and last vertex index (the chunk's segments join consecutive vertices between them). */
  readonly #from: Uint32Array;
  readonly #to: Uint32Array;
  /** Per vertex: cos and sin of half its latitude (see `halfLatitude`). */
  readonly #half: Float64Array;
  /** Per tree node: minX, minY, maxX, maxY. Node 0 is the root. */
  readonly #box: Float64Array;
  /** Per tree node: cos and sin of half of minY, then of half of maxY. */
  readonly #boxHalf: Float64Array;
  /** Per tree node: the chunk for a leaf, or -1 - (index of its first child) for an inner node. */
  readonly #node: Int32Array;
  readonly #stack: Int32Array;
  readonly #stackBound: Float64Array;
  readonly #t = new Float64Array(1);
  /** The current query's nearest segment so far: its first vertex, and t of its nearest point. */
  #bestV = 0;
  #bestT = 0;

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

    const boxes: number[] = [];
    const nodes: number[] = [];
    // Children are stored side by side, so an inner node needs only its first child's index.
    const build = (at: number, lo: number, hi: number): void => {
      if (hi - lo === 1) {
        nodes[at] = lo;
        let minX = Number.POSITIVE_INFINITY;
        let minY = Number.POSITIVE_INFINITY;
        let maxX = Number.NEGATIVE_INFINITY;
        let maxY = Number.NEGATIVE_INFINITY;
        for (let v = from[lo]!; v <= to[lo]!; v++) {
          minX = Math.min(minX, xy[2 * v]!);
          minY = Math.min(minY, xy[2 * v + 1]!);
          maxX = Math.max(maxX, xy[2 * v]!);
          maxY = Math.max(maxY, xy[2 * v + 1]!);
        }
        boxes.splice(4 * at, 4, minX, minY, maxX, maxY);
        return;
      }
      const child = nodes.length;
      nodes.push(0, 0);
      boxes.push(0, 0, 0, 0, 0, 0, 0, 0);
      nodes[at] = -1 - child;
      const mid = (lo + hi) >> 1;
      build(child, lo, mid);
      build(child + 1, mid, hi);
      const a = 4 * child;
      const b = 4 * (child + 1);
      boxes.splice(
        4 * at,
        4,
        Math.min(boxes[a]!, boxes[b]!),
        Math.min(boxes[a + 1]!, boxes[b + 1]!),
        Math.max(boxes[a + 2]!, boxes[b + 2]!),
        Math.max(boxes[a + 3]!, boxes[b + 3]!),
      );
    };
    if (from.length > 0) {
      nodes.push(0);
      boxes.push(0, 0, 0, 0);
      build(0, 0, from.length);
    }
    this.#half = new Float64Array(xy.length);
    for (let v = 0; v < xy.length / 2; v++) this.#half.set(halfLatitude(xy[2 * v + 1]!), 2 * v);
    this.#box = Float64Array.from(boxes);
    this.#boxHalf = new Float64Array(boxes.length);
    for (let n = 0; n < nodes.length; n++) {
      this.#boxHalf.set([...halfLatitude(boxes[4 * n + 1]!), ...halfLatitude(boxes[4 * n + 3]!)], 4 * n);
    }
    this.#node = Int32Array.from(nodes);
    // A balanced tree's depth is log2(chunks); nearest-first pushes two nodes per level.
    const depth = Math.ceil(Math.log2(from.length + 1)) + 2;
    this.#stack = new Int32Array(2 * depth);
    this.#stackBound = new Float64Array(2 * depth);
    this.bbox =
      from.length > 0
        ? [boxes[0]!, boxes[1]!, boxes[2]!, boxes[3]!]
        : [
            Number.POSITIVE_INFINITY,
            Number.POSITIVE_INFINITY,
            Number.NEGATIVE_INFINITY,
            Number.NEGATIVE_INFINITY,
          ];
  }

  get empty(): boolean {
    return this.#from.length === 0;
  }

  /**
   * Distance in metres from the point to the nearest line; Infinity when there is none. Same method and
   * answer as `distanceToLineM` (up to which of two equally near segments wins): the nearest segment and
   * point in a local equirectangular frame, then the great-circle distance to that point.
   */
  distanceM(lon: number, lat: number): number {
    if (this.#from.length === 0) return Number.POSITIVE_INFINITY;
    const [c0, s0] = halfLatitude(lat);
    // cos(lat) = cos^2(lat/2) - sin^2(lat/2): the point's own scale, without another cosine.
    const k0 = c0 * c0 - s0 * s0;
    const stack = this.#stack;
    const bound = this.#stackBound;
    let best = Number.POSITIVE_INFINITY;
    stack[0] = 0;
    bound[0] = this.#boundSq(0, lon, lat, c0, s0);
    let top = 1;
    while (top > 0) {
      top--;
      if (bound[top]! >= best) continue;
      const node = stack[top]!;
      const kind = this.#node[node]!;
      if (kind >= 0) {
        best = this.#scan(kind, lon, lat, c0, s0, k0, best);
        continue;
      }
      const a = -1 - kind;
      const ba = this.#boundSq(a, lon, lat, c0, s0);
      const bb = this.#boundSq(a + 1, lon, lat, c0, s0);
      // Push the farther child first so the nearer one is read first and tightens the bound sooner.
      const nearFirst = ba <= bb;
      stack[top] = nearFirst ? a + 1 : a;
      bound[top++] = nearFirst ? bb : ba;
      stack[top] = nearFirst ? a : a + 1;
      bound[top++] = nearFirst ? ba : bb;
    }
    const xy = this.#xy;
    const v = this.#bestV;
    const t = this.#bestT;
    return haversineM(
      lon,
      lat,
      xy[2 * v]! + t * (xy[2 * v + 2]! - xy[2 * v]!),
      xy[2 * v + 1]! + t * (xy[2 * v + 3]! - xy[2 * v + 1]!),
    );
  }

  /** Lower bound of the frame distance (squared) from the point to anything under a tree node. */
  #boundSq(node: number, lon: number, lat: number, c0: number, s0: number): number {
    const box = this.#box;
    const h = this.#boxHalf;
    // The scale cos((lat + y) / 2) is concave in y, so its least over the box is at minY or maxY; shaved
    // by a hair so that rounding can never lift the bound above a segment's own frame distance.
    const kLow = c0 * h[4 * node]! - s0 * h[4 * node + 1]!;
    const kHigh = c0 * h[4 * node + 2]! - s0 * h[4 * node + 3]!;
    const k = Math.max(0, Math.min(kLow, kHigh) * (1 - 1e-12));
    const dx = Math.max(0, box[4 * node]! - lon, lon - box[4 * node + 2]!) * k;
    const dy = Math.max(0, box[4 * node + 1]! - lat, lat - box[4 * node + 3]!);
    return dx * dx + dy * dy;
  }

  /** The least squared frame distance to chunk c's segments, or `best` if less; notes the winner. */
  #scan(c: number, lon: number, lat: number, c0: number, s0: number, k0: number, best: number): number {
    const xy = this.#xy;
    const h = this.#half;
    const t = this.#t;
    let result = best;
    for (let v = this.#from[c]!; v < this.#to[c]!; v++) {
      const k1 = c0 * h[2 * v]! - s0 * h[2 * v + 1]!;
      const k2 = c0 * h[2 * v + 2]! - s0 * h[2 * v + 3]!;
      const d2 = segmentApproxSq(
        lon,
        lat,
        k0,
        xy[2 * v]!,
        xy[2 * v + 1]!,
        k1,
        xy[2 * v + 2]!,
        xy[2 * v + 3]!,
        k2,
        t,
      );
      if (d2 < result) {
        result = d2;
        this.#bestV = v;
        this.#bestT = t[0]!;
      }
    }
    return result;
  }
}
