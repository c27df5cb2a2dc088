/**
 * The demonstration scenario loaded on first start: thirty days of illustrative monitoring along an
 * approximate line of contact, ending today, so every screen has something true-to-life to show.
 * Everything goes through the same services a real deployment uses. All of it is marked as
 * illustrative (`meta.demo = loaded`, and publications carry the notice).
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { COALITION, SYSTEM_READER } from '../access/labels.ts';
import { appendLeaves } from '../kernel/ledger/append.ts';
import { seeded } from '../kernel/seeded-random.ts';
import { signedPayload } from '../monitoring/devices/signature.ts';
import { destination, haversineM } from '../monitoring/geo/geodesy.ts';
import type { ImportItem } from '../monitoring/import/rows.ts';
import type { EventType, WeaponClass } from '../monitoring/report-schema.ts';
import type { MonitoringServices } from '../monitoring/routes.ts';
import { CONTACT_LINE, DEMO_SECTORS, DEMO_ZONES, nearTheLine } from './front.ts';

export const DEMO_PARTICIPANTS = [
  {
    code: 'USA',
    name: 'United States (monitoring lead, non-signatory)',
    kind: 'state',
    roles: ['monitoring_lead', 'non_signatory'],
  },
  { code: 'FRA', name: 'France', kind: 'state', roles: ['signatory'] },
  { code: 'GBR', name: 'United Kingdom', kind: 'state', roles: ['signatory', 'force_lead_nation'] },
  { code: 'DEU', name: 'Germany', kind: 'state', roles: ['signatory'] },
  { code: 'POL', name: 'Poland', kind: 'state', roles: ['signatory'] },
  { code: 'NLD', name: 'Netherlands', kind: 'state', roles: ['signatory'] },
  { code: 'CAN', name: 'Canada', kind: 'state', roles: ['signatory'] },
  { code: 'FIN', name: 'Finland', kind: 'state', roles: ['signatory'] },
  { code: 'UKR', name: 'Ukraine (host nation)', kind: 'state', roles: ['host_nation'] },
];

const TYPES: readonly (readonly [EventType, number])[] = [
  ['explosion', 34],
  ['burst', 18],
  ['shot', 9],
  ['projectile', 8],
  ['muzzle_flash', 5],
  ['illumination_flare', 5],
  ['impact', 5],
  ['uav_flight', 9],
  ['weapon_sighting', 4],
  ['movement_restriction', 3],
];

const MONITORS = ['USA', 'FRA', 'GBR', 'DEU', 'POL', 'NLD', 'CAN', 'FIN'];

function bearingDeg(from: [number, number], to: [number, number]): number {
  const [l1, p1, l2, p2] = [from[0], from[1], to[0], to[1]].map((d) => (d * Math.PI) / 180) as [
    number,
    number,
    number,
    number,
  ];
  const y = Math.sin(l2 - l1) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(l2 - l1);
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

export interface DemoEvent {
  at: number;
  place: [number, number];
  type: EventType;
  weaponClass: WeaponClass;
  count: number;
}

/** The world the demonstration monitors observe: fewer events as the ceasefire settles. */
export function demoEvents(now: number, days = 30, seed = 2026): DemoEvent[] {
  const rnd = seeded(seed);
  const today = Date.UTC(
    new Date(now).getUTCFullYear(),
    new Date(now).getUTCMonth(),
    new Date(now).getUTCDate(),
  );
  const events: DemoEvent[] = [];
  for (let d = days - 1; d >= 0; d--) {
    const dayStart = today - d * 86_400_000;
    const perDay = Math.max(2, Math.round(16 * (d / days) + rnd.between(0, 4)));
    for (let n = 0; n < perDay; n++) {
      const at = dayStart + rnd.between(0, 86_400_000);
      if (at > now - 2 * 3_600_000) continue;
      const type = rnd.weighted(TYPES);
      const position = rnd.next() * (CONTACT_LINE.length - 1);
      const sideKm = type === 'weapon_sighting' ? rnd.between(8, 45) : rnd.between(0.5, 6);
      const place = nearTheLine(position, rnd.next() < 0.5, sideKm * 1000);
      const weaponClass: WeaponClass =
        type === 'weapon_sighting'
          ? rnd.pick(['artillery_100mm_plus', 'mlrs', 'tank', 'mortar_120mm'] as const)
          : type === 'burst' || type === 'shot'
            ? rnd.pick(['small_arms', 'heavy_machine_gun'] as const)
            : type === 'explosion' || type === 'impact'
              ? rnd.pick([
                  'mortar_under_120mm',
                  'mortar_120mm',
                  'artillery_100mm_plus',
                  'undetermined',
                ] as const)
              : type === 'uav_flight'
                ? 'uav'
                : 'undetermined';
      const count = type === 'weapon_sighting' || type === 'movement_restriction' ? 1 : rnd.int(1, 25);
      events.push({ at, place: [place[0], place[1]], type, weaponClass, count });
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

/** What the sources say about the events: several observers each, with honest noise. */
export function demoReports(events: DemoEvent[], seed = 7): Record<string, unknown>[] {
  const rnd = seeded(seed);
  const reports: Record<string, unknown>[] = [];
  events.forEach((e, n) => {
    const observers = e.type === 'movement_restriction' ? 1 : rnd.int(1, 4);
    for (let o = 0; o < observers; o++) {
      const kind =
        e.type === 'movement_restriction'
          ? 'patrol'
          : rnd.weighted([
              ['patrol', 5],
              ['camera', 2],
              ['uav', 2],
              ['sensor', 2],
              ['party', 1],
            ] as const);
      const participant = kind === 'party' ? 'UKR' : rnd.pick(MONITORS);
      const sourceId =
        kind === 'patrol' ? `${participant}-patrol-${rnd.int(1, 6)}` : `${kind}-${rnd.int(1, 30)}`;
      const distM = kind === 'uav' ? rnd.between(300, 2000) : rnd.between(2500, 9000);
      const observer = destination(e.place[0], e.place[1], rnd.between(0, 360), distM);
      const start = e.at + rnd.between(-90_000, 90_000);
      const end = start + rnd.between(60_000, 15 * 60_000);
      const relative = kind === 'patrol' || kind === 'sensor';
      const trueDistKm = haversineM(observer[0], observer[1], e.place[0], e.place[1]) / 1000;
      const eventPlace = relative
        ? {
            bearingDeg: Math.round((bearingDeg(observer, e.place) + rnd.between(-6, 6) + 360) % 360),
            distanceKm: [
              Math.max(0, Math.round(trueDistKm * rnd.between(0.7, 0.95) * 10) / 10),
              Math.round(trueDistKm * rnd.between(1.05, 1.3) * 10) / 10,
            ],
          }
        : { lon: e.place[0] + rnd.between(-0.003, 0.003), lat: e.place[1] + rnd.between(-0.002, 0.002) };
      const report: Record<string, unknown> = {
        clientInstanceId: `demo-${n}-${o}`,
        source: { kind, id: sourceId, participant },
        observedFrom: new Date(start).toISOString(),
        observedTo: new Date(end).toISOString(),
        timePrecision: 'minute',
        observer: { lon: observer[0], lat: observer[1], accuracyM: kind === 'patrol' ? 30 : 10 },
        event: eventPlace,
        geoPrecision: relative ? 'near' : 'exact',
        type: e.type,
        weaponClass: e.weaponClass,
        count: Math.max(1, Math.round(e.count * rnd.between(0.6, 1.1))),
        countApproximate: e.count > 10,
        means:
          kind === 'patrol'
            ? rnd.pick(['heard', 'seen'] as const)
            : kind === 'sensor'
              ? 'acoustic'
              : kind === 'party'
                ? 'reported'
                : kind,
        notes:
          e.type === 'movement_restriction'
            ? 'Patrol stopped at a checkpoint and denied passage towards the line of contact (illustrative).'
            : `Illustrative demonstration report ${n}-${o}.`,
        lang: 'en',
      };
      // Labels by event, so an incident's reports mostly agree: three in five events are published as
      // they are reported, one in ten is held nationally, one in twenty is SECRET within the coalition
      // (so only accounts cleared to SECRET see it), the rest (and every party's claim) stays
      // RESTRICTED within the coalition.
      if (kind !== 'party' && n % 5 < 3) report.label = { classification: 'PUBLIC' };
      else if (kind !== 'party' && n % 10 === 9)
        report.label = { classification: 'CONFIDENTIAL', releasableTo: [participant] };
      else if (kind !== 'party' && n % 20 === 8)
        report.label = { classification: 'SECRET', releasableTo: [COALITION] };
      if (kind === 'party') report.claimedAttribution = 'RUS';
      if (e.type === 'impact' && rnd.next() < 0.2) {
        report.casualties = { civilian: { low: 0, best: 1, high: 2 } };
      }
      reports.push(report);
    }
  });
  return reports;
}

/**
 * Cameras, UAVs and sensors sign what they send: the demonstration enrols a key for each such source
 * and signs its reports, so the signature checks are visible from the first start.
 */
async function signMachineReports(
  s: MonitoringServices,
  rows: Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const keys = new Map<string, KeyObject>();
  for (const row of rows) {
    const source = row.source as { kind: string; id: string; participant: string };
    if (!['camera', 'uav', 'sensor'].includes(source.kind)) continue;
    const key = `${source.kind}:${source.id}`;
    let privateKey = keys.get(key);
    if (!privateKey) {
      const pair = generateKeyPairSync('ed25519');
      privateKey = pair.privateKey;
      keys.set(key, privateKey);
      await s.devices.enrol({
        sourceKind: source.kind as 'camera',
        sourceId: source.id,
        participant: source.participant,
        name: `Demonstration ${source.kind} ${source.id} (illustrative)`,
        publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64'),
      });
    }
    row.signature = { value: sign(null, signedPayload(row), privateKey).toString('base64') };
  }
  return rows;
}

export interface DemoSummary {
  reports: number;
  incidents: number;
  verified: number;
}

const ANALYST = 'demo analyst (illustrative)';

export async function loadDemoScenario(s: MonitoringServices, now = Date.now()): Promise<DemoSummary> {
  const at = new Date(now).toISOString();
  await s.store.transaction(async (trx) => {
    for (const p of DEMO_PARTICIPANTS) {
      await trx
        .insertInto('participants')
        .values({ ...p, roles: JSON.stringify(p.roles) })
        .execute();
    }
    await appendLeaves(
      trx,
      DEMO_PARTICIPANTS.map((p) => ({ kind: 'participant', recordId: p.code, content: p, at })),
    );
  });
  for (const sector of DEMO_SECTORS) await s.geography.saveSector(sector);
  for (const zone of DEMO_ZONES) await s.geography.saveZone(zone);

  const rows = await signMachineReports(s, demoReports(demoEvents(now)));
  const items: ImportItem[] = rows.map((value, i) => ({ line: i + 1, value }));
  async function* once() {
    yield items;
  }
  const summary = await s.reports.import(once(), { allOrNothing: true });
  if (summary.rejected > 0) {
    throw new Error(
      `the demonstration scenario has invalid reports: ${JSON.stringify(summary.errors.slice(0, 3))}`,
    );
  }

  // The secretariat has worked through the older incidents; the last two days are still new.
  const rnd = seeded(11);
  const cutoff = new Date(now - 2 * 86_400_000).toISOString();
  let verified = 0;
  let incidents = 0;
  let cursor: string | undefined;
  do {
    const page = await s.incidents.list({ limit: 500, ...(cursor ? { cursor } : {}) }, SYSTEM_READER);
    for (const incident of page.items) {
      incidents++;
      if (incident.firstObserved > cutoff || rnd.next() < 0.25) continue;
      await s.incidents.transition(
        incident.id,
        {
          to: 'triaged',
          reason: 'Reports consistent; queued for review',
          actor: ANALYST,
        },
        SYSTEM_READER,
      );
      const r = rnd.next();
      if (r < 0.55 && incident.sourceCount >= 2) {
        await s.incidents.transition(
          incident.id,
          {
            to: 'verified',
            reason: 'Corroborated by independent sources',
            actor: ANALYST,
            attribution: {
              party: rnd.next() < 0.7 ? 'RUS' : 'UKR',
              confidence: rnd.pick(['low', 'medium', 'high'] as const),
              basis: ['multi_observer_triangulation'],
            },
          },
          SYSTEM_READER,
        );
        verified++;
      } else if (r < 0.75) {
        await s.incidents.transition(
          incident.id,
          {
            to: 'under_investigation',
            reason: 'Single source; awaiting imagery',
            actor: ANALYST,
          },
          SYSTEM_READER,
        );
      } else if (r < 0.85) {
        await s.incidents.transition(
          incident.id,
          {
            to: 'unverifiable',
            reason: 'No corroboration available',
            actor: ANALYST,
          },
          SYSTEM_READER,
        );
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);

  await s.store.transaction((trx) =>
    trx.insertInto('meta').values({ key: 'demo', value: 'loaded' }).execute(),
  );
  return { reports: summary.accepted, incidents, verified };
}
