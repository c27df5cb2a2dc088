import fc from 'fast-check';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { distanceToLineM, halfLatitude, haversineM, pointInPolygon, segmentApproxSq } from './geodesy.ts';
import { IndexedLines, IndexedPolygon } from './indexed.ts';

/** A random star-shaped ring around a centre (simple, possibly very jagged), closed. */
const starRing = (cx: number, cy: number, maxR: number) =>
  fc
    .array(fc.double({ min: maxR / 20, max: maxR, noNaN: true }), { minLength: 3, maxLength: 60 })
    .map((radii) => {
      const ring = radii.map((r, i) => {
        const a = (2 * Math.PI * i) / radii.length;
        return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
      });
      ring.push([...ring[0]!]);
      return ring;
    });

const polygonWithHole: fc.Arbitrary<Polygon> = fc
  .tuple(starRing(30, 48, 3), starRing(30, 48, 0.15))
  .map(([outer, hole]) => ({ type: 'Polygon', coordinates: [outer, hole] }));

const multiPolygon: fc.Arbitrary<MultiPolygon> = fc
  .tuple(starRing(30, 48, 2), starRing(33, 48.5, 1), starRing(33, 48.5, 0.2))
  .map(([a, b, hole]) => ({ type: 'MultiPolygon', coordinates: [[a], [b, hole]] }));

const points = fc.array(
  fc.tuple(fc.double({ min: 26, max: 35, noNaN: true }), fc.double({ min: 44, max: 52, noNaN: true })),
  { minLength: 50, maxLength: 200 },
);

describe('IndexedPolygon', () => {
  it('answers exactly as pointInPolygon (holes and multipolygons included)', () => {
    fc.assert(
      fc.property(fc.oneof(polygonWithHole, multiPolygon), points, (geometry, pts) => {
        const index = new IndexedPolygon(geometry);
        for (const [x, y] of pts) expect(index.contains(x, y)).toBe(pointInPolygon(x, y, geometry));
        // The centre of the star (in the hole, for the first kind) and far away.
        expect(index.contains(30, 48)).toBe(pointInPolygon(30, 48, geometry));
        expect(index.contains(50, 10)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('treats vertices on the ray exactly as pointInPolygon does', () => {
    const grid: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [2, 1],
          [3, 1],
          [3, 2],
          [1, 2],
          [1, 1],
          [0, 1],
          [0, 0],
        ],
      ],
    };
    const index = new IndexedPolygon(grid);
    for (let x = -0.5; x <= 3.5; x += 0.25) {
      for (let y = -0.5; y <= 2.5; y += 0.25) expect(index.contains(x, y)).toBe(pointInPolygon(x, y, grid));
    }
  });
});

describe('IndexedLines', () => {
  const line = fc.array(
    fc.tuple(fc.double({ min: 28, max: 34, noNaN: true }), fc.double({ min: 46, max: 50, noNaN: true })),
    { minLength: 1, maxLength: 80 },
  );

  it('gives the same distance as distanceToLineM for one line', () => {
    fc.assert(
      fc.property(line, points, (l, pts) => {
        const positions = l.map(([x, y]) => [x, y]);
        const index = new IndexedLines([positions]);
        for (const [x, y] of pts) {
          const expected = distanceToLineM(x, y, positions);
          // Same algorithm, different association of floating-point steps: equal to a part in 10^9.
          expect(Math.abs(index.distanceM(x, y) - expected)).toBeLessThanOrEqual(1e-6 + 1e-9 * expected);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('takes the segment nearest in the local frame across several lines, as a brute-force search does', () => {
    // The index picks the nearest segment of all lines in the point's local frame, then measures the
    // great-circle distance to it; taking each line's own answer and the least of those can choose
    // another line, metres apart at hundreds of kilometres, where the frame and the sphere disagree.
    const bruteForce = (x: number, y: number, lines: number[][][]): { d2: number; metres: number }[] => {
      const [c0, s0] = halfLatitude(y);
      const k0 = c0 * c0 - s0 * s0;
      const scale = (lat: number) => {
        const [c, s] = halfLatitude(lat);
        return c0 * c - s0 * s;
      };
      const t = new Float64Array(1);
      const out: { d2: number; metres: number }[] = [];
      for (const l of lines) {
        const path = l.length === 1 ? [l[0]!, l[0]!] : l;
        for (let i = 1; i < path.length; i++) {
          const [ax, ay] = path[i - 1] as [number, number];
          const [bx, by] = path[i] as [number, number];
          const d2 = segmentApproxSq(x, y, k0, ax, ay, scale(ay), bx, by, scale(by), t);
          out.push({ d2, metres: haversineM(x, y, ax + t[0]! * (bx - ax), ay + t[0]! * (by - ay)) });
        }
      }
      return out;
    };
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 3 }), points, (lines, pts) => {
        const positions = lines.map((l) => l.map(([x, y]) => [x, y]));
        const index = new IndexedLines(positions);
        for (const [x, y] of pts) {
          const segments = bruteForce(x, y, positions);
          const least = Math.min(...segments.map((s) => s.d2));
          const got = index.distanceM(x, y);
          // Any of the segments equally near in the frame (to rounding) may win.
          const nearest = segments.filter((s) => s.d2 <= least * (1 + 1e-12) + 1e-300);
          expect(nearest.some((s) => Math.abs(got - s.metres) <= 1e-6 + 1e-9 * s.metres)).toBe(true);
          // And the frame is close to the sphere: within 1e-4 of the nearest line's own answer (metres
          // at hundreds of kilometres, as the comment above says), so a true distance is still checked.
          const independent = Math.min(...positions.map((p) => distanceToLineM(x, y, p)));
          expect(Math.abs(got - independent)).toBeLessThanOrEqual(1 + 1e-4 * independent);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('is empty and infinitely far without positions', () => {
    const index = new IndexedLines([[], []]);
    expect(index.empty).toBe(true);
    expect(index.distanceM(30, 48)).toBe(Number.POSITIVE_INFINITY);
  });
});
