import fc from 'fast-check';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { bbox, destination, distanceToLineM, haversineM, M_PER_DEG, pointInPolygon } from './geodesy.ts';

/** Great-circle distance to the RFC 7946 segment (straight in lon/lat), by dense sampling then bisection. */
function referenceSegmentM(lon: number, lat: number, a: number[], b: number[]): number {
  const at = (t: number) => haversineM(lon, lat, a[0]! + t * (b[0]! - a[0]!), a[1]! + t * (b[1]! - a[1]!));
  const steps = 2000;
  let bestT = 0;
  let bestM = at(0);
  for (let i = 1; i <= steps; i++) {
    const m = at(i / steps);
    if (m < bestM) {
      bestM = m;
      bestT = i / steps;
    }
  }
  let lo = Math.max(0, bestT - 1 / steps);
  let hi = Math.min(1, bestT + 1 / steps);
  for (let i = 0; i < 60; i++) {
    const m1 = lo + (hi - lo) / 3;
    const m2 = hi - (hi - lo) / 3;
    if (at(m1) < at(m2)) hi = m2;
    else lo = m1;
  }
  return Math.min(at(lo), bestM);
}

const ukrLon = fc.double({ min: 22, max: 40, noNaN: true });
const ukrLat = fc.double({ min: 44, max: 53, noNaN: true });

describe('haversineM', () => {
  it('measures a degree of latitude as R * pi / 180', () => {
    expect(haversineM(30, 48, 30, 49)).toBeCloseTo(M_PER_DEG, 3);
    expect(M_PER_DEG).toBeCloseTo(111_195.08, 1);
  });

  it('gives Kyiv to Kharkiv as about 409 km', () => {
    expect(haversineM(30.5234, 50.4501, 36.2304, 49.9935) / 1000).toBeCloseTo(409, -1);
  });

  it('is symmetric, non-negative and zero only at the same point', () => {
    fc.assert(
      fc.property(ukrLon, ukrLat, ukrLon, ukrLat, (x1, y1, x2, y2) => {
        const d = haversineM(x1, y1, x2, y2);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeCloseTo(haversineM(x2, y2, x1, y1), 6);
        expect(haversineM(x1, y1, x1, y1)).toBe(0);
      }),
    );
  });
});

describe('destination', () => {
  it('goes north along a meridian and east along the equator', () => {
    const [lon, lat] = destination(30, 48, 0, M_PER_DEG);
    expect(lon).toBeCloseTo(30, 9);
    expect(lat).toBeCloseTo(49, 9);
    const [lon2, lat2] = destination(10, 0, 90, 2 * M_PER_DEG);
    expect(lon2).toBeCloseTo(12, 9);
    expect(lat2).toBeCloseTo(0, 9);
  });

  it('lands the given distance away (round trip with haversine)', () => {
    fc.assert(
      fc.property(
        ukrLon,
        ukrLat,
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: 0, max: 500_000, noNaN: true }),
        (lon, lat, bearing, d) => {
          const [x, y] = destination(lon, lat, bearing, d);
          expect(Math.abs(haversineM(lon, lat, x, y) - d)).toBeLessThan(1e-3);
        },
      ),
    );
  });

  it('keeps longitude within [-180, 180] across the antimeridian', () => {
    const [lon] = destination(179.9, 10, 90, 50_000);
    expect(lon).toBeLessThan(-179);
  });
});

