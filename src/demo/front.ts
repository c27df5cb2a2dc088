/**
 * Illustrative geometry for the demonstration scenario: an approximate line of contact from the
 * north-east to the Dnipro mouth, sectors along it and the zones derived from it. Not an
 * authoritative line: it only makes the demonstration look like the real problem.
 */
import { destination } from '../monitoring/geo/geodesy.ts';
import type { SectorInput, ZoneInput } from '../monitoring/geography-service.ts';

/** lon, lat from north-east to south-west. */
export const CONTACT_LINE: [number, number][] = [
  [37.7, 50.1],
  [37.68, 49.95],
  [37.62, 49.7],
  [37.72, 49.35],
  [37.85, 49.05],
  [38.1, 48.88],
  [37.95, 48.66],
  [37.85, 48.58],
  [37.84, 48.4],
  [37.55, 48.33],
  [37.18, 48.28],
  [37.0, 48.05],
  [36.85, 47.85],
  [36.55, 47.72],
  [36.27, 47.66],
  [35.83, 47.45],
  [35.4, 47.5],
  [35.05, 47.55],
  [34.6, 47.4],
  [34.2, 47.2],
  [33.8, 46.95],
  [33.4, 46.75],
  [32.9, 46.55],
  [32.3, 46.48],
];

const KM_PER_DEG_LAT = 111.32;

/**
 * A place `offsetM` metres east or west of the contact line, at `position` along it (0 at its first
 * vertex, 1 at the next, and so on): where the generated demonstration and benchmark events happen.
 */
export function nearTheLine(position: number, east: boolean, offsetM: number): [number, number] {
  const [lon, lat] = pointOnLine(position);
  const p = destination(lon, lat, east ? 90 : 270, offsetM);
  return [p[0], p[1]];
}

/** The point on the contact line at `position` along it (0 at its first vertex, 1 at the next, …). */
function pointOnLine(position: number): [number, number] {
  const k = Math.max(0, Math.min(Math.floor(position), CONTACT_LINE.length - 2));
  const [a, b] = [CONTACT_LINE[k]!, CONTACT_LINE[k + 1]!];
  const f = position - k;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
}

/** Shifts the line perpendicular-ish (east or west) by km: good enough for a drawn demonstration line. */
export function offsetLine(line: [number, number][], km: number): [number, number][] {
  return line.map(([lon, lat]) => [
    round(lon + km / (KM_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180))),
    lat,
  ]);
}

function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

/** A polygon around the line, from `westKm` west of it to `eastKm` east of it. */
function band(line: [number, number][], westKm: number, eastKm: number): [number, number][] {
  const west = offsetLine(line, -westKm);
  const east = offsetLine(line, eastKm).reverse();
  const ring = [...west, ...east];
  ring.push(ring[0]!);
  return ring;
}

const box = (w: number, s: number, e: number, n: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ] as [number, number][],
  ],
});

/** Four sectors that tile the whole front between them, so no report falls between two. */
export const DEMO_SECTORS: SectorInput[] = [
  { id: 'S-1', name: 'Sector 1 — Kharkiv', geometry: box(35.5, 49.0, 40.5, 50.8) },
  { id: 'S-2', name: 'Sector 2 — Donetsk north', geometry: box(36.95, 48.2, 40.5, 49.0) },
  {
    id: 'S-3',
    name: 'Sector 3 — Donetsk south and Zaporizhzhia',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [35.2, 46.2],
          [40.5, 46.2],
          [40.5, 48.2],
          [36.95, 48.2],
          [36.95, 49.0],
          [35.2, 49.0],
          [35.2, 46.2],
        ] as [number, number][],
      ],
    },
  },
  { id: 'S-4', name: 'Sector 4 — Dnipro and Kherson', geometry: box(31.0, 45.8, 35.2, 48.5) },
];

export const DEMO_ZONES: ZoneInput[] = [
  {
    kind: 'contact_line',
    name: 'Line of contact (illustrative)',
    weaponClasses: [],
    distanceKm: null,
    geometry: { type: 'LineString', coordinates: CONTACT_LINE },
  },
  {
    kind: 'buffer_zone',
    name: 'Buffer zone, 7.5 km each side (illustrative)',
    weaponClasses: [],
    distanceKm: null,
    geometry: { type: 'Polygon', coordinates: [band(CONTACT_LINE, 7.5, 7.5)] },
  },
  ...(
    [
      ['Withdrawal line: mortars of 120 mm and above, 15 km', ['mortar_120mm'], 15],
      ['Withdrawal line: artillery of 100 mm and above, 50 km', ['artillery_100mm_plus', 'tank'], 50],
      ['Withdrawal line: multiple rocket launchers, 70 km', ['mlrs'], 70],
    ] as const
  ).flatMap(([name, classes, km]) =>
    (['west', 'east'] as const).map((side) => ({
      kind: 'withdrawal_line' as const,
      name: `${name} (${side}, illustrative)`,
      weaponClasses: [...classes],
      distanceKm: km,
      geometry: {
        type: 'LineString' as const,
        coordinates: offsetLine(CONTACT_LINE, side === 'west' ? -km : km),
      },
    })),
  ),
  {
    kind: 'storage_site',
    name: 'Weapons storage site W-3 (illustrative)',
    weaponClasses: ['artillery_100mm_plus'],
    distanceKm: null,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [35.2, 48.2],
          [35.3, 48.2],
          [35.3, 48.27],
          [35.2, 48.27],
          [35.2, 48.2],
        ],
      ],
    },
  },
];
