import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_READER } from '../access/labels.ts';
import type { IncidentTable } from '../kernel/store/schema.ts';
import type { Store } from '../kernel/store/store.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
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
    long_span: isLongSpan(first, last) ? 1 : 0,
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
