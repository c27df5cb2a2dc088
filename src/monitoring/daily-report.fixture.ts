/** Test data for the publication tests: one UTC day, 2026-11-20, in two sectors. Not used by the app. */
import type { DailyIncidentInput, DailyReportInput, IncidentReport } from './daily-report.ts';

let seq = 0;

export function fixtureReport(over: Partial<IncidentReport> & Pick<IncidentReport, 'type'>): IncidentReport {
  seq += 1;
  return {
    id: `rep-${String(seq).padStart(4, '0')}`,
    source: { kind: 'patrol', id: 'patrol-7', participant: 'OSCE' },
    weaponClass: 'undetermined',
    count: 1,
    countApproximate: false,
    means: 'heard',
    observedFrom: '2026-11-20T10:00:00Z',
    observedTo: '2026-11-20T10:05:00Z',
    ...over,
  };
}

export function fixtureIncident(
  over: Partial<DailyIncidentInput> & Pick<DailyIncidentInput, 'id'>,
): DailyIncidentInput {
  return {
    status: 'verified',
    firstObserved: '2026-11-20T10:00:00Z',
    lastObserved: '2026-11-20T10:05:00Z',
    lon: 37.80123,
    lat: 48.01987,
    uncertaintyM: 250,
    oblast: 'UA-14',
    sectorId: 'S-1',
    sectorName: 'North',
    reports: [],
    ...over,
  };
}

export const SECTORS = [
  { id: 'S-2', name: 'South' },
  { id: 'S-1', name: 'North' },
];

export const NOTE_WITH_SCRIPT = 'Stopped at checkpoint <script>alert("x")</script> & turned back';

/** A day with corrections, several observers, excluded incidents and an unplaced weapon sighting. */
export function fixtureDay(): DailyReportInput {
  const wrong = fixtureReport({ type: 'explosion', count: 50 });
  return {
    date: '2026-11-20',
    generatedAt: '2026-11-21T06:00:00Z',
    sectors: SECTORS,
    oblastNames: { 'UA-14': 'Donetsk', 'UA-09': 'Luhansk' },
    incidents: [
      fixtureIncident({
        id: 'inc-a',
        reports: [
          wrong,
          fixtureReport({ type: 'explosion', count: 5 }),
          fixtureReport({ type: 'explosion', count: 3 }),
          fixtureReport({
            type: 'explosion',
            count: 6,
            means: 'camera',
            source: { kind: 'camera', id: 'cam-12', participant: 'FRA' },
          }),
          fixtureReport({
            type: 'burst',
            count: 2,
            countApproximate: true,
            casualties: { civilian: { low: 1, best: 1, high: 2 } },
          }),
        ],
      }),
      fixtureIncident({
        id: 'inc-b',
        status: 'under_investigation',
        sectorId: 'S-2',
        sectorName: 'South',
        oblast: 'UA-09',
        firstObserved: '2026-11-19T23:00:00Z',
        lastObserved: '2026-11-20T01:00:00Z',
        reports: [
          fixtureReport({
            type: 'shot',
            count: 4,
            observedFrom: '2026-11-19T23:00:00Z',
            observedTo: '2026-11-19T23:10:00Z',
          }),
          fixtureReport({
            type: 'shot',
            count: 2,
            observedFrom: '2026-11-20T01:00:00Z',
            observedTo: '2026-11-20T01:00:00Z',
            casualties: { military: { low: 0, best: 1, high: 1 } },
          }),
        ],
      }),
      fixtureIncident({
        id: 'inc-rejected',
        status: 'rejected',
        reports: [fixtureReport({ type: 'explosion', count: 99 })],
      }),
      fixtureIncident({
        id: 'inc-dup',
        status: 'duplicate',
        reports: [fixtureReport({ type: 'explosion', count: 99 })],
      }),
      fixtureIncident({
        id: 'inc-c',
        status: 'received',
        sectorId: null,
        sectorName: null,
        oblast: null,
        firstObserved: '2026-11-20T14:00:00+02:00',
        lastObserved: '2026-11-20T12:30:00Z',
        reports: [
          fixtureReport({
            type: 'weapon_sighting',
            weaponClass: 'tank',
            count: 3,
            means: 'seen',
            observedFrom: '2026-11-20T12:00:00Z',
            zone: {
              contactLineKm: 12.4,
              inBufferZone: false,
              zoneIds: [],
              withdrawalViolation: {
                zoneId: 'wl-tank',
                zoneName: 'Tank withdrawal line',
                weaponClass: 'tank',
                requiredKm: 15,
                actualKm: 12.4,
              },
            },
          }),
          fixtureReport({
            type: 'weapon_sighting',
            weaponClass: 'tank',
            count: 2,
            means: 'uav',
            source: { kind: 'uav', id: 'uav-3', participant: 'GBR' },
            observedFrom: '2026-11-20T12:30:00Z',
            zone: {
              contactLineKm: 11.9,
              inBufferZone: false,
              zoneIds: [],
              withdrawalViolation: {
                zoneId: 'wl-tank',
                zoneName: 'Tank withdrawal line',
                weaponClass: 'tank',
                requiredKm: 15,
                actualKm: 11.9,
              },
            },
          }),
        ],
      }),
      fixtureIncident({
        id: 'inc-d',
        status: 'triaged',
        firstObserved: '2026-11-20T08:00:00Z',
        lastObserved: '2026-11-20T08:30:00Z',
        reports: [
          fixtureReport({
            type: 'movement_restriction',
            observedFrom: '2026-11-20T08:00:00Z',
            observedTo: '2026-11-20T08:30:00Z',
            notes: NOTE_WITH_SCRIPT,
          }),
          // The correction of inc-a's wrong report was correlated here.
          fixtureReport({ type: 'explosion', count: 1, supersedes: wrong.id }),
        ],
      }),
    ],
  };
}
