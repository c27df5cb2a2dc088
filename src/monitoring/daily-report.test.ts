import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureDay, fixtureIncident, fixtureReport, NOTE_WITH_SCRIPT } from './daily-report.fixture.ts';
import { addDays, buildDailyReport, type DailyReport, utcDayOf, utcDayStart } from './daily-report.ts';
import { EVENT_TYPES } from './report-schema.ts';

function nonZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

describe('buildDailyReport', () => {
  const report = buildDailyReport(fixtureDay());

  it('gives the day’s totals without counting an observer twice or a corrected report at all', () => {
    expect(nonZero(report.totals.counts)).toEqual({
      explosion: 9,
      burst: 2,
      shot: 2,
      weapon_sighting: 3,
      movement_restriction: 1,
    });
    expect(report.totals).toMatchObject({
      incidents: 4,
      newIncidents: 3,
      verifiedIncidents: 1,
      weaponViolations: 1,
    });
    expect(report.totals.approximate).toEqual(['burst']);
    expect(report.totals.byStatus).toEqual({
      received: 1,
      triaged: 1,
      under_investigation: 1,
      verified: 1,
      unverifiable: 0,
    });
  });

  it('counts a report spanning midnight on the day its observation began only', () => {
    const s2 = report.sectors.find((s) => s.id === 'S-2')!;
    expect(nonZero(s2.counts)).toEqual({ shot: 2 });
    expect(s2).toMatchObject({ incidents: 1, newIncidents: 0 });
  });

  it('lists sectors by id then the unassigned, and oblasts by code then the unassigned', () => {
    expect(report.sectors.map((s) => [s.id, s.name])).toEqual([
      ['S-1', 'North'],
      ['S-2', 'South'],
      [null, 'Unassigned'],
    ]);
    expect(report.oblasts.map((s) => [s.id, s.name])).toEqual([
      ['UA-09', 'Luhansk'],
      ['UA-14', 'Donetsk'],
      [null, 'Unassigned'],
    ]);
    expect(nonZero(report.sectors[0]!.counts)).toEqual({ explosion: 9, burst: 2, movement_restriction: 1 });
  });

  it('shows a quiet sector with zeros and leaves out an empty unassigned line', () => {
    const quiet = buildDailyReport({ ...fixtureDay(), incidents: [] });
    expect(quiet.sectors.map((s) => s.id)).toEqual(['S-1', 'S-2']);
    expect(quiet.sectors.every((s) => Object.values(s.counts).every((n) => n === 0))).toBe(true);
    expect(quiet.oblasts).toEqual([]);
  });

  it('keeps rejected and duplicate incidents out of the figures but counts them apart', () => {
    expect(report.excluded).toEqual({ rejected: 1, duplicate: 1, total: 2 });
  });

  it('lists weapons in violation of withdrawal lines once per incident, class and line', () => {
    expect(report.weaponViolations).toEqual([
      {
        incidentId: 'inc-c',
        status: 'received',
        weaponClass: 'tank',
        count: 3,
        zoneId: 'wl-tank',
        zoneName: 'Tank withdrawal line',
        requiredKm: 15,
        actualKm: 11.9,
        observedAt: '2026-11-20T12:00:00Z',
        place: {
          lon: 37.801,
          lat: 48.02,
          uncertaintyM: 250,
          oblast: null,
          oblastName: null,
          sectorId: null,
          sectorName: null,
        },
      },
    ]);
  });

  it('lists restrictions of movement with the reporting participant, never the source id', () => {
    expect(report.movementRestrictions).toHaveLength(1);
    const m = report.movementRestrictions[0]!;
    expect(m).toMatchObject({
      incidentId: 'inc-d',
      source: { kind: 'patrol', participant: 'OSCE' },
      notes: NOTE_WITH_SCRIPT,
      observedFrom: '2026-11-20T08:00:00Z',
    });
    expect(JSON.stringify(m)).not.toContain('patrol-7');
  });

  it('adds up casualties across incidents', () => {
    expect(report.totals.casualties).toEqual({
      civilian: { low: 1, best: 1, high: 2 },
      military: { low: 0, best: 1, high: 1 },
      unknown: { low: 0, best: 0, high: 0 },
    });
  });

  it('ignores an incident that does not touch the day', () => {
    const input = fixtureDay();
    input.incidents.push(
      fixtureIncident({
        id: 'inc-old',
        firstObserved: '2026-11-18T10:00:00Z',
        lastObserved: '2026-11-19T10:00:00Z',
        reports: [fixtureReport({ type: 'explosion', count: 7, observedFrom: '2026-11-18T10:00:00Z' })],
      }),
    );
    expect(buildDailyReport(input)).toEqual(report);
  });

  it('marks demonstration data and states the half-open period', () => {
    const demo = buildDailyReport({ ...fixtureDay(), demo: true });
    expect(demo.demo).toBe(true);
    expect(report.demo).toBe(false);
    expect([report.periodStart, report.periodEnd]).toEqual([
      '2026-11-20T00:00:00.000Z',
      '2026-11-21T00:00:00.000Z',
    ]);
  });

  it('refuses a date that is not a real day', () => {
    expect(() => buildDailyReport({ ...fixtureDay(), date: '2026-02-30' })).toThrow(RangeError);
    expect(() => buildDailyReport({ ...fixtureDay(), date: '20.11.2026' })).toThrow(RangeError);
  });

  const sumCounts = (scopes: DailyReport['sectors']) =>
    Object.fromEntries(EVENT_TYPES.map((t) => [t, scopes.reduce((s, x) => s + x.counts[t], 0)]));

  it('property: sectors and oblasts each add up to the day, whatever the order of incidents', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(fixtureDay().incidents), (incidents) => {
        const r = buildDailyReport({ ...fixtureDay(), incidents });
        expect(sumCounts(r.sectors)).toEqual(r.totals.counts);
        expect(sumCounts(r.oblasts)).toEqual(r.totals.counts);
        expect(r.sectors.reduce((s, x) => s + x.incidents, 0)).toBe(r.totals.incidents);
        const reversed = buildDailyReport({ ...fixtureDay(), incidents: [...incidents].reverse() });
        expect(reversed).toEqual(r);
      }),
      { numRuns: 50 },
    );
  });

  it('property: adding a rejected incident changes nothing but the excluded line', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('rejected' as const, 'duplicate' as const),
        fc.integer({ min: 1, max: 500 }),
        (status, count) => {
          const input = fixtureDay();
          input.incidents.push(
            fixtureIncident({ id: 'extra', status, reports: [fixtureReport({ type: 'explosion', count })] }),
          );
          const r = buildDailyReport(input);
          expect({ ...r, excluded: report.excluded }).toEqual(report);
          expect(r.excluded.total).toBe(report.excluded.total + 1);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('day helpers', () => {
  it('takes the UTC day of a time with any offset', () => {
    expect(utcDayOf('2026-11-20T01:30:00+03:00')).toBe('2026-11-19');
    expect(utcDayOf('2026-11-20T23:30:00-02:00')).toBe('2026-11-21');
  });

  it('steps over month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(utcDayStart('2026-11-20')).toBe(Date.UTC(2026, 10, 20));
  });
});
