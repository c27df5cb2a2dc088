import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CandidateWindow,
  type CorrelationOutcome,
  Correlator,
  candidateWindow,
  correlateAll,
  DEFAULT_CORRELATION_OPTIONS,
  type IncidentSummary,
  scoreLink,
  sortReports,
} from './correlate.ts';
import { M_PER_DEG } from './geo/geodesy.ts';
import type { EventType, WeaponClass } from './report-schema.ts';
import type { CorrelationReport } from './types.ts';

const BASE_LON = 37.8;
const BASE_LAT = 48.0;
const T0 = Date.UTC(2026, 2, 1, 10, 0);
const MIN = 60_000;

/** A place `east` and `north` km from a base point near Donetsk. */
function at(eastKm: number, northKm: number): { lon: number; lat: number } {
  return {
    lon: BASE_LON + (eastKm * 1000) / (M_PER_DEG * Math.cos((BASE_LAT * Math.PI) / 180)),
    lat: BASE_LAT + (northKm * 1000) / M_PER_DEG,
  };
}

function report(
  id: string,
  o: Partial<CorrelationReport> & { km?: [number, number]; min?: [number, number] } = {},
): CorrelationReport {
  const { km = [0, 0], min = [0, 1], ...rest } = o;
  return {
    id,
    type: 'explosion',
    weaponClass: 'undetermined',
    sourceKey: `patrol:${id}`,
    observedFrom: T0 + min[0] * MIN,
    observedTo: T0 + min[1] * MIN,
    ...at(km[0], km[1]),
    uncertaintyM: 1500,
    count: 1,
    ...rest,
  };
}

const incidentOf = (decisions: CorrelationOutcome[], reportId: string): string =>
  decisions.find((d) => d.link.reportId === reportId)!.incidentId;