describe('distanceToLineM', () => {
  it('measures to the middle of a segment, not only to its vertices', () => {
    // 0.1 degree north of the middle of a 2-degree segment on the equator.
    expect(
      distanceToLineM(0, 0.1, [
        [-1, 0],
        [1, 0],
      ]),
    ).toBeCloseTo(0.1 * M_PER_DEG, 0);
  });

  it('measures to the nearest end beyond a segment', () => {
    const line = [
      [30, 48],
      [31, 48],
    ];
    expect(distanceToLineM(32, 48, line)).toBeCloseTo(haversineM(32, 48, 31, 48), 3);
    expect(distanceToLineM(29, 47, line)).toBeCloseTo(haversineM(29, 47, 30, 48), 3);
  });

  it('is zero on a vertex, a point for one position, infinite for none', () => {
    const line = [
      [30, 48],
      [31, 48.5],
      [32, 48],
    ];
    expect(distanceToLineM(31, 48.5, line)).toBe(0);
    expect(distanceToLineM(30, 48, [[31, 48]])).toBeCloseTo(haversineM(30, 48, 31, 48), 6);
    expect(distanceToLineM(30, 48, [])).toBe(Number.POSITIVE_INFINITY);
  });

  it('is near-exact close to a long diagonal segment', () => {
    const a = [22.106593556612076, 48.59629190256646];
    const b = [23.527036274330243, 49.842821585025085];
    const exact = referenceSegmentM(22.852055326500935, 49.246936250593016, a, b);
    expect(exact).toBeCloseTo(235.35, 1);
    expect(distanceToLineM(22.852055326500935, 49.246936250593016, [a, b])).toBeCloseTo(exact, 0);
  });

  it('is within 1% (or 1 m) of the exact distance for segments up to ~200 km away and long', () => {
    const offset = fc.double({ min: -1.8, max: 1.8, noNaN: true });
    fc.assert(
      fc.property(ukrLon, ukrLat, offset, offset, offset, offset, (lon, lat, ax, ay, bx, by) => {
        const a = [lon + ax * 1.5, lat + ay];
        const b = [a[0]! + bx, a[1]! + by * 0.7];
        const exact = referenceSegmentM(lon, lat, a, b);
        const got = distanceToLineM(lon, lat, [a, b]);
        expect(Math.abs(got - exact)).toBeLessThanOrEqual(Math.max(1, exact * 0.01));
      }),
      { numRuns: 300 },
    );
  });

  it('takes the nearest of several segments', () => {
    fc.assert(
      fc.property(
        ukrLon,
        ukrLat,
        fc.array(fc.tuple(ukrLon, ukrLat), { minLength: 2, maxLength: 12 }),
        (lon, lat, positions) => {
          const exact = Math.min(
            ...positions.slice(1).map((p, i) => referenceSegmentM(lon, lat, positions[i]!, p)),
          );
          const got = distanceToLineM(lon, lat, positions);
          // Segments here reach ~1,000 km, beyond the 200 km design range, and still hold to 1%.
          expect(Math.abs(got - exact)).toBeLessThanOrEqual(Math.max(1, exact * 0.01));
        },
      ),
      { numRuns: 60 },
    );
  });
});

const square = (x0: number, y0: number, size: number): number[][] => [
  [x0, y0],
  [x0 + size, y0],
  [x0 + size, y0 + size],
  [x0, y0 + size],
  [x0, y0],
];

describe('pointInPolygon', () => {
  const withHole: Polygon = { type: 'Polygon', coordinates: [square(0, 0, 10), square(4, 4, 2)] };

  it('is inside the outer ring and outside the hole', () => {
    expect(pointInPolygon(1, 1, withHole)).toBe(true);
    expect(pointInPolygon(5, 5, withHole)).toBe(false);
    expect(pointInPolygon(11, 5, withHole)).toBe(false);
    expect(pointInPolygon(-0.1, 5, withHole)).toBe(false);
  });

  it('is inside a MultiPolygon when inside any of its polygons', () => {
    const multi: MultiPolygon = {
      type: 'MultiPolygon',
      coordinates: [[square(0, 0, 1)], [square(5, 5, 1), square(5.25, 5.25, 0.5)]],
    };
    expect(pointInPolygon(0.5, 0.5, multi)).toBe(true);
    expect(pointInPolygon(5.1, 5.1, multi)).toBe(true);
    expect(pointInPolygon(5.5, 5.5, multi)).toBe(false);
    expect(pointInPolygon(3, 3, multi)).toBe(false);
  });

  it('counts a ray through a vertex once (a diamond)', () => {
    const diamond: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, -1],
          [1, 0],
          [0, 1],
          [-1, 0],
          [0, -1],
        ],
      ],
    };
    expect(pointInPolygon(0, 0, diamond)).toBe(true);
    expect(pointInPolygon(-2, 0, diamond)).toBe(false);
    expect(pointInPolygon(0.5, 0, diamond)).toBe(true);
  });

  it('agrees with the square test for random points', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1, max: 11, noNaN: true }),
        fc.double({ min: -1, max: 11, noNaN: true }),
        (x, y) => {
          const inOuter = x > 0 && x < 10 && y > 0 && y < 10;
          const inHole = x > 4 && x < 6 && y > 4 && y < 6;
          const onEdge = [0, 10, 4, 6].includes(x) || [0, 10, 4, 6].includes(y);
          if (!onEdge) expect(pointInPolygon(x, y, withHole)).toBe(inOuter && !inHole);
        },
      ),
    );
  });
});

describe('bbox', () => {
  it('spans every position of any geometry', () => {
    expect(bbox({ type: 'Polygon', coordinates: [square(1, 2, 3)] })).toEqual([1, 2, 4, 5]);
    expect(
      bbox({
        type: 'MultiLineString',
        coordinates: [
          [
            [0, 0],
            [1, -1],
          ],
          [
            [5, 2],
            [-3, 1],
          ],
        ],
      }),
    ).toEqual([-3, -1, 5, 2]);
    expect(bbox({ type: 'Point', coordinates: [7, 8] })).toEqual([7, 8, 7, 8]);
    expect(
      bbox({
        type: 'GeometryCollection',
        geometries: [
          { type: 'Point', coordinates: [7, 8] },
          { type: 'MultiPoint', coordinates: [[-1, 9]] },
        ],
      }),
    ).toEqual([-1, 8, 7, 9]);
  });
});
