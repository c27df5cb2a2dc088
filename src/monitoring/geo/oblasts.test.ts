import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bbox, distanceToLineM, pointInPolygon } from './geodesy.ts';
import { OBLASTS, oblastAt, oblastBoundaries, oblastByIso, oblastNear } from './oblasts.ts';

const features = oblastBoundaries().features;

describe('oblastAt', () => {
  it.each([
    ['Kyiv city centre', 30.52, 50.45, 'UA-30'],
    ['Bila Tserkva (Kyiv Oblast)', 30.12, 49.8, 'UA-32'],
    ['Donetsk', 37.8, 48.0, 'UA-14'],
    ['Simferopol', 34.1, 44.95, 'UA-43'],
    ['Sevastopol', 33.52, 44.6, 'UA-40'],
    ['Kharkiv', 36.23, 49.99, 'UA-63'],
    ['Odesa', 30.73, 46.48, 'UA-51'],
    ['Lviv', 24.03, 49.84, 'UA-46'],
    ['Luhansk', 39.3, 48.57, 'UA-09'],
    ['Mariupol', 37.55, 47.1, 'UA-14'],
    ['Kherson', 32.6, 46.66, 'UA-65'],
  ])('places %s in %s', (_, lon, lat, iso) => {
    expect(oblastAt(lon, lat)?.iso).toBe(iso);
  });

  it.each([
    ['Warsaw', 21.01, 52.23],
    ['Chisinau', 28.86, 47.01],
    ['Belgorod', 36.59, 50.6],
    ['the Black Sea off Odesa', 30.9, 46.3],
    ['the Sea of Azov', 36.5, 46.2],
    ['a NaN', Number.NaN, 48],
  ])('gives null for %s', (_, lon, lat) => {
    expect(oblastAt(lon, lat)).toBeNull();
  });

  it('gives, for random points in a division bbox, null or a division whose polygon holds the point', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...features),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (feature, u, v) => {
          const [x0, y0, x1, y1] = bbox(feature.geometry);
          const lon = x0 + u * (x1 - x0);
          const lat = y0 + v * (y1 - y0);
          const found = oblastAt(lon, lat);
          const holders = features
            .filter((f) => pointInPolygon(lon, lat, f.geometry))
            .map((f) => f.properties.iso);
          if (found === null) expect(holders).toEqual([]);
          else expect(holders).toContain(found.iso);
          // Divisions do not overlap, so the grid answer is the only possible one.
          expect(holders.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('oblastNear', () => {
  it('is oblastAt inside a division', () => {
    expect(oblastNear(30.52, 50.45)?.iso).toBe('UA-30');
  });

  it('gives a place in the river at Kherson, left out of the boundaries, to Kherson oblast', () => {
    expect(oblastAt(32.62, 46.64)).toBeNull();
    expect(oblastNear(32.62, 46.64)?.iso).toBe('UA-65');
  });

  it('leaves places far out at sea or abroad as null', () => {
    expect(oblastNear(31.5, 45.5)).toBeNull();
    expect(oblastNear(21.01, 52.23)).toBeNull();
    expect(oblastNear(Number.NaN, 48)).toBeNull();
  });

  it('picks the division whose boundary is nearest, within the limit', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 29, max: 39, noNaN: true }),
        fc.double({ min: 44.5, max: 47, noNaN: true }),
        (lon, lat) => {
          const near = oblastNear(lon, lat, 5_000);
          if (oblastAt(lon, lat) === null && near !== null) {
            const outline = features.find((f) => f.properties.iso === near.iso)!;
            const rings =
              outline.geometry.type === 'Polygon'
                ? outline.geometry.coordinates
                : outline.geometry.coordinates.flat();
            expect(Math.min(...rings.map((r) => distanceToLineM(lon, lat, r)))).toBeLessThanOrEqual(5_000);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('OBLASTS', () => {
  it('lists the 27 divisions once each, sorted, with distinct English names', () => {
    expect(OBLASTS).toHaveLength(27);
    expect(OBLASTS.map((o) => o.iso)).toEqual([...new Set(OBLASTS.map((o) => o.iso))].sort());
    expect(new Set(OBLASTS.map((o) => o.name)).size).toBe(27);
    for (const o of OBLASTS) {
      expect(o.iso).toMatch(/^UA-\d\d$/);
      expect(o.nameUk.length).toBeGreaterThan(0);
    }
  });

  it('tells Kyiv city from Kyiv Oblast, and includes Crimea and Sevastopol', () => {
    expect(oblastByIso('UA-30')?.name).toBe('Kyiv City');
    expect(oblastByIso('UA-32')).toEqual({ iso: 'UA-32', name: 'Kyiv Oblast', nameUk: 'Київська область' });
    expect(oblastByIso('UA-43')?.name).toBe('Autonomous Republic of Crimea');
    expect(oblastByIso('UA-40')?.name).toBe('Sevastopol');
    expect(oblastByIso('UA-99')).toBeNull();
  });
});

describe('oblastBoundaries', () => {
  it('is a FeatureCollection with the exported names, one feature per division', () => {
    const fc27 = oblastBoundaries();
    expect(fc27.type).toBe('FeatureCollection');
    expect(fc27.features.map((f) => f.properties).sort((a, b) => (a.iso < b.iso ? -1 : 1))).toEqual(OBLASTS);
    for (const f of fc27.features) expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
  });
});