describe('correlation scenarios', () => {
  it('three monitors hearing one explosion from different places form one incident', () => {
    const { decisions, incidents } = correlateAll([
      report('north-post', { km: [0.4, 1.1], min: [0, 1] }),
      report('east-post', { km: [1.2, -0.3], min: [0.5, 1.5], type: 'impact' }),
      report('south-post', { km: [-0.6, -0.9], min: [1, 2], weaponClass: 'mortar_120mm' }),
    ]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.reportIds).toEqual(['north-post', 'east-post', 'south-post']);
    expect(incidents[0]!.types).toEqual(['explosion', 'impact']);
    expect(decisions[0]!.created).toBe(true);
    expect(decisions[0]!.link).toMatchObject({ score: 1, reason: 'first report' });
    for (const d of decisions.slice(1)) {
      expect(d.created).toBe(false);
      expect(d.link.score).toBeGreaterThanOrEqual(0.5);
      expect(d.link.reason).toMatch(/km from incident centre \(combined uncertainty .+ km\); times overlap/);
    }
    expect(decisions[1]!.link.reason).toContain('impact compatible with explosion');
    // The centre lies among the three estimates and is more certain than any of them.
    expect(incidents[0]!.uncertaintyM).toBeLessThan(1500);
    expect(incidents[0]!.lon).toBeGreaterThan(at(-0.6, 0).lon);
    expect(incidents[0]!.lon).toBeLessThan(at(1.2, 0).lon);
  });

  it('keeps two explosions 30 km apart as two incidents', () => {
    const { incidents } = correlateAll([report('a', { km: [0, 0] }), report('b', { km: [30, 0] })]);
    expect(incidents.map((i) => i.reportIds)).toEqual([['a'], ['b']]);
  });

  it('merges the incidents a report bridges; the earlier one survives', () => {
    // The bridging report is submitted last, as a monitor's longer account often is.
    const c = new Correlator();
    c.add(report('early', { min: [0, 5] }));
    expect(c.add(report('late', { km: [0.3, 0.2], min: [20, 25] })).created).toBe(true);
    const bridge = c.add(report('bridge', { km: [0.1, 0.1], min: [4, 21] }));
    expect(bridge.incidentId).toBe('early');
    expect(bridge.merged).toEqual(['late']);
    expect(bridge.link.reason).toMatch(/also links late \(\d\.\d\d\): merged into early/);
    expect(c.incidents().map((i) => i.id)).toEqual(['early']);
    expect(c.incidents()[0]!.reportIds).toEqual(['early', 'late', 'bridge']);
    expect(bridge.incident).toMatchObject({ reportCount: 3, firstObserved: T0, lastObserved: T0 + 25 * MIN });
  });

  it('breaks a tie in first observation by the smaller id when merging', () => {
    const c = new Correlator();
    c.load([summary('zulu', { min: [0, 2] }), summary('alpha', { min: [0, 2], km: [0.2, 0] })]);
    const d = c.add(report('r', { km: [0.1, 0], min: [1, 2] }));
    expect(d).toMatchObject({ incidentId: 'alpha', merged: ['zulu'] });
  });

  it('does not merge two distinct events because one vague report lies between them', () => {
    const { incidents } = correlateAll([
      report('a', { km: [0, 0], uncertaintyM: 300 }),
      report('b', { km: [6, 0], uncertaintyM: 300 }),
      report('vague', { km: [3, 0], uncertaintyM: 5000, min: [0.5, 1] }),
    ]);
    expect(incidents).toHaveLength(2);
  });

  it.each<[EventType, EventType]>([
    ['explosion', 'uav_flight'],
    ['explosion', 'burst'],
    ['movement_restriction', 'shot'],
    ['weapon_sighting', 'explosion'],
  ])('keeps %s and %s at the same place apart', (a, b) => {
    const { incidents, decisions } = correlateAll([report('a', { type: a }), report('b', { type: b })]);
    expect(incidents).toHaveLength(2);
    expect(decisions[1]!.created).toBe(true);
  });

  it('keeps weapon sightings of different determined classes apart, but links an undetermined one', () => {
    const { decisions } = correlateAll([
      report('tank', { type: 'weapon_sighting', weaponClass: 'tank' }),
      report('mlrs', { type: 'weapon_sighting', weaponClass: 'mlrs', min: [0.2, 1] }),
      report('unknown', { type: 'weapon_sighting', min: [0.4, 1] }),
    ]);
    expect(incidentOf(decisions, 'mlrs')).toBe('mlrs');
    expect(incidentOf(decisions, 'unknown')).toBe('tank');
  });

  it('lets a flare join an exchange of fire but never bridge explosive fire and small arms', () => {
    const { decisions } = correlateAll([
      report('boom', { type: 'explosion', min: [0, 2] }),
      report('flare', { type: 'illumination_flare', min: [1, 2] }),
      report('burst', { type: 'burst', min: [1.5, 2] }),
    ]);
    expect(incidentOf(decisions, 'flare')).toBe('boom');
    expect(incidentOf(decisions, 'burst')).toBe('burst');
  });

  it('joins the pieces of a continuous exchange of fire within the tolerance, not beyond it', () => {
    const pieces = [
      [0, 5],
      [12, 20],
      [28, 35],
      [50, 55],
    ] as const;
    const { decisions } = correlateAll(
      pieces.map(([from, to], i) =>
        report(`p${i}`, { type: 'burst', min: [from, to], sourceKey: 'patrol:one' }),
      ),
    );
    expect(decisions.map((d) => d.incidentId)).toEqual(['p0', 'p0', 'p0', 'p3']);
    expect(decisions[1]!.link.reason).toContain(
      "starts 7 min after the incident's last report (tolerance 10 min)",
    );
    expect(decisions[3]!.link.reason).toBe('first report');
  });

  it('splits a whole day of fire in one place into incidents of at most the maximum duration', () => {
    const reports = Array.from({ length: 60 }, (_, i) => report(`r${i}`, { min: [i * 10, i * 10 + 8] }));
    const { incidents } = correlateAll(reports);
    expect(incidents.length).toBeGreaterThanOrEqual(2);
    for (const inc of incidents) {
      expect(inc.lastObserved - inc.firstObserved).toBeLessThanOrEqual(
        DEFAULT_CORRELATION_OPTIONS.maxIncidentDurationMs,
      );
    }
  });

  it('never merges a locked incident, though reports still join it', () => {
    const c = new Correlator();
    c.load([
      summary('split-a', { min: [0, 5], locked: true }),
      summary('split-b', { min: [20, 25], km: [0.2, 0] }),
    ]);
    const d = c.add(report('bridge', { km: [0.1, 0], min: [4, 21] }));
    expect(d.merged).toEqual([]);
    expect(c.incidents().map((i) => i.id)).toEqual(['split-a', 'split-b']);
    expect(c.incidents().find((i) => i.id === d.incidentId)!.reportIds).toContain('bridge');
  });

  it('starts its own incident for a report too vague to place, and says why', () => {
    const { decisions, incidents } = correlateAll([
      report('precise'),
      report('oblast-level', { uncertaintyM: 40_000, min: [0.5, 1] }),
      report('after', { min: [0.7, 1] }),
    ]);
    expect(decisions[1]!.link.reason).toBe(
      'first report; report too imprecise to correlate automatically (uncertainty 40.0 km, over 10.0 km)',
    );
    expect(incidentOf(decisions, 'after')).toBe('precise');
    expect(incidents).toHaveLength(2);
  });

  it('explains a near miss when a report starts an incident', () => {
    const { decisions } = correlateAll([
      report('a', { uncertaintyM: 500 }),
      report('b', { km: [1.8, 0], uncertaintyM: 500, min: [0.5, 1] }),
    ]);
    expect(decisions[1]!.created).toBe(true);
    expect(decisions[1]!.link.reason).toMatch(
      /^first report; closest incident a scored 0\.\d\d, under 0\.5: 1\.8 km/,
    );
  });

  it('weights the centre by precision and never claims less than 50 m uncertainty', () => {
    const c = new Correlator();
    c.add(report('vague', { km: [0, 0], uncertaintyM: 2000 }));
    const d = c.add(report('precise', { km: [0.5, 0], uncertaintyM: 200 }));
    expect(d.incident.lon).toBeCloseTo(at(0.5 * (1 - 1 / 101), 0).lon, 9);
    expect(d.incident.uncertaintyM).toBeCloseTo(1 / Math.sqrt(1 / 2000 ** 2 + 1 / 200 ** 2), 6);
    for (let i = 0; i < 30; i++)
      c.add(report(`exact-${i}`, { km: [0.5, 0], uncertaintyM: 10, min: [0.1, 1] }));
    expect(c.incidents()[0]!.uncertaintyM).toBe(50);
  });

  it('refuses a report it has already correlated, and a load that would repeat one', () => {
    const c = new Correlator();
    c.add(report('a'));
    expect(() => c.add(report('a'))).toThrow(/already correlated/);
    expect(() => c.load([summary('x', { reportIds: ['a'] })])).toThrow(/already correlated/);
    expect(c.incidents()).toHaveLength(1);
  });

  it('reads weapon classes of loaded incidents from their reports when the database does not keep them', () => {
    const c = new Correlator();
    const { weaponClasses: _, ...stored } = summary('s', {
      type: 'weapon_sighting',
      weaponClasses: ['tank'],
      reportIds: ['t'],
    });
    expect(() => c.load([stored])).toThrow(/give its weaponClasses or its report t/);
    c.load([stored], [report('t', { type: 'weapon_sighting', weaponClass: 'tank' })]);
    expect(c.add(report('m', { type: 'weapon_sighting', weaponClass: 'mlrs' })).created).toBe(true);
  });

  it('uses the id maker it is given for new incidents', () => {
    let n = 0;
    const c = new Correlator({}, () => `incident-${++n}`);
    expect(c.add(report('a')).incidentId).toBe('incident-1');
    expect(c.add(report('b', { km: [30, 0] })).incidentId).toBe('incident-2');
  });

  it('gives the same score for a join as scoreLink gives against the incident before it', () => {
    const c = new Correlator();
    const first = c.add(report('a'));
    const r = report('b', { km: [1, 0.5], min: [3, 4], weaponClass: 'mlrs' });
    const expected = scoreLink(r, first.incident);
    expect(c.add(r).link).toMatchObject({ score: expected.score, reason: expected.reason });
  });

  it('rejects bad options and reports', () => {
    expect(() => new Correlator({ linkThreshold: 0 })).toThrow(RangeError);
    expect(() => new Correlator({ mergeThreshold: 0.2 })).toThrow(/at least linkThreshold/);
    expect(() => new Correlator().add(report('x', { observedFrom: T0 + MIN, observedTo: T0 }))).toThrow(
      RangeError,
    );
    expect(() => new Correlator().add(report('x', { lat: Number.NaN }))).toThrow(RangeError);
  });
});

