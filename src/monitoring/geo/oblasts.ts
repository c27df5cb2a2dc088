/**
 * Ukraine's first-level divisions (ISO 3166-2): which oblast a place is in, for per-oblast daily figures.
 * Boundaries are Natural Earth's (see NOTICE.md); Crimea (UA-43) and Sevastopol (UA-40) are Ukraine.
 */
import type { Feature, FeatureCollection } from 'geojson';
import type { PolygonalGeometry } from './geodesy.ts';
import { IndexedLines, IndexedPolygon } from './indexed.ts';
import boundariesJson from './ua-admin1.geo.json' with { type: 'json' };

export interface Oblast {
  /** ISO 3166-2 code, e.g. UA-14. */
  iso: string;
  name: string;
  nameUk: string;
}

type SourceProperties = { iso: string; name: string; name_uk: string };
type OblastFeature = Feature<PolygonalGeometry, Oblast>;

// The JSON module's inferred type has `type: string`; the file is committed data checked by the tests.
const source = boundariesJson as unknown as FeatureCollection<PolygonalGeometry, SourceProperties>;

/**
 * The source names Kyiv city and Kyiv oblast alike, and uses the Russian-derived "Odessa"; the
 * English names here follow Ukraine's official romanisation so that reports and maps tell them apart.
 */
const RENAMED: Record<string, { name: string; nameUk?: string }> = {
  'UA-30': { name: 'Kyiv City', nameUk: 'місто Київ' },
  'UA-32': { name: 'Kyiv Oblast', nameUk: 'Київська область' },
  'UA-51': { name: 'Odesa' },
};

const FEATURES: OblastFeature[] = source.features.map((f) => {
  const { iso, name, name_uk } = f.properties;
  const renamed = RENAMED[iso];
  return {
    type: 'Feature',
    properties: { iso, name: renamed?.name ?? name, nameUk: renamed?.nameUk ?? name_uk },
    geometry: f.geometry,
  };
});

/** The 27 divisions, sorted by ISO code. */
export const OBLASTS: readonly Oblast[] = Object.freeze(
  FEATURES.map((f) => Object.freeze({ ...f.properties })).sort((a, b) => (a.iso < b.iso ? -1 : 1)),
);

const BY_FEATURE: readonly Oblast[] = FEATURES.map((f) => OBLASTS.find((o) => o.iso === f.properties.iso)!);

const COLLECTION: FeatureCollection<PolygonalGeometry, Oblast> = {
  type: 'FeatureCollection',
  features: FEATURES,
};

/** The boundaries as a FeatureCollection with `iso`, `name`, `nameUk` properties. Shared: do not mutate. */
export function oblastBoundaries(): FeatureCollection<PolygonalGeometry, Oblast> {
  return COLLECTION;
}

/**
 * A grid over Ukraine. A cell that no boundary edge touches lies wholly inside one division (or none), so
 * its answer is stored; other cells keep the few divisions whose edges pass through them, or that hold the
 * cell's centre, and test only those.
 */
interface Grid {
  minX: number;
  minY: number;
  cols: number;
  rows: number;
  /** >= 0: the answer is that feature; -1: no division; -2: test cellItems[cellStart[c]..cellStart[c+1]]. */
  cellKind: Int16Array;
  cellStart: Uint32Array;
  cellItems: Uint8Array;
  polygons: IndexedPolygon[];
}

const CELL_DEG = 0.1;
// A boundary edge grazing a cell within float rounding still counts as touching it.
const EPS = 1e-9;
const NONE = -1;
const TEST = -2;

let grid: Grid | undefined;

