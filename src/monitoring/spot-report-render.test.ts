import { describe, expect, it } from 'vitest';
import { fixtureDay, fixtureIncident, fixtureReport } from './daily-report.fixture.ts';
import { DEMO_NOTICE } from './daily-report-render.ts';
import { supersededIds } from './event-counts.ts';
import { spotHtml, spotReport } from './spot-report-render.ts';

const day = fixtureDay();
const byId = (id: string) => day.incidents.find((i) => i.id === id)!;
// inc-a holds a report whose correction was correlated into inc-d.
const superseded = supersededIds(day.incidents.flatMap((i) => i.reports));

describe('spotReport', () => {
  const incidentA = { ...byId('inc-a'), assessedAttribution: 'Party B' };
  const spot = spotReport(incidentA, {
    generatedAt: '2026-11-20T18:00:00Z',
    oblastNames: { 'UA-14': 'Donetsk' },
    superseded,
  });

  it('says what happened, counting each observer once', () => {
    expect(spot.what.counts).toEqual({ explosion: 8, burst: 2 });
    expect(spot.what.summary).toBe('8 explosions and about 2 bursts');
    expect(spot.what.casualties).toEqual({ civilian: { low: 1, best: 1, high: 2 } });
    expect(spot.what.means).toEqual(['heard', 'camera']);
  });

  it('leaves out a report corrected in another incident only when told of the correction', () => {
    expect(spotReport(incidentA).what.counts.explosion).toBe(58);
    expect(spot.reports).toEqual({ counted: 4, superseded: 1 });
  });

  it('leaves out a report corrected within the incident', () => {
    const wrong = fixtureReport({ type: 'explosion', count: 40 });
    const fixed = spotReport(
      fixtureIncident({
        id: 'x',
        reports: [wrong, fixtureReport({ type: 'explosion', count: 4, supersedes: wrong.id })],
      }),
    );
    expect(fixed.what.counts).toEqual({ explosion: 4 });
    expect(fixed.reports).toEqual({ counted: 1, superseded: 1 });
  });

  it('says where, rounded to 3 decimals with an honest radius', () => {
    expect(spot.where).toEqual({
      lon: 37.801,
      lat: 48.02,
      uncertaintyM: 250,
      oblast: 'UA-14',
      oblastName: 'Donetsk',
      sectorId: 'S-1',
      sectorName: 'North',
    });
    expect(spotReport(fixtureIncident({ id: 'y', uncertaintyM: 12 })).where.uncertaintyM).toBe(100);
    expect(spotReport(fixtureIncident({ id: 'y', uncertaintyM: 1234.5 })).where.uncertaintyM).toBe(1240);
  });

  it('names sources by kind and participant only', () => {
    expect(spot.sources).toEqual([
      { kind: 'camera', participant: 'FRA', sources: 1, reports: 1 },
      { kind: 'patrol', participant: 'OSCE', sources: 1, reports: 3 },
    ]);
    const json = JSON.stringify(spot);
    expect(json).not.toContain('patrol-7');
    expect(json).not.toContain('cam-12');
  });

  it('gives the verification status and the assessed attribution', () => {
    expect(spot.verification).toEqual({ status: 'verified', verified: true, assessedAttribution: 'Party B' });
    expect(spotReport(byId('inc-b')).verification).toEqual({
      status: 'under_investigation',
      verified: false,
      assessedAttribution: null,
    });
  });

  it('reports a weapon inside its withdrawal line with the nearest distance given', () => {
    const c = spotReport(byId('inc-c'));
    expect(c.what.withdrawalViolations).toEqual([
      { weaponClass: 'tank', zoneName: 'Tank withdrawal line', requiredKm: 15, actualKm: 11.9 },
    ]);
    expect(c.what.contactLineKm).toBe(11.9);
    expect(c.what.counts).toEqual({ weapon_sighting: 3 });
    expect(c.title).toBe('Spot report: weapon sightings reported on 2026-11-20');
  });
});

describe('spotHtml', () => {
  it('is a printable page with every text escaped', () => {
    const spot = spotReport({
      ...byId('inc-a'),
      sectorName: '<img src=x onerror=alert(1)>',
      assessedAttribution: '<script>alert(1)</script>',
    });
    const html = spotHtml(spot);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('@media print');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('58 explosions and about 2 bursts');
    expect(html).not.toContain('patrol-7');
  });

  it('marks demonstration data', () => {
    expect(spotHtml(spotReport(byId('inc-a'), { demo: true }))).toContain(DEMO_NOTICE);
    expect(spotHtml(spotReport(byId('inc-a')))).not.toContain(DEMO_NOTICE);
  });
});