function summary(
  id: string,
  o: Partial<IncidentSummary> & { km?: [number, number]; min?: [number, number]; type?: EventType } = {},
): IncidentSummary {
  const { km = [0, 0], min = [0, 1], type = 'explosion', ...rest } = o;
  return {
    id,
    reportIds: [`${id}-report`],
    ...at(km[0], km[1]),
    uncertaintyM: 800,
    firstObserved: T0 + min[0] * MIN,
    lastObserved: T0 + min[1] * MIN,
    types: [type],
    weaponClasses: ['undetermined'],
    locked: false,
    ...rest,
  };
}

// A few events close together in place and time, each seen by several reports with noise like their
// uncertainty, plus the odd vague, long or off-type report: joins, near misses and merges all happen.
const FAMILIES: EventType[][] = [
  ['explosion', 'explosion', 'impact', 'projectile', 'illumination_flare'],
  ['burst', 'shot', 'illumination_flare'],
  ['weapon_sighting'],
  ['uav_flight'],
];
const CLASSES: WeaponClass[] = ['undetermined', 'undetermined', 'mlrs', 'tank'];
const arbEvent = fc.record({
  east: fc.double({ min: -3, max: 3, noNaN: true }),
  north: fc.double({ min: -3, max: 3, noNaN: true }),
  start: fc.integer({ min: 0, max: 120 }),
  family: fc.nat(FAMILIES.length - 1),
});
const arbSighting = fc.record({
  event: fc.nat(),
  dx: fc.double({ min: -2.5, max: 2.5, noNaN: true }),
  dy: fc.double({ min: -2.5, max: 2.5, noNaN: true }),
  uncertaintyM: fc.oneof(
    { arbitrary: fc.integer({ min: 30, max: 2000 }), weight: 12 },
    { arbitrary: fc.constant(15_000), weight: 1 },
  ),
  delay: fc.integer({ min: -15, max: 15 }),
  length: fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 30 }), weight: 8 },
    { arbitrary: fc.integer({ min: 0, max: 400 }), weight: 1 },
  ),
  pick: fc.nat(),
  offType: fc.boolean(),
  weaponClass: fc.constantFrom(...CLASSES),
});
const arbReports = fc
  .tuple(
    fc.array(arbEvent, { minLength: 1, maxLength: 4 }),
    fc.array(arbSighting, { minLength: 1, maxLength: 40 }),
  )
  .map(([events, sightings]) =>
    sightings.map((s, i) => {
      const e = events[s.event % events.length]!;
      const family = FAMILIES[s.offType && s.pick % 5 === 0 ? s.pick % FAMILIES.length : e.family]!;
      const noiseKm = Math.min(s.uncertaintyM, 2000) / 1000;
      return report(`r${String(i).padStart(2, '0')}`, {
        km: [e.east + s.dx * noiseKm, e.north + s.dy * noiseKm],
        min: [e.start + s.delay, e.start + s.delay + s.length],
        uncertaintyM: s.uncertaintyM,
        type: family[s.pick % family.length]!,
        weaponClass: s.weaponClass,
      });
    }),
  );

