import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haversineM } from './geo/geodesy.ts';
import { estimateEventPlace, GEO_PRECISION_M, type GeoPrecision } from './location.ts';
import { GEO_PRECISIONS } from './report-schema.ts';

const observer = { lon: 37.6, lat: 48.1, accuracyM: 30 };
const SIN10 = Math.sin(Math.PI / 18);

describe('estimateEventPlace', () => {
  it('takes a given point as it is, with the radius its precision stands for', () => {
    const expected: Record<GeoPrecision, number> = {
      exact: 50,
      near: 500,
      settlement: 2000,
      district: 15000,
      oblast: 60000,
    };
    for (const precision of GEO_PRECISIONS) {
      expect(estimateEventPlace(observer, { lon: 38, lat: 48.5 }, precision)).toEqual({
        lon: 38,
        lat: 48.5,
        uncertaintyM: expected[precision],
        method: 'point',
      });
    }
  });

  it('ignores where the observer stood when the point is given', () => {
    const far = { lon: 30, lat: 50, accuracyM: 5000 };
    expect(estimateEventPlace(far, { lon: 38, lat: 48.5, distanceKm: [1, 2] }, 'near').uncertaintyM).toBe(
      500,
    );
  });

  it('places a bearing and range at the middle of the range along the bearing', () => {
    const place = estimateEventPlace(observer, { bearingDeg: 90, distanceKm: [3, 5] }, 'near');
    expect(place.method).toBe('bearing');
    expect(haversineM(observer.lon, observer.lat, place.lon, place.lat)).toBeCloseTo(4000, 3);
    expect(place.lat).toBeCloseTo(observer.lat, 3);
    expect(place.lon).toBeGreaterThan(observer.lon);
    // radial 1 km, lateral 4 km * sin 10 deg, observer 30 m.
    expect(place.uncertaintyM).toBeCloseTo(Math.hypot(1000, 4000 * SIN10, 30), 6);
  });

  it('never claims better than 100 m along the bearing, even for a precise range', () => {
    const place = estimateEventPlace(
      { ...observer, accuracyM: 0 },
      { bearingDeg: 180, distanceKm: [2, 2] },
      'exact',
    );
    expect(place.uncertaintyM).toBeCloseTo(Math.hypot(100, 2000 * SIN10), 6);
    expect(place.lat).toBeLessThan(observer.lat);
  });

  it('grows the lateral error with distance', () => {
    const near = estimateEventPlace(observer, { bearingDeg: 45, distanceKm: [1, 1.2] }, 'near');
    const far = estimateEventPlace(observer, { bearingDeg: 45, distanceKm: [10, 10.2] }, 'near');
    expect(far.uncertaintyM).toBeGreaterThan(near.uncertaintyM * 5);
  });

  it('keeps a heard event (distance only) at the observer, as far off as the longest distance', () => {
    const place = estimateEventPlace(observer, { distanceKm: [2, 6] }, 'near');
    expect(place).toEqual({
      lon: observer.lon,
      lat: observer.lat,
      uncertaintyM: Math.hypot(6000, 30),
      method: 'distance',
    });
  });

  it('claims at least the finest precision, even for a zero distance and a perfect fix', () => {
    const place = estimateEventPlace({ ...observer, accuracyM: 0 }, { distanceKm: [0, 0] }, 'exact');
    expect(place.uncertaintyM).toBe(GEO_PRECISION_M.exact);
  });

  it('refuses an event with neither a point nor a distance', () => {
    expect(() => estimateEventPlace(observer, { bearingDeg: 90 }, 'near')).toThrow(TypeError);
    expect(() => estimateEventPlace(observer, { lon: 30 }, 'near')).toThrow(TypeError);
  });

  it('keeps a relative estimate within max distance plus accuracy of the observer, radius finite', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -179, max: 179, noNaN: true }),
        fc.double({ min: -85, max: 85, noNaN: true }),
        fc.double({ min: 0, max: 100_000, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 360, noNaN: true }), { nil: undefined }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (lon, lat, accuracyM, bearingDeg, a, b) => {
          const distanceKm: [number, number] = [Math.min(a, b), Math.max(a, b)];
          const place = estimateEventPlace({ lon, lat, accuracyM }, { bearingDeg, distanceKm }, 'near');
          const away = haversineM(lon, lat, place.lon, place.lat);
          expect(away).toBeLessThanOrEqual(distanceKm[1] * 1000 + accuracyM + 1e-6);
          expect(Number.isFinite(place.uncertaintyM)).toBe(true);
          expect(place.uncertaintyM).toBeGreaterThan(0);
          // The radius covers the observer's own error and the whole range.
          expect(place.uncertaintyM).toBeGreaterThanOrEqual(accuracyM);
          expect(place.uncertaintyM).toBeGreaterThanOrEqual(((distanceKm[1] - distanceKm[0]) / 2) * 1000);
          expect(place.lon).toBeGreaterThanOrEqual(-180);
          expect(place.lon).toBeLessThanOrEqual(180);
        },
      ),
    );
  });
});
