import fc from 'fast-check';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { distanceToLineM, pointInPolygon } from './geodesy.ts';
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

  it('gives the same distance as distanceToLineM, the nearest of several lines', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 3 }), points, (lines, pts) => {
        const positions = lines.map((l) => l.map(([x, y]) => [x, y]));
        const index = new IndexedLines(positions);
        for (const [x, y] of pts) {
          const expected = Math.min(...positions.map((p) => distanceToLineM(x, y, p)));
          // Same algorithm, different association of floating-point steps: equal to a part in 10^9.
          expect(Math.abs(index.distanceM(x, y) - expected)).toBeLessThanOrEqual(1e-6 + 1e-9 * expected);
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