const inWindow = (s: IncidentSummary, w: CandidateWindow): boolean =>
  s.lastObserved >= w.fromMs &&
  s.firstObserved <= w.toMs &&
  s.lon >= w.minLon &&
  s.lon <= w.maxLon &&
  s.lat >= w.minLat &&
  s.lat <= w.maxLat;

describe('correlation properties', () => {
  it('puts every report in exactly one incident, and merged incidents are gone', () => {
    fc.assert(
      fc.property(arbReports, (reports) => {
        const { decisions, incidents } = correlateAll(reports);
        const members = incidents.flatMap((i) => i.reportIds);
        expect(members.sort()).toEqual(reports.map((r) => r.id).sort());
        const ids = new Set(incidents.map((i) => i.id));
        for (const d of decisions) {
          for (const m of d.merged) expect(ids.has(m)).toBe(false);
          expect(d.link.score).toBeGreaterThanOrEqual(0);
          expect(d.link.score).toBeLessThanOrEqual(1);
          expect(d.link.reason.length).toBeGreaterThan(0);
        }
        for (const i of incidents) {
          expect(i.uncertaintyM).toBeGreaterThanOrEqual(DEFAULT_CORRELATION_OPTIONS.uncertaintyFloorM);
        }
      }),
    );
  });

  it('gives the same result however the input array is ordered', () => {
    fc.assert(
      fc.property(
        arbReports.chain((rs) =>
          fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length })),
        ),
        ([reports, shuffled]) => {
          expect(correlateAll(shuffled)).toEqual(correlateAll(reports));
        },
      ),
    );
  });

  it('gives the same result for the same sequence, whatever the index cell size', () => {
    fc.assert(
      fc.property(arbReports, fc.integer(), (reports, seed) => {
        // Out of time order on purpose: the index must also serve reports that arrive late.
        const order = [...reports].sort(
          (a, b) => ((a.id.charCodeAt(2) * 31 + seed) % 7) - ((b.id.charCodeAt(2) * 31 + seed) % 7),
        );
        const run = (indexCellKm: number) => {
          const c = new Correlator({ indexCellKm });
          return { decisions: order.map((r) => c.add(r)), incidents: c.incidents() };
        };
        const reference = run(1000);
        expect(run(0.5)).toEqual(reference);
        expect(run(5)).toEqual(reference);
      }),
    );
  });

  it('decides as the full run does when seeded with only the candidate window', () => {
    fc.assert(
      fc.property(arbReports, fc.boolean(), (reports, sorted) => {
        const sequence = sorted ? sortReports(reports) : reports;
        const full = new Correlator();
        for (const r of sequence) {
          const before = full.incidents();
          const expected = full.add(r);
          const seeded = new Correlator();
          seeded.load(before.filter((s) => inWindow(s, candidateWindow(r))));
          expect(seeded.add(r)).toEqual(expected);
        }
      }),
    );
  });

  it('sorts by observation then id, and large batches the same way', () => {
    const big = Array.from({ length: 3000 }, (_, i) =>
      report(`id-${(i * 7919) % 3000}`, { min: [(i * 13) % 50, 60] }),
    );
    const bySort = [...big].sort((a, b) => a.observedFrom - b.observedFrom || (a.id < b.id ? -1 : 1));
    expect(sortReports(big).map((r) => r.id)).toEqual(bySort.map((r) => r.id));
  });
});

describe('candidateWindow', () => {
  it('covers an incident at the edge of reach and names the time span to load', () => {
    const r = report('r', { uncertaintyM: 1000, min: [30, 40] });
    const w = candidateWindow(r);
    expect(w.fromMs).toBe(T0 + 20 * MIN);
    expect(w.toMs).toBe(T0 + 50 * MIN);
    // The least precise linkable incident (10 km) can link from 3 x sqrt(1 + 100) km away.
    const reach = 3 * Math.sqrt(1 + 100) * 0.999;
    for (const [e, n] of [
      [reach, 0],
      [-reach, 0],
      [0, reach],
      [0, -reach],
    ] as const) {
      expect(inWindow({ ...summary('s', { km: [e, n], min: [35, 36] }) }, w)).toBe(true);
    }
  });
});