function buildGrid(): Grid {
  const polygons = FEATURES.map((f) => new IndexedPolygon(f.geometry));
  const minX = Math.min(...polygons.map((p) => p.bbox[0]));
  const minY = Math.min(...polygons.map((p) => p.bbox[1]));
  const cols = Math.ceil((Math.max(...polygons.map((p) => p.bbox[2])) - minX) / CELL_DEG) + 1;
  const rows = Math.ceil((Math.max(...polygons.map((p) => p.bbox[3])) - minY) / CELL_DEG) + 1;
  const cellOf = (v: number, min: number, n: number) =>
    Math.max(0, Math.min(n - 1, Math.floor((v - min) / CELL_DEG)));

  const touched: Set<number>[] = Array.from({ length: cols * rows }, () => new Set<number>());
  FEATURES.forEach((f, i) => {
    const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const ring of polygons.flat()) {
      for (let v = 1; v < ring.length; v++) {
        const a = ring[v - 1]!;
        const b = ring[v]!;
        const c0 = cellOf(Math.min(a[0]!, b[0]!) - EPS, minX, cols);
        const c1 = cellOf(Math.max(a[0]!, b[0]!) + EPS, minX, cols);
        const r0 = cellOf(Math.min(a[1]!, b[1]!) - EPS, minY, rows);
        const r1 = cellOf(Math.max(a[1]!, b[1]!) + EPS, minY, rows);
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) touched[r * cols + c]!.add(i);
      }
    }
  });

  // Smaller divisions first, so an enclave wins should its surrounding polygon lack the hole.
  const order = FEATURES.map((_, i) => i).sort((a, b) => area(polygons[a]!) - area(polygons[b]!));
  const cellKind = new Int16Array(cols * rows);
  const starts: number[] = [0];
  const items: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const cell = r * cols + c;
      const edges = touched[cell]!;
      const cx = minX + (c + 0.5) * CELL_DEG;
      const cy = minY + (r + 0.5) * CELL_DEG;
      const holders = order.filter((i) => polygons[i]!.contains(cx, cy));
      const candidates = order.filter((i) => edges.has(i) || holders.includes(i));
      if (edges.size === 0 && holders.length <= 1) {
        cellKind[cell] = holders[0] ?? NONE;
      } else {
        cellKind[cell] = TEST;
        items.push(...candidates);
      }
      starts.push(items.length);
    }
  }
  return {
    minX,
    minY,
    cols,
    rows,
    cellKind,
    cellStart: Uint32Array.from(starts),
    cellItems: Uint8Array.from(items),
    polygons,
  };
}

/** Bounding-box area, a cheap stand-in for size when ordering candidates. */
function area(p: IndexedPolygon): number {
  return (p.bbox[2] - p.bbox[0]) * (p.bbox[3] - p.bbox[1]);
}

/** The division containing the point, or null outside Ukraine (the sea included). */
export function oblastAt(lon: number, lat: number): Oblast | null {
  grid ??= buildGrid();
  const g = grid;
  const c = Math.floor((lon - g.minX) / CELL_DEG);
  const r = Math.floor((lat - g.minY) / CELL_DEG);
  // NaN fails every comparison, so it also lands here.
  if (!(c >= 0 && c < g.cols && r >= 0 && r < g.rows)) return null;
  const cell = r * g.cols + c;
  const kind = g.cellKind[cell]!;
  if (kind >= 0) return BY_FEATURE[kind]!;
  if (kind === NONE) return null;
  for (let i = g.cellStart[cell]!; i < g.cellStart[cell + 1]!; i++) {
    const f = g.cellItems[i]!;
    if (g.polygons[f]!.contains(lon, lat)) return BY_FEATURE[f]!;
  }
  return null;
}

let outlines: IndexedLines[] | undefined;

/**
 * Like `oblastAt`, but a place just outside every division (the 1:10m coastline and the Dnipro's banks are
 * generalised, and the Kakhovka reservoir and estuaries are left out) goes to the division whose boundary
 * is nearest, if that is within `withinM`. For counting events per oblast, where a shell landing in the
 * river at Kherson still belongs to Kherson oblast.
 */
export function oblastNear(lon: number, lat: number, withinM = 10_000): Oblast | null {
  const inside = oblastAt(lon, lat);
  if (inside || !Number.isFinite(lon) || !Number.isFinite(lat)) return inside;
  outlines ??= FEATURES.map(
    (f) =>
      new IndexedLines(
        f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat(),
      ),
  );
  // A degree of latitude is ~111 km and of longitude at least ~70 km in Ukraine: a cheap pre-filter.
  const padLat = withinM / 111_000;
  const padLon = withinM / 70_000;
  let best: Oblast | null = null;
  let bestM = withinM;
  outlines.forEach((outline, i) => {
    const [x0, y0, x1, y1] = outline.bbox;
    if (lon < x0 - padLon || lon > x1 + padLon || lat < y0 - padLat || lat > y1 + padLat) return;
    const m = outline.distanceM(lon, lat);
    if (m <= bestM) {
      bestM = m;
      best = BY_FEATURE[i]!;
    }
  });
  return best;
}

/** The division with this ISO 3166-2 code, or null. */
export function oblastByIso(iso: string): Oblast | null {
  return OBLASTS.find((o) => o.iso === iso) ?? null;
}
