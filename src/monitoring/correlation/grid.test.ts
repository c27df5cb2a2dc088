import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
  fc.record({ op: fc.constant('create' as const), ...arbPlace, start: fc.integer({ min: 0, max: 600 }), length: fc.nat(60) }),
  fc.record({ op: fc.constant('move' as const), pick: fc.nat(), ...arbPlace, extend: fc.integer({ min: -30, max: 60 }) }),
  fc.record({ op: fc.constant('kill' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('advance' as const), to: fc.integer({ min: 0, max: 700 }) }),
  fc.record({ op: fc.constant('query' as const), ...arbPlace, start: fc.integer({ min: 0, max: 700 }), length: fc.nat(90) }),
);

describe('CandidateIndex', () => {
  it('finds every incident a report could score above zero with, whatever happened before', () => {
    fc.assert(
      fc.property(fc.constantFrom(0.5, 2, 5), fc.array(arbOp, { maxLength: 80 }), (indexCellKm, ops) => {
        const o = resolveOptions({ indexCellKm });
        const index = new CandidateIndex<Item>(o);
        const items: Item[] = [];
        for (const step of ops) {
          if (step.op === 'create') {
            const item: Item = {
              n: items.length,
              lon: step.lon,
              lat: step.lat,
              uncertaintyM: step.uncertaintyM,
              firstObserved: T0 + step.start * MIN,
              lastObserved: T0 + (step.start + step.length) * MIN,
              dead: false,
              linkable: true,
              slot: newSlot(),
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
            const report: CorrelationReport = {
              id: 'q',
              type: 'explosion',
              weaponClass: 'undetermined',
              sourceKey: 'patrol:q',
              observedFrom: T0 + step.start * MIN,
              observedTo: T0 + (step.start + step.length) * MIN,
              lon: step.lon,
              lat: step.lat,
              uncertaintyM: step.uncertaintyM,
              count: 1,
            };
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
                equirectangularM(item.lon, item.lat, report.lon, report.lat) < o.maxSigma * Math.hypot(ru, iu);
              if (reachable) expect(found).toContain(item);
            }
          }
        }
      }),
    );
  });
});
