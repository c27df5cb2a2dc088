import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_READER } from '../access/labels.ts';
import { seeded } from '../kernel/seeded-random.ts';
import type { IncidentTable } from '../kernel/store/schema.ts';
import type { Store } from '../kernel/store/store.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import { cellOf } from './geo/cells.ts';
import { listIncidents } from './incident-service.ts';
import { isLongSpan, overlappingIncidents } from './overlapping-incidents.ts';

function incident(id: string, first: string, last: string, merged: string | null = null): IncidentTable {
  return {
    id,
    status: 'received',
    primary_type: 'explosion',
    types: '["explosion"]',
    weapon_classes: '["undetermined"]',
    first_observed: first,
    last_observed: last,
    lon: 37,
    lat: 48,
    uncertainty_m: 100,
    oblast: null,
    sector_id: null,
    report_count: 1,
    source_count: 1,
    counts: '{}',
    weapon_violation: 0,
    long_span: isLongSpan(Date.parse(first), Date.parse(last)) ? 1 : 0,
    cell: cellOf(37, 48),
    revision: 0,
    label_level: 1,
    label_releasable: ',COALITION,',
    locked: 0,
    attribution_party: null,
    attribution_confidence: null,
    attribution_basis: null,
    attribution_notes: null,
    merged_into: merged,
    created_at: first,
    updated_at: first,
  };
}

for (const dialect of DIALECTS) {
  describe(`overlappingIncidents on ${dialect.name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await dialect.open();
      const rows = [
        incident('inside', '2026-11-10T08:00:00.000Z', '2026-11-10T09:00:00.000Z'),
        incident('from-the-night-before', '2026-11-09T23:30:00.000Z', '2026-11-10T00:30:00.000Z'),
        incident('week-long', '2026-11-02T00:00:00.000Z', '2026-11-12T00:00:00.000Z'),
        incident('ended-before', '2026-11-09T10:00:00.000Z', '2026-11-09T23:59:59.999Z'),
        incident('starts-after', '2026-11-11T00:00:00.000Z', '2026-11-11T01:00:00.000Z'),
        incident('long-but-over', '2026-11-01T00:00:00.000Z', '2026-11-05T00:00:00.000Z'),
        incident('merged-away', '2026-11-10T08:00:00.000Z', '2026-11-10T09:00:00.000Z', 'inside'),
      ];
      await store.transaction((trx) => trx.insertInto('incidents').values(rows).execute());
    });
    afterAll(async () => {
      await store?.close();
    });

    it('finds every incident observed during the day, long ones included, and nothing else', async () => {
      const found = await overlappingIncidents(
        store.db,
        '2026-11-10T00:00:00.000Z',
        '2026-11-11T00:00:00.000Z',
        SYSTEM_READER,
      );
      expect(found.map((i) => i.id).sort()).toEqual(['from-the-night-before', 'inside', 'week-long']);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`incident list from a start time on ${dialect.name}`, () => {
    const base = Date.parse('2026-11-01T00:00:00.000Z');
    const HOUR = 3_600_000;
    const rows: IncidentTable[] = [];
    const rnd = seeded(7);
    for (let i = 0; i < 300; i++) {
      const first = base + Math.floor(rnd.next() * 20 * 24) * HOUR;
      // Mostly minutes to hours; one in ten runs for days, as long merges do.
      const span = rnd.next() < 0.1 ? rnd.between(1, 6) * 24 * HOUR : rnd.between(0, 20) * HOUR;
      // Identical first observations on purpose, so ties are broken by id across pages.
      rows.push(
        incident(
          `i${String(i).padStart(3, '0')}`,
          new Date(first).toISOString(),
          new Date(first + span).toISOString(),
        ),
      );
    }
    let store: Store;
    beforeAll(async () => {
      store = await dialect.open();
      await store.transaction((trx) => trx.insertInto('incidents').values(rows).execute());
    });
    afterAll(async () => {
      await store?.close();
    });

    it('pages through exactly the incidents overlapping the period, newest first', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: -2, max: 22 }),
          fc.integer({ min: 1, max: 72 }),
          fc.integer({ min: 1, max: 40 }),
          async (startDay, hours, limit) => {
            const from = new Date(base + startDay * 24 * HOUR).toISOString();
            const to = new Date(Date.parse(from) + hours * HOUR).toISOString();
            const expected = rows
              .filter((r) => r.last_observed >= from && r.first_observed < to)
              .sort((a, b) =>
                a.first_observed === b.first_observed
                  ? b.id.localeCompare(a.id)
                  : b.first_observed.localeCompare(a.first_observed),
              )
              .map((r) => r.id);
            const seen: string[] = [];
            let cursor: string | undefined;
            do {
              const page = await listIncidents(
                store.db,
                { from, to, limit, ...(cursor ? { cursor } : {}) },
                SYSTEM_READER,
              );
              seen.push(...page.items.map((i) => i.id));
              cursor = page.nextCursor ?? undefined;
            } while (cursor);
            expect(seen).toEqual(expected);
          },
        ),
        { numRuns: 40 },
      );
    });
  });
}

describe('the one-day incident list on SQLite', () => {
  it('reads the index in list order and stops at its limit, with no sort of its own', async () => {
    const store = await DIALECTS[0]!.open();
    try {
      const query = store.db
        .selectFrom('incidents')
        .where('merged_into', 'is', null)
        .where('first_observed', '<', '2026-11-16T00:00:00Z')
        .where('last_observed', '>=', '2026-11-15T00:00:00Z')
        .where('long_span', '=', 0)
        .where('first_observed', '>=', '2026-11-14T00:00:00Z')
        .where('lon', '>=', 36)
        .where('lon', '<=', 38.5)
        .selectAll()
        .orderBy('first_observed', 'desc')
        .orderBy('id', 'desc')
        .limit(101)
        .compile();
      const plan = store
        .sqlite!.prepare(`explain query plan ${query.sql}`)
        .all(...(query.parameters as unknown[])) as { detail: string }[];
      expect(plan.map((p) => p.detail)).toEqual([expect.stringContaining('USING INDEX incidents_long')]);
    } finally {
      await store.close();
    }
  });
});
