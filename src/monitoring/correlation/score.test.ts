import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haversineM, M_PER_DEG } from '../geo/geodesy.ts';
import type { CorrelationReport } from '../types.ts';
import { DEFAULT_CORRELATION_OPTIONS } from './options.ts';
import {
  equirectangularM,
  formatDistance,
  formatDuration,
  type IncidentShape,
  scoreLink,
  spatialScore,
  timeScore,
} from './score.ts';

const T0 = Date.UTC(2026, 2, 1, 10, 0);
const MIN = 60_000;
const KM_LAT = 1000 / M_PER_DEG;

const incident: IncidentShape = {
  lon: 37.8,
  lat: 48,
  uncertaintyM: 1000,
  firstObserved: T0,
  lastObserved: T0 + 5 * MIN,
  types: ['impact'],
  weaponClasses: ['undetermined'],
};

function report(o: Partial<CorrelationReport> = {}): CorrelationReport {
  return {
    id: 'r',
    type: 'explosion',
    weaponClass: 'undetermined',
    sourceKey: 'patrol:1',
    observedFrom: T0 + MIN,
    observedTo: T0 + 2 * MIN,
    lon: 37.8,
    lat: 48 + 1.2 * KM_LAT,
    uncertaintyM: Math.sqrt(2000 ** 2 - 1000 ** 2),
    count: 1,
    ...o,
  };
}

describe('scoreLink', () => {
  it('explains a good link in words', () => {
    expect(scoreLink(report(), incident)).toEqual({
      score: 1,
      reason:
        '1.2 km from incident centre (combined uncertainty 2.0 km); times overlap; explosion compatible with impact',
    });
  });

  it('lowers the score with distance, a gap in time and a different weapon class', () => {
    const base = scoreLink(report({ lat: 48 + 3 * KM_LAT }), incident).score;
    expect(base).toBeCloseTo(1 - (0.5 / 2) ** 2, 10);
    const later = scoreLink(
      report({ lat: 48 + 3 * KM_LAT, observedFrom: T0 + 10 * MIN, observedTo: T0 + 11 * MIN }),
      {
        ...incident,
        weaponClasses: ['mlrs'],
      },
    );
    expect(later.reason).toContain("starts 5 min after the incident's last report (tolerance 10 min)");
    expect(
      scoreLink(report({ weaponClass: 'mortar_120mm' }), { ...incident, weaponClasses: ['mlrs'] }),
    ).toMatchObject({
      score: DEFAULT_CORRELATION_OPTIONS.weaponClassMismatchFactor,
      reason: expect.stringContaining('weapon class mortar 120mm differs from mlrs (x0.8)'),
    });
    expect(scoreLink(report({ weaponClass: 'mlrs' }), { ...incident, weaponClasses: ['mlrs'] }).score).toBe(
      1,
    );
  });

  it.each<[string, Partial<CorrelationReport>, Partial<IncidentShape>, string]>([
    ['type', { type: 'uav_flight' }, {}, 'uav flight not compatible with impact'],
    [
      'time',
      { observedFrom: T0 + 16 * MIN, observedTo: T0 + 17 * MIN },
      {},
      "starts 11 min after the incident's last report, beyond the 10 min tolerance",
    ],
    [
      'distance',
      { lat: 48 + 7 * KM_LAT },
      {},
      '7.0 km from incident centre, beyond 3 combined uncertainties (2.0 km)',
    ],
    [
      'span',
      { observedFrom: T0 + 6 * 60 * MIN, observedTo: T0 + 6 * 60 * MIN + MIN },
      { lastObserved: T0 + 6 * 60 * MIN - MIN },
      'incident would span 6 h, over the 6 h maximum',
    ],
    [
      'sighting',
      { type: 'weapon_sighting', weaponClass: 'tank' },
      { types: ['weapon_sighting'], weaponClasses: ['mlrs'] },
      "sighting of tank, the incident's is mlrs",
    ],
  ])('gives 0 with the reason when %s rules the link out', (_, r, i, reason) => {
    expect(scoreLink(report(r), { ...incident, ...i })).toEqual({ score: 0, reason });
  });

  it('always scores within [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: -60, max: 60 }),
        (dLon, dLat, uncertaintyM, minutes) => {
          const { score } = scoreLink(
            report({
              lon: 37.8 + dLon,
              lat: 48 + dLat,
              uncertaintyM,
              observedFrom: T0 + minutes * MIN,
              observedTo: T0 + (minutes + 1) * MIN,
            }),
            incident,
          );
          expect(score).toBeGreaterThanOrEqual(0);
          expect(score).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('score parts', () => {
  it('spatial score is 1 within one combined uncertainty, 0 from maxSigma, and never rises with distance', () => {
    expect(spatialScore(0.99, 3)).toBe(1);
    expect(spatialScore(2, 3)).toBe(0.75);
    expect(spatialScore(3, 3)).toBe(0);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (a, b) => {
          const [near, far] = a < b ? [a, b] : [b, a];
          expect(spatialScore(near, 3)).toBeGreaterThanOrEqual(spatialScore(far, 3));
        },
      ),
    );
  });

  it('time score is 1 on overlap, 0.75 at the tolerance and 0 beyond', () => {
    expect(timeScore(-5, 600)).toBe(1);
    expect(timeScore(600, 600)).toBe(0.75);
    expect(timeScore(601, 600)).toBe(0);
    expect(timeScore(0, 0)).toBe(1);
  });

  it('measures distance within 0.5% of the great circle at correlation scales', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 44, max: 53, noNaN: true }),
        fc.double({ min: -0.4, max: 0.4, noNaN: true }),
        fc.double({ min: -0.4, max: 0.4, noNaN: true }),
        (lat, dLon, dLat) => {
          fc.pre(Math.abs(dLon) + Math.abs(dLat) > 1e-4);
          const e = equirectangularM(35, lat, 35 + dLon, lat + dLat);
          expect(Math.abs(e / haversineM(35, lat, 35 + dLon, lat + dLat) - 1)).toBeLessThan(0.005);
        },
      ),
    );
  });

  it('writes distances and durations as people read them', () => {
    expect(formatDistance(347)).toBe('350 m');
    expect(formatDistance(1234)).toBe('1.2 km');
    expect(formatDuration(30_000)).toBe('30 s');
    expect(formatDuration(7 * MIN)).toBe('7 min');
    expect(formatDuration(6 * 60 * MIN)).toBe('6 h');
    expect(formatDuration(100 * MIN)).toBe('1.7 h');
  });
});
