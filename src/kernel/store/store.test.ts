import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendLeaves } from '../ledger/append.ts';
import type { Store } from './store.ts';
import { DIALECTS } from './test-dialects.ts';

for (const dialect of DIALECTS) {
  describe(`store on ${dialect.name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await dialect.open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('reads back exactly what it wrote', async () => {
      const row = {
        id: 'zone-1',
        kind: 'contact_line',
        name: 'Ліnia «контакту» \u{1F1FA}\u{1F1E6}',
        weapon_classes: '["mlrs"]',
        distance_km: 0.1 + 0.2,
        geometry: '{"type":"LineString","coordinates":[[37.1,48.2],[37.3,48.4]]}',
        created_at: '2026-11-01T10:00:00.000Z',
        updated_at: '2026-11-01T10:00:00.000Z',
      };
      await store.transaction((trx) => trx.insertInto('zones').values(row).execute());
      const back = await store.db
        .selectFrom('zones')
        .selectAll()
        .where('id', '=', 'zone-1')
        .executeTakeFirst();
      expect(back).toEqual(row);
    });

    it('rolls back everything in a failed transaction, ledger leaves included', async () => {
      const before = await store.db
        .selectFrom('ledger_leaves')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      await expect(
        store.transaction(async (trx) => {
          await appendLeaves(trx, [
            { kind: 'test', recordId: 'x', content: { a: 1 }, at: '2026-11-01T00:00:00.000Z' },
          ]);
          await trx
            .insertInto('participants')
            .values({ code: 'FRA', name: 'France', kind: 'state', roles: '[]' })
            .execute();
          await trx
            .insertInto('participants')
            .values({ code: 'FRA', name: 'again', kind: 'state', roles: '[]' })
            .execute();
        }),
      ).rejects.toThrow();
      const after = await store.db
        .selectFrom('ledger_leaves')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
      expect(await store.db.selectFrom('participants').selectAll().execute()).toEqual([]);
    });

    it('numbers ledger leaves consecutively across transactions', async () => {
      const at = '2026-11-01T00:00:00.000Z';
      const a = await store.transaction((trx) =>
        appendLeaves(trx, [
          { kind: 'test', recordId: 'a', content: 1, at },
          { kind: 'test', recordId: 'b', content: 2, at },
        ]),
      );
      const b = await store.transaction((trx) =>
        appendLeaves(trx, [{ kind: 'test', recordId: 'c', content: 3, at }]),
      );
      expect(b[0]).toBe(a[1]! + 1);
      const leaves = await store.db.selectFrom('ledger_leaves').selectAll().orderBy('idx').execute();
      expect(leaves.map((l) => l.idx)).toEqual(leaves.map((_, i) => i));
      expect(new Set(leaves.map((l) => l.leaf_hash)).size).toBe(leaves.length);
    });
  });
}
