import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDailyReport } from './daily-report.ts';
import { summariseDays } from './daily-summary.ts';
import { INCIDENT_STATUSES } from './types.ts';

const incident = fc
  .record({
    status: fc.constantFrom(...INCIDENT_STATUSES),
    start: fc.integer({ min: Date.UTC(2026, 10, 1), max: Date.UTC(2026, 10, 12) }),
    lengthMs: fc.integer({ min: 0, max: 3 * 86_400_000 }),
  })
  .map(({ status, start, lengthMs }) => ({
    status,
    firstObserved: new Date(start).toISOString(),
    lastObserved: new Date(start + lengthMs).toISOString(),
  }));

describe('summariseDays', () => {
  it('agrees with the daily report on every day', () => {
    fc.assert(
      fc.property(fc.array(incident, { maxLength: 30 }), (incidents) => {
        const days = summariseDays('2026-11-03', '2026-11-10', incidents);
        expect(days.map((d) => d.date)).toEqual([
          '2026-11-03',
          '2026-11-04',
          '2026-11-05',
          '2026-11-06',
          '2026-11-07',
          '2026-11-08',
          '2026-11-09',
          '2026-11-10',
        ]);
        for (const day of days) {
          const report = buildDailyReport({
            date: day.date,
            generatedAt: '2026-11-20T00:00:00Z',
            sectors: [],
            incidents: incidents.map((i, n) => ({
              ...i,
              id: `i${n}`,
              lon: 37,
              lat: 48,
              uncertaintyM: 100,
              oblast: null,
              sectorId: null,
              sectorName: null,
              reports: [],
            })),
          });
          expect([day.incidents, day.newIncidents, day.verifiedIncidents]).toEqual([
            report.totals.incidents,
            report.totals.newIncidents,
            report.totals.verifiedIncidents,
          ]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
