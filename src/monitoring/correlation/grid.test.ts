import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { M_PER_DEG } from '../geo/geodesy.ts';
import type { CorrelationReport } from '../types.ts';
import { CandidateIndex, type Indexed, newSlot } from './grid.ts';
import { resolveOptions } from './options.ts';
import { equirectangularM } from './score.ts';

interface Item extends Indexed {
  n: number;
}

const T0 = Date.UTC(2026, 2, 1);
const MIN = 60_000;

const arbPlace = {
  lon: fc.double({ min: 37.7, max: 37.9, noNaN: true }),
  lat: fc.double({ min: 47.95, max: 48.05, noNaN: true }),
  uncertaintyM: fc.oneof(fc.integer({ min: 10, max: 3000 }), fc.integer({ min: 3000, max: 10_000 })),
};
const arbOp = fc.oneof(
  fc.record({
    op: fc.constant('create' as const),
    ...arbPlace,
    start: fc.integer({ min: 0, max: 120 }),
    length: fc.nat(60),
  }),
  fc.record({
    op: fc.constant('move' as const),
    pick: fc.nat(),
    ...arbPlace,
    extend: fc.integer({ min: -30, max: 60 }),
  }),
  fc.record({ op: fc.constant('kill' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('advance' as const), to: fc.integer({ min: 0, max: 200 }) }),
  fc.record({
    op: fc.constant('query' as const),
    ...arbPlace,
    start: fc.integer({ min: 0, max: 200 }),
    length: fc.nat(30),
  }),
);

describe('CandidateIndex', () => {
  it('finds every incident a report could score above zero with, whatever happened before', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0.5, 2, 5),
        fc.array(arbOp, { minLength: 20, maxLength: 100 }),
        (indexCellKm, ops) => {
          const o = resolveOptions({ indexCellKm });
          const index = new CandidateIndex<Item>(o);
          const items: Item[] = [];
          for (const step of ops) {
            if (step.op === 'create') {
              const item: Item = {
                ...itemAt(step.lon, step.lat),
                n: items.length,
                uncertaintyM: step.uncertaintyM,
                firstObserved: T0 + step.start * MIN,
                lastObserved: T0 + (step.start + step.length) * MIN,
              };
              items.push(item);
              index.upsert(item);
            } else if (step.op === 'move' && items.length > 0) {
              // As a join does: the centre moves, the uncertainty shrinks, the time reach only grows.
              const item = items[step.pick % items.length]!;
              if (item.dead) continue;
              item.lon = step.lon;
              item.lat = step.lat;
              item.uncertaintyM = Math.min(item.uncertaintyM, step.uncertaintyM);
              if (step.extend < 0) item.firstObserved += step.extend * MIN;
              else item.lastObserved += step.extend * MIN;
              index.upsert(item);
            } else if (step.op === 'kill' && items.length > 0) {
              items[step.pick % items.length]!.dead = true;
            } else if (step.op === 'advance') {
              index.advance(T0 + step.to * MIN);
            } else if (step.op === 'query') {
              const report = queryAt(step.lon, step.lat, step.uncertaintyM, step.start);
              report.observedTo += step.length * MIN;
              const found: Item[] = [];
              index.query(report, found);
              expect(new Set(found).size).toBe(found.length);
              for (const f of found) expect(f.dead).toBe(false);
              const ru = Math.max(report.uncertaintyM, o.uncertaintyFloorM);
              for (const item of items) {
                if (item.dead) continue;
                const iu = Math.max(item.uncertaintyM, o.uncertaintyFloorM);
                const reachable =
                  item.lastObserved + o.timeToleranceMs >= report.observedFrom &&
                  item.firstObserved - o.timeToleranceMs <= report.observedTo &&
                  equirectangularM(item.lon, item.lat, report.lon, report.lat) <
                    o.maxSigma * Math.hypot(ru, iu);
                if (reachable) expect(found).toContain(item);
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds a pair just within reach in any direction, at any latitude', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0.5, 5, 50),
        fc.double({ min: -75, max: 75, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.double({ min: 0.99, max: 0.99999, noNaN: true }),
        fc.integer({ min: 10, max: 10_000 }),
        fc.integer({ min: 10, max: 10_000 }),
        (indexCellKm, lat, bearing, fraction, ru, iu) => {
          const o = resolveOptions({ indexCellKm });
          const index = new CandidateIndex<Item>(o);
          const item: Item = { ...itemAt(0, lat), uncertaintyM: iu };
          index.upsert(item);
          const reachM = fraction * o.maxSigma * Math.hypot(Math.max(ru, 50), Math.max(iu, 50));
          // Place the report by the same equirectangular measure, at the mean latitude.
          const dLat = (reachM * Math.cos(bearing)) / M_PER_DEG;
          const rLat = lat + dLat;
          const dLon =
            (reachM * Math.sin(bearing)) / (M_PER_DEG * Math.cos((((lat + rLat) / 2) * Math.PI) / 180));
          const report = queryAt(dLon, rLat, ru);
          expect(equirectangularM(item.lon, item.lat, report.lon, report.lat)).toBeCloseTo(reachM, 3);
          const found: Item[] = [];
          index.query(report, found);
          expect(found).toEqual([item]);
        },
      ),
    );
  });

  it('finds again an incident the sweep had passed once a late report extends it', () => {
    const o = resolveOptions({});
    const index = new CandidateIndex<Item>(o);
    const item = itemAt(37.8, 48);
    index.upsert(item);
    index.advance(T0 + 60 * MIN);
    // Scanning its cell after the sweep passed drops it from there.
    index.query(queryAt(37.8, 48, 500, 60), []);
    item.lastObserved = T0 + 65 * MIN;
    index.upsert(item);
    const found: Item[] = [];
    index.query(queryAt(37.8, 48, 500, 70), found);
    expect(found).toEqual([item]);
  });
});

function itemAt(lon: number, lat: number): Item {
  return {
    n: 0,
    lon,
    lat,
    uncertaintyM: 500,
    firstObserved: T0,
    lastObserved: T0 + MIN,
    dead: false,
    linkable: true,
    slot: newSlot(),
  };
}

function queryAt(lon: number, lat: number, uncertaintyM: number, minute = 0): CorrelationReport {
  return {
    id: 'q',
    type: 'explosion',
    weaponClass: 'undetermined',
    sourceKey: 'patrol:q',
    observedFrom: T0 + minute * MIN,
    observedTo: T0 + minute * MIN,
    lon,
    lat,
    uncertaintyM,
    count: 1,
  };
}
