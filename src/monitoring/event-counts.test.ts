import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CountableReport,
  countIncidentEvents,
  currentReports,
  incidentCasualties,
  sourceKey,
} from './event-counts.ts';
import type { EventType } from './report-schema.ts';

let seq = 0;
function report(
  sourceId: string,
  type: EventType,
  count: number,
  extra: Partial<CountableReport> = {},
): CountableReport {
  seq += 1;
  return { id: `r${seq}`, source: { kind: 'patrol', id: sourceId }, type, count, ...extra };
}

const TYPES: EventType[] = ['explosion', 'burst', 'shot'];
const reportsArb = fc
  .array(
    fc.record({
      source: fc.constantFrom('a', 'b', 'c', 'd'),
      type: fc.constantFrom(...TYPES),
      count: fc.integer({ min: 1, max: 50 }),
    }),
    { maxLength: 25 },
  )
  .map((rows) =>
    rows.map(
      (row, i): CountableReport => ({
        id: `g${i}`,
        source: { kind: 'patrol', id: row.source },
        type: row.type,
        count: row.count,
      }),
    ),
  );

function sourceSums(reports: CountableReport[]): Map<string, Partial<Record<EventType, number>>> {
  const sums = new Map<string, Partial<Record<EventType, number>>>();
  for (const r of reports) {
    const key = sourceKey(r.source);
    const s = sums.get(key) ?? {};
    s[r.type] = (s[r.type] ?? 0) + r.count;
    sums.set(key, s);
  }
  return sums;
}

describe('countIncidentEvents', () => {
  it('adds up one source’s successive reports of an exchange', () => {
    expect(countIncidentEvents([report('p1', 'explosion', 3), report('p1', 'explosion', 4)])).toEqual({
      explosion: 7,
    });
  });

  it('does not multiply events that several observers saw', () => {
    const counts = countIncidentEvents([
      report('p1', 'explosion', 5),
      report('cam1', 'explosion', 4),
      report('cam1', 'burst', 2),
      report('uav', 'explosion', 6),
    ]);
    expect(counts).toEqual({ explosion: 6, burst: 2 });
  });

  it('counts a source by kind and id, so a camera and a patrol with the same id stay apart', () => {
    const counts = countIncidentEvents([
      { id: 'x1', source: { kind: 'patrol', id: '7' }, type: 'shot', count: 3 },
      { id: 'x2', source: { kind: 'camera', id: '7' }, type: 'shot', count: 2 },
    ]);
    expect(counts).toEqual({ shot: 3 });
  });

  it('counts only the latest report of a supersedes chain', () => {
    const first = report('p1', 'explosion', 20);
    const second = report('p1', 'explosion', 12, { supersedes: first.id });
    const third = report('p1', 'explosion', 9, { supersedes: second.id });
    expect(countIncidentEvents([first, second, third])).toEqual({ explosion: 9 });
    expect(countIncidentEvents([third, first, second])).toEqual({ explosion: 9 });
    expect(currentReports([first, second, third]).map((r) => r.id)).toEqual([third.id]);
  });

  it('leaves out reports superseded by a correction held in another incident', () => {
    const wrong = report('p1', 'explosion', 20);
    expect(countIncidentEvents([wrong], { superseded: new Set([wrong.id]) })).toEqual({});
  });

  it('a correction that changes the type moves the count', () => {
    const first = report('p1', 'explosion', 4);
    const fix = report('p1', 'impact', 4, { supersedes: first.id });
    expect(countIncidentEvents([first, fix])).toEqual({ impact: 4 });
  });

  it('property: a second source seeing no more than the first never changes the result', () => {
    fc.assert(
      fc.property(
        reportsArb,
        fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 25 }),
        (reports, percents) => {
          fc.pre(reports.length > 0);
          const original = reports.filter((r) => r.source.id === reports[0]!.source.id);
          // Each duplicate count is at most the original's, so the new source's sums are no larger.
          const duplicate = original.map((r, i) => ({
            ...r,
            id: `dup${i}`,
            source: { kind: 'camera', id: 'fresh' },
            count: Math.max(1, Math.floor((r.count * (percents[i] ?? 100)) / 100)),
          }));
          expect(countIncidentEvents([...reports, ...duplicate])).toEqual(countIncidentEvents(reports));
        },
      ),
    );
  });

  it('property: the result is at least any single source’s sum and at most the sum of all', () => {
    fc.assert(
      fc.property(reportsArb, (reports) => {
        const counts = countIncidentEvents(reports);
        for (const sums of sourceSums(reports).values()) {
          for (const [type, n] of Object.entries(sums) as [EventType, number][]) {
            expect(counts[type]).toBeGreaterThanOrEqual(n);
          }
        }
        for (const type of TYPES) {
          const all = reports.filter((r) => r.type === type).reduce((s, r) => s + r.count, 0);
          expect(counts[type] ?? 0).toBeLessThanOrEqual(all);
          expect(type in counts).toBe(all > 0);
        }
      }),
    );
  });

  it('property: the order of reports does not matter', () => {
    fc.assert(
      fc.property(
        reportsArb.chain((reports) =>
          fc.tuple(fc.constant(reports), fc.shuffledSubarray(reports, { minLength: reports.length })),
        ),
        ([reports, shuffled]) => {
          expect(countIncidentEvents(shuffled)).toEqual(countIncidentEvents(reports));
        },
      ),
    );
  });

  it('property: superseding a report with an identical correction changes nothing', () => {
    fc.assert(
      fc.property(reportsArb, fc.nat(), (reports, pick) => {
        fc.pre(reports.length > 0);
        const target = reports[pick % reports.length]!;
        const fix = { ...target, id: 'fix', supersedes: target.id };
        expect(countIncidentEvents([...reports, fix])).toEqual(countIncidentEvents(reports));
      }),
    );
  });
});

