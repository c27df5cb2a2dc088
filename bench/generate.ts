/**
 * Realistic report streams for the benchmarks: events along the illustrative line of contact over
 * thirty days, each seen by one to four sources with the noise real observers have.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { CONTACT_LINE, nearTheLine } from '../src/demo/front.ts';
import { type DemoEvent, demoReports } from '../src/demo/scenario.ts';
import { seeded } from '../src/kernel/seeded-random.ts';
import type { EventType } from '../src/monitoring/report-schema.ts';

const TYPES: EventType[] = [
  'explosion',
  'explosion',
  'explosion',
  'burst',
  'burst',
  'shot',
  'projectile',
  'impact',
  'uav_flight',
  'muzzle_flash',
];

/**
 * Writes about `n` reports (2.5 per event on average) as NDJSON, in time order, ending a day before
 * `now`. Generated slice by slice so a million reports never sit in memory at once.
 */
export async function writeBenchReports(
  file: string,
  n: number,
  now = Date.now(),
  seed = 42,
): Promise<number> {
  const out = createWriteStream(file);
  const rnd = seeded(seed);
  const end = now - 86_400_000;
  const start = end - 30 * 86_400_000;
  const slices = Math.max(1, Math.ceil(n / 25_000));
  const perSlice = Math.ceil(n / 2.5 / slices);
  let written = 0;
  for (let s = 0; s < slices && written < n; s++) {
    const sliceStart = start + ((end - start) * s) / slices;
    const sliceEnd = start + ((end - start) * (s + 1)) / slices;
    const events: DemoEvent[] = [];
    for (let i = 0; i < perSlice; i++) {
      const pos = rnd.next() * (CONTACT_LINE.length - 1);
      const place = nearTheLine(pos, rnd.next() < 0.5, rnd.between(300, 6000));
      events.push({
        at: sliceStart + rnd.next() * (sliceEnd - sliceStart - 1_200_000),
        place,
        type: rnd.pick(TYPES),
        weaponClass: 'undetermined',
        count: rnd.int(1, 20),
      });
    }
    events.sort((x, y) => x.at - y.at);
    let chunk = '';
    for (const r of demoReports(events, seed + s + 1)) {
      if (written >= n) break;
      r.clientInstanceId = `bench-${s}-${r.clientInstanceId as string}`;
      chunk += `${JSON.stringify(r)}\n`;
      written++;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return written;
}
