/**
 * Correlation benchmark: many monitors observing the same events with noise, over 30 days along a front of
 * about 1000 km, with hotspots and continuous exchanges of fire reported in pieces. The data are generated
 * from a seed, so every run correlates the same reports.
 */

import { seeded } from '../src/kernel/seeded-random.ts';
import { correlateAll } from '../src/monitoring/correlate.ts';
import type { EventType, WeaponClass } from '../src/monitoring/report-schema.ts';
import type { CorrelationReport } from '../src/monitoring/types.ts';

/** Roughly the contact line from the Dnipro to the Kharkiv border, lon/lat. */
const FRONT: readonly [number, number][] = [
  [32.5, 46.6],
  [33.6, 46.8],
  [35.0, 47.4],
  [36.2, 47.7],
  [37.4, 47.8],
  [37.8, 48.1],
  [38.0, 48.6],
  [38.3, 49.0],
  [37.9, 49.5],
  [37.6, 49.9],
  [36.8, 50.3],
  [35.6, 50.4],
  [34.4, 51.2],
];
const M_PER_DEG = 111_195;
const DAYS = 30;
const T0 = Date.UTC(2026, 2, 1);

const TYPE_WEIGHTS: readonly [EventType, number][] = [
  ['explosion', 35],
  ['burst', 18],
  ['shot', 8],
  ['impact', 5],
  ['projectile', 5],
  ['muzzle_flash', 4],
  ['illumination_flare', 5],
  ['uav_flight', 11],
  ['weapon_sighting', 6],
  ['movement_restriction', 3],
];
const EXPLOSIVE_CLASSES: readonly WeaponClass[] = ['mortar_120mm', 'artillery_100mm_plus', 'mlrs', 'tank'];
const SMALL_ARMS_CLASSES: readonly WeaponClass[] = ['small_arms', 'heavy_machine_gun', 'grenade_launcher'];
const SIGHTED_CLASSES: readonly WeaponClass[] = ['tank', 'artillery_100mm_plus', 'mlrs', 'air_defence'];

/**
 * A UUID-shaped id, flat in memory as ids read from JSON or a database are (a freshly concatenated
 * string is a rope that every hash lookup would first have to flatten).
 */
function reportId(i: number): string {
  const id = `01960000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
  id.charCodeAt(0);
  return id;
}

/** Deterministic synthetic reports; the same (n, seed) always gives the same array. */
export function syntheticReports(n: number, seed = 1): CorrelationReport[] {
  const rand = seeded(seed).next;
  const gauss = (): number => {
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const totalWeight = TYPE_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const pickType = (): EventType => {
    let x = rand() * totalWeight;
    for (const [t, w] of TYPE_WEIGHTS) {
      x -= w;
      if (x < 0) return t;
    }
    return 'explosion';
  };
  const cumKm = [0];
  for (let i = 1; i < FRONT.length; i++) {
    const [aLon, aLat] = FRONT[i - 1]!;
    const [bLon, bLat] = FRONT[i]!;
    const dx = (bLon - aLon) * Math.cos((((aLat + bLat) / 2) * Math.PI) / 180);
    cumKm.push(cumKm[i - 1]! + (Math.hypot(dx, bLat - aLat) * M_PER_DEG) / 1000);
  }
  const frontKm = cumKm[cumKm.length - 1]!;
  const onFront = (km: number): [number, number] => {
    let i = 1;
    while (i < cumKm.length - 1 && cumKm[i]! < km) i++;
    const t = (km - cumKm[i - 1]!) / (cumKm[i]! - cumKm[i - 1]!);
    const [aLon, aLat] = FRONT[i - 1]!;
    const [bLon, bLat] = FRONT[i]!;
    return [aLon + t * (bLon - aLon), aLat + t * (bLat - aLat)];
  };
  const hotspots = Array.from({ length: 25 }, () => onFront(rand() * frontKm));
  const offset = (lon: number, lat: number, sigmaM: number): [number, number] => [
    lon + (gauss() * sigmaM) / (M_PER_DEG * Math.cos((lat * Math.PI) / 180)),
    lat + (gauss() * sigmaM) / M_PER_DEG,
  ];

  const reports: CorrelationReport[] = [];
  let observerSeq = 0;
  while (reports.length < n) {
    const type = pickType();
    const [lon, lat] =
      rand() < 0.3 ? offset(...pick(hotspots), 2_000) : offset(...onFront(rand() * frontKm), 8_000);
    const start = T0 + Math.floor(rand() * DAYS * 86_400_000);
    const fire = type !== 'uav_flight' && type !== 'weapon_sighting' && type !== 'movement_restriction';
    // Some fire is a continuous exchange that each monitor reports in pieces.
    const exchangeMs = fire && rand() < 0.15 ? (20 + rand() * 160) * 60_000 : 0;
    const weaponClass: WeaponClass =
      type === 'weapon_sighting'
        ? pick(SIGHTED_CLASSES)
        : rand() < 0.5 || !fire
          ? 'undetermined'
          : type === 'burst' || type === 'shot'
            ? pick(SMALL_ARMS_CLASSES)
            : pick(EXPLOSIVE_CLASSES);
    const observers = 1 + Math.floor(rand() * rand() * 7);
    for (let k = 0; k < observers && reports.length < n; k++) {
      const sourceKey = `patrol:${(observerSeq++ % 400).toString(36)}`;
      let t = start + gauss() * 60_000;
      const end = start + exchangeMs;
      do {
        const pieceMs = exchangeMs > 0 ? (5 + rand() * 15) * 60_000 : rand() * 120_000;
        const u = rand() < 0.02 ? 12_000 + rand() * 18_000 : 150 * (4_000 / 150) ** rand();
        const [eLon, eLat] = offset(lon, lat, u / Math.SQRT2);
        reports.push({
          id: reportId(reports.length),
          type,
          weaponClass: rand() < 0.8 ? weaponClass : 'undetermined',
          sourceKey,
          observedFrom: Math.round(t),
          observedTo: Math.round(t + pieceMs),
          lon: eLon,
          lat: eLat,
          uncertaintyM: Math.round(u),
          count: 1 + Math.floor(rand() * 10),
        });
        t += pieceMs + rand() * 8 * 60_000;
      } while (t < end && reports.length < n);
    }
  }
  return reports;
}

export async function benchCorrelation(n: number): Promise<{ n: number; ms: number; incidents: number }> {
  const reports = syntheticReports(n, 42);
  const started = performance.now();
  const { incidents } = correlateAll(reports);
  const ms = performance.now() - started;
  return { n, ms: Math.round(ms), incidents: incidents.length };
}
