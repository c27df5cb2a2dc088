import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ComplianceIncident,
  complianceByDay,
  determineReliableCeasefire,
  reliableCeasefireRuleSchema,
} from './compliance.ts';
import { addDays } from './daily-report.ts';
import { INCIDENT_STATUSES } from './types.ts';

const SECTORS = [
  { id: 'S-2', name: 'South' },
  { id: 'S-1', name: 'North' },
];

let seq = 0;
function incident(
  over: Partial<ComplianceIncident> & Pick<ComplianceIncident, 'firstObserved'>,
): ComplianceIncident {
  seq += 1;
  return { id: `i${seq}`, status: 'verified', sectorId: 'S-1', weaponViolation: false, ...over };
}

function repeat(n: number, make: () => ComplianceIncident): ComplianceIncident[] {
  return Array.from({ length: n }, make);
}

describe('complianceByDay', () => {
  const days = complianceByDay({
    from: '2026-11-19',
    to: '2026-11-20',
    sectors: SECTORS,
    incidents: [
      incident({ firstObserved: '2026-11-20T10:00:00Z', counts: { explosion: 4 } }),
      incident({
        firstObserved: '2026-11-20T11:00:00Z',
        weaponViolation: true,
        counts: { explosion: 1, shot: 2 },
      }),
      incident({ firstObserved: '2026-11-20T01:00:00+03:00', status: 'triaged', sectorId: 'S-2' }),
      incident({
        firstObserved: '2026-11-20T12:00:00Z',
        status: 'under_investigation',
        sectorId: 'S-2',
        weaponViolation: true,
      }),
      incident({
        firstObserved: '2026-11-20T12:00:00Z',
        status: 'rejected',
        sectorId: 'S-2',
        counts: { shot: 9 },
      }),
      incident({ firstObserved: '2026-11-20T12:00:00Z', status: 'duplicate', weaponViolation: true }),
      incident({ firstObserved: '2026-11-20T12:00:00Z', status: 'unverifiable', counts: { burst: 1 } }),
      incident({ firstObserved: '2026-11-21T00:00:00Z' }),
    ],
  });

  it('has a row for every day and sector, sectors by id', () => {
    expect(days.map((d) => `${d.date} ${d.sectorId}`)).toEqual([
      '2026-11-19 S-1',
      '2026-11-19 S-2',
      '2026-11-20 S-1',
      '2026-11-20 S-2',
    ]);
  });

  it('puts an incident on the UTC day it was first observed', () => {
    const s2 = days.filter((d) => d.sectorId === 'S-2');
    expect(s2.map((d) => d.unverified)).toEqual([1, 1]);
  });

  it('counts verified and unverified violations apart, and never rejected, duplicate or unverifiable ones', () => {
    const s1 = days.find((d) => d.date === '2026-11-20' && d.sectorId === 'S-1')!;
    expect(s1).toMatchObject({
      verified: 2,
      unverified: 0,
      weaponViolations: 1,
      unverifiedWeaponViolations: 0,
    });
    expect(s1.events).toEqual({ explosion: 5, shot: 2, burst: 1 });
    const s2 = days.find((d) => d.date === '2026-11-20' && d.sectorId === 'S-2')!;
    expect(s2).toMatchObject({
      verified: 0,
      unverified: 1,
      weaponViolations: 0,
      unverifiedWeaponViolations: 1,
    });
    expect(s2.events).toEqual({});
  });

  it('grades each sector-day held, strained or broken by the rule', () => {
    expect(days.map((d) => d.level)).toEqual(['held', 'held', 'broken', 'held']);
    const lenient = complianceByDay({
      from: '2026-11-20',
      to: '2026-11-20',
      sectors: SECTORS,
      incidents: [incident({ firstObserved: '2026-11-20T10:00:00Z' })],
    });
    expect(lenient.map((d) => d.level)).toEqual(['strained', 'held']);
    const cautious = complianceByDay({
      from: '2026-11-20',
      to: '2026-11-20',
      sectors: SECTORS,
      rule: { countUnverified: true, maxVerifiedPerSectorDay: 0 },
      incidents: [incident({ firstObserved: '2026-11-20T10:00:00Z', status: 'received', sectorId: 'S-2' })],
    });
    expect(cautious.map((d) => d.level)).toEqual(['held', 'broken']);
  });

  it('keeps incidents of an unlisted sector or of no sector in rows of their own', () => {
    const rows = complianceByDay({
      from: '2026-11-20',
      to: '2026-11-20',
      sectors: SECTORS,
      incidents: [
        incident({ firstObserved: '2026-11-20T10:00:00Z', sectorId: null }),
        incident({ firstObserved: '2026-11-20T10:00:00Z', sectorId: 'S-10' }),
      ],
    });
    expect(rows.map((r) => [r.sectorId, r.sectorName, r.verified])).toEqual([
      ['S-1', 'North', 0],
      ['S-10', 'S-10', 1],
      ['S-2', 'South', 0],
      [null, 'Unassigned', 1],
    ]);
  });

  it('refuses a range that ends before it starts', () => {
    expect(() =>
      complianceByDay({ from: '2026-11-20', to: '2026-11-19', sectors: SECTORS, incidents: [] }),
    ).toThrow(RangeError);
  });
});