describe('incidentCasualties', () => {
  const est = (low: number, best: number, high: number) => ({ low, best, high });

  it('sums a source’s reports and takes the largest across sources, per category', () => {
    const result = incidentCasualties([
      report('p1', 'impact', 1, { casualties: { civilian: est(1, 2, 3) } }),
      report('p1', 'impact', 1, { casualties: { civilian: est(0, 1, 1), military: est(1, 1, 1) } }),
      report('party', 'impact', 1, { casualties: { civilian: est(2, 2, 10) } }),
    ]);
    expect(result).toEqual({ civilian: est(2, 3, 10), military: est(1, 1, 1) });
  });

  it('ignores superseded reports and reports without casualties', () => {
    const wrong = report('p1', 'impact', 1, { casualties: { civilian: est(5, 5, 5) } });
    const fix = report('p1', 'impact', 1, { supersedes: wrong.id, casualties: { civilian: est(1, 1, 1) } });
    expect(incidentCasualties([wrong, fix, report('p2', 'shot', 2)])).toEqual({ civilian: est(1, 1, 1) });
    expect(incidentCasualties([report('p2', 'shot', 2)])).toEqual({});
  });

  it('property: keeps low <= best <= high and is no smaller than any one source', () => {
    const estimateArb = fc
      .tuple(fc.nat(20), fc.nat(20), fc.nat(20))
      .map(([a, b, c]) => [a, b, c].sort((x, y) => x - y) as [number, number, number])
      .map(([low, best, high]) => ({ low, best, high }));
    fc.assert(
      fc.property(
        fc.array(fc.record({ source: fc.constantFrom('a', 'b', 'c'), civilian: estimateArb }), {
          maxLength: 12,
        }),
        (rows) => {
          const reports = rows.map(
            (row, i): CountableReport => ({
              id: `c${i}`,
              source: { kind: 'patrol', id: row.source },
              type: 'impact',
              count: 1,
              casualties: { civilian: row.civilian },
            }),
          );
          const civilian = incidentCasualties(reports).civilian;
          if (rows.length === 0) {
            expect(civilian).toBeUndefined();
            return;
          }
          expect(civilian).toBeDefined();
          expect(civilian!.low).toBeLessThanOrEqual(civilian!.best);
          expect(civilian!.best).toBeLessThanOrEqual(civilian!.high);
          for (const row of rows) expect(civilian!.best).toBeGreaterThanOrEqual(row.civilian.best);
        },
      ),
    );
  });
});
