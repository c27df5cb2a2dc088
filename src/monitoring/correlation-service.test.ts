/**
 * Correlation against the database decides exactly as one run over every report in memory: the store
 * hands the correlator only the incidents near each batch (by time, and by grid cell), and that must
 * never lose a link. Reports here fall all along the line, across many cells and their edges, arriving
 * in batches of every size.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../app.ts';
import { CONTACT_LINE, nearTheLine } from '../demo/front.ts';
import { type DemoEvent, demoReports } from '../demo/scenario.ts';
import { seeded } from '../kernel/seeded-random.ts';
import { fillIncidentCells } from '../kernel/store/migrations/0011-incident-cells.ts';
import { up as dropStoredCreations } from '../kernel/store/migrations/0013-derived-creation-entries.ts';
import type { Store } from '../kernel/store/store.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import { correlateAll } from './correlate.ts';
import { correlationFacts } from './correlation-service.ts';
import { cellOf } from './geo/cells.ts';
import type { ImportItem } from './import/rows.ts';
import type { EventType } from './report-schema.ts';
import type { MonitoringServices } from './routes.ts';

const TYPES: EventType[] = ['explosion', 'explosion', 'burst', 'shot', 'impact', 'muzzle_flash'];

/** Dense events along the line over six hours: enough that incidents chain, merge and cross cells. */
function reportsAlongTheLine(events: number, seed: number): Record<string, unknown>[] {
  const rnd = seeded(seed);
  const start = Date.now() - 2 * 86_400_000;
  const list: DemoEvent[] = [];
  for (let i = 0; i < events; i++) {
    // A third of the events crowd a short stretch, so many reports meet near the same cell edges.
    const pos = i % 3 === 0 ? 3 + rnd.next() * 0.3 : rnd.next() * (CONTACT_LINE.length - 1);
    const place = nearTheLine(pos, rnd.next() < 0.5, rnd.between(200, 4000));
    list.push({
      at: start + rnd.next() * 6 * 3_600_000,
      place,
      type: rnd.pick(TYPES),
      weaponClass: 'undetermined',
      count: rnd.int(1, 10),
    });
  }
  list.sort((x, y) => x.at - y.at);
  return demoReports(list, seed).sort((x, y) =>
    (x.observedFrom as string).localeCompare(y.observedFrom as string),
  );
}

/** Each report's fellow members, as sorted ids: the partition, whatever the incidents are called. */
function partition(groups: string[][]): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of groups) {
    const key = [...g].sort().join(',');
    for (const id of g) out.set(id, key);
  }
  return out;
}

for (const dialect of DIALECTS) {
  describe(`correlation in the store on ${dialect.name}`, () => {
    let store: Store;
    let services: MonitoringServices;
    beforeAll(async () => {
      store = await dialect.open();
      services = createServices(store);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('groups reports arriving in batches of any size exactly as one run over all of them', async () => {
      const inputs = reportsAlongTheLine(500, 11);
      const rnd = seeded(5);
      let line = 0;
      for (let i = 0; i < inputs.length; ) {
        const size = rnd.pick([1, 1, 2, 3, 7, 20, 60]);
        const batch: ImportItem[] = inputs.slice(i, i + size).map((value) => ({ line: ++line, value }));
        i += size;
        const summary = await services.reports.import(
          (async function* () {
            yield batch;
          })(),
          { allOrNothing: false },
        );
        expect(summary.rejected).toBe(0);
      }
      const rows = await store.db.selectFrom('reports').selectAll().execute();
      expect(rows).toHaveLength(inputs.length);
      const stored = new Map<string, string[]>();
      for (const r of rows) stored.set(r.incident_id!, [...(stored.get(r.incident_id!) ?? []), r.id]);
      const inMemory = correlateAll(rows.map(correlationFacts)).incidents.map((i) => i.reportIds);
      expect(partition([...stored.values()])).toEqual(partition(inMemory));
      // The run really did spread over many cells and link reports across them.
      const cells = await store.db.selectFrom('incidents').select('cell').distinct().execute();
      expect(cells.length).toBeGreaterThan(10);
      expect(inMemory.some((g) => g.length > 2)).toBe(true);
    }, 120_000);

    it('gives every incident the cell of its centre, and the migration fills it for older rows', async () => {
      const check = async () => {
        const incidents = await store.db.selectFrom('incidents').select(['lon', 'lat', 'cell']).execute();
        expect(incidents.length).toBeGreaterThan(0);
        for (const i of incidents) expect(i.cell).toBe(cellOf(i.lon, i.lat));
      };
      await check();
      // As rows from before the cell column hold it: the migration's default.
      await store.db.updateTable('incidents').set({ cell: 0 }).execute();
      await fillIncidentCells(store.db as unknown as Kysely<unknown>);
      await check();
    });

    it('stores no creation entry for the incidents it starts, and the migration removes older ones', async () => {
      const [incident] = await store.db
        .selectFrom('incidents')
        .select(['id', 'created_at'])
        .limit(1)
        .execute();
      const created = await store.db
        .selectFrom('incident_events')
        .select('id')
        .where('action', '=', 'created')
        .execute();
      expect(created).toEqual([]);
      const at = incident!.created_at;
      const entry = (id: string, action: string, actor: string) => ({
        id,
        incident_id: incident!.id,
        at,
        actor,
        action,
        from_status: null,
        to_status: action === 'created' ? 'received' : 'triaged',
        reason: null,
        details: null,
      });
      // As a store from before kept them, beside an analyst's entry the migration must leave alone.
      await store.db
        .insertInto('incident_events')
        .values([entry('old-created', 'created', 'correlation'), entry('kept', 'transition', 'analyst-1')])
        .execute();
      await dropStoredCreations(store.db as unknown as Kysely<unknown>);
      const left = await store.db
        .selectFrom('incident_events')
        .select('id')
        .where('incident_id', '=', incident!.id)
        .execute();
      expect(left.map((e) => e.id)).toEqual(['kept']);
      await store.db.deleteFrom('incident_events').where('id', '=', 'kept').execute();
    });
  });
}