describe('reliableCeasefireRuleSchema', () => {
  it('fills in the defaults and refuses unknown fields', () => {
    expect(reliableCeasefireRuleSchema.parse({})).toEqual({
      consecutiveDays: 14,
      maxVerifiedPerSectorDay: 2,
      maxWeaponViolationsPerSectorDay: 0,
      countUnverified: false,
    });
    expect(reliableCeasefireRuleSchema.safeParse({ consecutiveDays: 0 }).success).toBe(false);
    expect(reliableCeasefireRuleSchema.safeParse({ days: 3 }).success).toBe(false);
  });
});

describe('determineReliableCeasefire', () => {
  const asOf = '2026-11-20';

  it('names the sector and day that broke the streak', () => {
    const sectorDays = complianceByDay({
      from: '2026-11-01',
      to: asOf,
      sectors: SECTORS,
      incidents: repeat(5, () => incident({ firstObserved: '2026-11-20T09:00:00Z', sectorId: 'S-2' })),
    });
    const d = determineReliableCeasefire({}, sectorDays, asOf);
    expect(d.reliable).toBe(false);
    expect(d.reason).toBe(
      'Not reliable: sector S-2 had 5 verified violations on 2026-11-20 (max 2). The ceasefire has held for 0 days of the 14 required.',
    );
    expect(d.brokenOn).toBe('2026-11-20');
    expect(d.since).toBeUndefined();
    expect(d.evidence.filter((e) => !e.within)).toEqual([
      { date: '2026-11-20', sectorId: 'S-2', verified: 5, weaponViolations: 0, within: false },
    ]);
    expect(d.evidence).toHaveLength(14 * 2);
  });

  it('is reliable after the required clean days, and says since when', () => {
    const sectorDays = complianceByDay({
      from: '2026-11-01',
      to: asOf,
      sectors: SECTORS,
      incidents: [
        incident({ firstObserved: '2026-11-03T09:00:00Z', weaponViolation: true }),
        incident({ firstObserved: '2026-11-10T09:00:00Z' }),
        incident({ firstObserved: '2026-11-10T09:00:00Z' }),
      ],
    });
    const d = determineReliableCeasefire({}, sectorDays, asOf);
    expect(d).toMatchObject({ reliable: true, streakDays: 17, since: '2026-11-04' });
    expect(d.reason).toBe(
      'Reliable: every sector stayed within the limits (at most 2 verified violations and 0 weapon violations per sector and day) for 17 consecutive days, from 2026-11-04 to 2026-11-20 (14 required).',
    );
    expect(d.evidence.every((e) => e.within)).toBe(true);
  });

  it('reports a weapon violation, and both limits when both are passed', () => {
    const sectorDays = complianceByDay({
      from: '2026-11-18',
      to: asOf,
      sectors: SECTORS,
      incidents: [
        incident({ firstObserved: '2026-11-19T09:00:00Z', weaponViolation: true }),
        ...repeat(3, () =>
          incident({ firstObserved: '2026-11-19T09:00:00Z', sectorId: 'S-2', weaponViolation: true }),
        ),
      ],
    });
    const d = determineReliableCeasefire({ consecutiveDays: 3 }, sectorDays, asOf);
    expect(d.reason).toBe(
      'Not reliable: sector S-1 had 1 weapon violation on 2026-11-19 (max 0), and 1 other sector was over the limits that day. The ceasefire has held for 1 day of the 3 required.',
    );
    const onlyS2 = determineReliableCeasefire(
      { consecutiveDays: 3 },
      sectorDays.filter((s) => s.sectorId === 'S-2'),
      asOf,
    );
    expect(onlyS2.reason).toContain(
      'sector S-2 had 3 verified violations (max 2) and 3 weapon violations (max 0) on 2026-11-19',
    );
  });

  it('does not take a day without figures as a day the ceasefire held', () => {
    const sectorDays = complianceByDay({ from: '2026-11-10', to: asOf, sectors: SECTORS, incidents: [] });
    const d = determineReliableCeasefire({}, sectorDays, asOf);
    expect(d).toMatchObject({ reliable: false, streakDays: 11, since: '2026-11-10', brokenOn: '2026-11-09' });
    expect(d.reason).toBe(
      'Not reliable: there are no compliance figures for 2026-11-09. The ceasefire has held for 11 days of the 14 required.',
    );
  });

  it('counts unverified incidents only when the rule says so', () => {
    const sectorDays = complianceByDay({
      from: '2026-11-01',
      to: asOf,
      sectors: SECTORS,
      incidents: repeat(3, () => incident({ firstObserved: '2026-11-15T09:00:00Z', status: 'received' })),
    });
    expect(determineReliableCeasefire({}, sectorDays, asOf).reliable).toBe(true);
    const cautious = determineReliableCeasefire({ countUnverified: true }, sectorDays, asOf);
    expect(cautious.reliable).toBe(false);
    expect(cautious.reason).toContain(
      'sector S-1 had 3 verified or unverified violations on 2026-11-15 (max 2)',
    );
  });

  const ruleArb = fc.record({
    consecutiveDays: fc.integer({ min: 1, max: 10 }),
    maxVerifiedPerSectorDay: fc.integer({ min: 0, max: 3 }),
    maxWeaponViolationsPerSectorDay: fc.integer({ min: 0, max: 1 }),
    countUnverified: fc.boolean(),
  });
  const incidentArb = fc.record({
    day: fc.integer({ min: 0, max: 11 }),
    sectorId: fc.constantFrom('S-1', 'S-2', null),
    status: fc.constantFrom(...INCIDENT_STATUSES),
    weaponViolation: fc.boolean(),
  });
  const from = '2026-11-09';
  const toIncident = (x: {
    day: number;
    sectorId: string | null;
    status: (typeof INCIDENT_STATUSES)[number];
    weaponViolation: boolean;
  }) =>
    incident({
      firstObserved: `${addDays(from, x.day)}T12:00:00Z`,
      sectorId: x.sectorId,
      status: x.status,
      weaponViolation: x.weaponViolation,
    });

  it('property: adding a violation never makes an unreliable determination reliable', () => {
    fc.assert(
      fc.property(ruleArb, fc.array(incidentArb, { maxLength: 30 }), incidentArb, (rule, xs, extra) => {
        const base = xs.map(toIncident);
        const before = determineReliableCeasefire(
          rule,
          complianceByDay({ from, to: asOf, sectors: SECTORS, incidents: base }),
          asOf,
        );
        const after = determineReliableCeasefire(
          rule,
          complianceByDay({ from, to: asOf, sectors: SECTORS, incidents: [...base, toIncident(extra)] }),
          asOf,
        );
        if (!before.reliable) expect(after.reliable).toBe(false);
        expect(after.streakDays).toBeLessThanOrEqual(before.streakDays);
      }),
      { numRuns: 150 },
    );
  });

  it('property: a clean period of exactly N days is reliable and one of N - 1 days is not', () => {
    fc.assert(
      fc.property(ruleArb, fc.constantFrom('S-1', 'S-2', null), (rule, sectorId) => {
        const n = rule.consecutiveDays;
        // Enough violations to break any rule, on the day before the clean period.
        const breakOn = (date: string) =>
          repeat(rule.maxVerifiedPerSectorDay + 1, () =>
            incident({ firstObserved: `${date}T12:00:00Z`, sectorId, weaponViolation: true }),
          );
        const run = (cleanDays: number) =>
          determineReliableCeasefire(
            rule,
            complianceByDay({
              from: addDays(asOf, -20),
              to: asOf,
              sectors: SECTORS,
              incidents: breakOn(addDays(asOf, -cleanDays)),
            }),
            asOf,
          );
        const exactly = run(n);
        expect(exactly).toMatchObject({ reliable: true, streakDays: n, since: addDays(asOf, -(n - 1)) });
        const short = run(n - 1);
        expect(short).toMatchObject({
          reliable: false,
          streakDays: n - 1,
          brokenOn: addDays(asOf, -(n - 1)),
        });
        expect(
          short.evidence.some((e) => !e.within && e.date === short.brokenOn && e.sectorId === sectorId),
        ).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
