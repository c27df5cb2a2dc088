import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { highWaterMark, labelColumns, labelFromColumns } from '../access/labels.ts';
import { DEMO_SECTORS } from '../demo/front.ts';
import type { ReportTable } from '../kernel/store/schema.ts';
import { prepareGeography } from './enrich.ts';
import { countIncidentEvents } from './event-counts.ts';
import { figuresOf } from './incident-refresh.ts';
import { EVENT_TYPES, WEAPON_CLASSES } from './report-schema.ts';

// Figures read the sectors only; zones are assessed per report.
const geography = prepareGeography(
  [],
  DEMO_SECTORS.map((s) => ({ ...s, id: s.id! })),
);
const DAY = 86_400_000;
const START = Date.parse('2026-11-01T00:00:00.000Z');

/** Reports of one incident; only the columns figures read vary, the rest are as a stored row has them. */
const incidentRows = fc
  .array(
    fc.record({
      type: fc.constantFrom(...EVENT_TYPES.slice(0, 4)),
      weaponClass: fc.constantFrom(...WEAPON_CLASSES.slice(0, 3)),
      source: fc.constantFrom('patrol:p1', 'patrol:p2', 'sensor:s1'),
      count: fc.integer({ min: 1, max: 3 }),
      fromMin: fc.integer({ min: 0, max: (2 * DAY) / 60_000 }),
      minutes: fc.integer({ min: 0, max: 120 }),
      lon: fc.double({ min: 36, max: 38.5, noNaN: true }),
      lat: fc.double({ min: 47, max: 49, noNaN: true }),
      uncertaintyM: fc.integer({ min: 10, max: 5000 }),
      corrects: fc.option(fc.nat(), { nil: undefined }),
      violation: fc.boolean(),
      label: fc.constantFrom(
        { label_level: 1, label_releasable: ',COALITION,' },
        { label_level: 1, label_releasable: ',FRA,POL,' },
        { label_level: 2, label_releasable: ',POL,UKR,' },
        { label_level: 0, label_releasable: ',' },
      ),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((specs) =>
    specs.map((s, i): ReportTable => {
      const [kind, id] = s.source.split(':') as [string, string];
      const from = START + s.fromMin * 60_000;
      return {
        id: `r${i}`,
        source_kind: kind,
        source_id: id,
        type: s.type,
        weapon_class: s.weaponClass,
        count: s.count,
        observed_from: new Date(from).toISOString(),
        observed_to: new Date(from + s.minutes * 60_000).toISOString(),
        est_lon: s.lon,
        est_lat: s.lat,
        est_uncertainty_m: s.uncertaintyM,
        // A correction names an earlier report of the same incident.
        supersedes: s.corrects !== undefined && i > 0 ? `r${s.corrects % i}` : null,
        withdrawal_violation: s.violation ? '{"zone":"z"}' : null,
        ...s.label,
      } as ReportTable;
    }),
  );

describe('an incident’s figures', () => {
  it('follow from its reports: counts without double counting, the primary type, times, sources and label', () => {
    fc.assert(
      fc.property(incidentRows, fc.boolean(), (rows, withCentroid) => {
        const centroid = withCentroid
          ? { lon: 37, lat: 48, uncertaintyM: 120, firstObserved: START, lastObserved: START + 3 * DAY }
          : undefined;
        const f = figuresOf(rows, geography, centroid);
        const counts = countIncidentEvents(
          rows.map((r) => ({
            id: r.id,
            source: { kind: r.source_kind, id: r.source_id },
            type: r.type as (typeof EVENT_TYPES)[number],
            count: r.count,
            supersedes: r.supersedes,
          })),
        );
        expect(JSON.parse(f.counts)).toEqual(counts);
        const types = [...new Set(rows.map((r) => r.type))].sort();
        expect(JSON.parse(f.types)).toEqual(types);
        expect(JSON.parse(f.weapon_classes)).toEqual([...new Set(rows.map((r) => r.weapon_class))].sort());
        // The most events, then the most reports, then the first name.
        const reportsOf = (t: string) => rows.filter((r) => r.type === t).length;
        const eventsOf = (t: string) => (counts as Record<string, number>)[t] ?? 0;
        const expected = [...types].sort(
          (a, b) => eventsOf(b) - eventsOf(a) || reportsOf(b) - reportsOf(a) || (a < b ? -1 : 1),
        )[0];
        expect(f.primary_type).toBe(expected);
        expect(f.report_count).toBe(rows.length);
        expect(f.source_count).toBe(new Set(rows.map((r) => `${r.source_kind}:${r.source_id}`)).size);
        expect(f.weapon_violation).toBe(rows.some((r) => r.withdrawal_violation !== null) ? 1 : 0);
        const first = centroid
          ? new Date(centroid.firstObserved).toISOString()
          : rows.map((r) => r.observed_from).sort()[0];
        const last = centroid
          ? new Date(centroid.lastObserved).toISOString()
          : rows
              .map((r) => r.observed_to)
              .sort()
              .at(-1);
        expect([f.first_observed, f.last_observed]).toEqual([first, last]);
        expect(f.long_span).toBe(Date.parse(last!) - Date.parse(first!) > DAY ? 1 : 0);
        expect({ label_level: f.label_level, label_releasable: f.label_releasable }).toEqual(
          labelColumns(highWaterMark(rows.map(labelFromColumns))),
        );
        if (centroid) expect([f.lon, f.lat, f.uncertainty_m]).toEqual([37, 48, 120]);
      }),
    );
  });

  it('take the centre weighted by each report’s precision when correlation gives none', () => {
    const [a, b] = fc.sample(
      incidentRows.filter((r) => r.length >= 2),
      { numRuns: 1, seed: 7 },
    )[0]!;
    const rows = [
      { ...a!, est_lon: 37, est_lat: 48, est_uncertainty_m: 100 },
      { ...b!, est_lon: 37.1, est_lat: 48, est_uncertainty_m: 200 },
    ];
    const f = figuresOf(rows, geography);
    // Weights 1/100² and 1/200²: four fifths of the way to the sharper report.
    expect(f.lon).toBeCloseTo(37.02, 10);
    expect(f.uncertainty_m).toBeCloseTo(1 / Math.sqrt(1 / 100 ** 2 + 1 / 200 ** 2), 10);
    expect(f.oblast).toBe('UA-14');
    expect(f.sector_id).toBe('S-3');
  });
});
