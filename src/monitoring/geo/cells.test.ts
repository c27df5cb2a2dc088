import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellOf, cellsCovering } from './cells.ts';

const lon = fc.double({ min: -180, max: 180, noNaN: true });
const lat = fc.double({ min: -90, max: 90, noNaN: true });

describe('grid cells', () => {
  it('finds the cell of every point inside a box among the cells covering it', () => {
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        lon,
        lat,
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        unit,
        unit,
        (x, y, w, hgt, fx, fy) => {
          const box = { minLon: x, maxLon: Math.min(180, x + w), minLat: y, maxLat: Math.min(90, y + hgt) };
          const cells = cellsCovering(box, 10_000)!;
          // A point drawn inside the box, corners and edges included.
          const px = Math.min(box.maxLon, box.minLon + fx * (box.maxLon - box.minLon));
          const py = Math.min(box.maxLat, box.minLat + fy * (box.maxLat - box.minLat));
          expect(cells).toContain(cellOf(px, py));
          expect(cells).toContain(cellOf(box.minLon, box.minLat));
          expect(cells).toContain(cellOf(box.maxLon, box.maxLat));
        },
      ),
    );
  });

  it('gives each point one cell, neighbours on the edges apart', () => {
    expect(cellOf(37.5, 48)).not.toBe(cellOf(37.49, 48));
    expect(cellOf(37.5, 48)).toBe(cellOf(37.99, 48.49));
    expect(cellOf(180, 90)).toBe(cellOf(179.9, 89.9));
    expect(cellOf(-180, -90)).toBe(0);
  });

  it('declines a box of more cells than the limit, and an empty box covers none', () => {
    expect(cellsCovering({ minLon: 22, maxLon: 40, minLat: 44, maxLat: 52 }, 100)).toBeUndefined();
    expect(cellsCovering({ minLon: 37, maxLon: 37.2, minLat: 48, maxLat: 48.1 })).toHaveLength(1);
    expect(cellsCovering({ minLon: 38, maxLon: 37, minLat: 48, maxLat: 48.1 })).toEqual([]);
  });
});
