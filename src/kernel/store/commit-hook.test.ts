import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCommitHook } from './commit-hook.ts';
import type { Store, Tx } from './store.ts';
import { DIALECTS } from './test-dialects.ts';

for (const dialect of DIALECTS) {
  describe(`commit hooks on ${dialect.name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await dialect.open();
    });
    afterAll(async () => {
      await store?.close();
    });

    const zone = (id: string) => ({
      id,
      kind: 'buffer',
      name: id,
      weapon_classes: '[]',
      distance_km: null,
      geometry: '{"type":"Polygon","coordinates":[]}',
      created_at: '2026-11-30T00:00:00.000Z',
      updated_at: '2026-11-30T00:00:00.000Z',
    });
    const names = async () =>
      (await store.db.selectFrom('zones').select('id').execute()).map((z) => z.id).sort();

    it('writes the hook’s work in each transaction the work commits, and with it rolls back', async () => {
      let calls = 0;
      const hook = async (trx: Tx) => {
        calls++;
        await trx
          .insertInto('zones')
          .values(zone(`hooked-${calls}`))
          .execute();
      };
      await withCommitHook(hook, async () => {
        await store.transaction((trx) => trx.insertInto('zones').values(zone('first')).execute());
        await expect(
          store.transaction(async (trx) => {
            await trx.insertInto('zones').values(zone('refused')).execute();
            throw new Error('the change fails');
          }),
        ).rejects.toThrow('the change fails');
      });
      // Outside the hook's scope, a transaction runs as ever.
      await store.transaction((trx) => trx.insertInto('zones').values(zone('outside')).execute());
      expect(calls).toBe(1);
      expect(await names()).toEqual(['first', 'hooked-1', 'outside']);
    });

    it('rolls the change back when the hook fails, so neither is stored', async () => {
      await expect(
        withCommitHook(
          async () => {
            throw new Error('the entry cannot be written');
          },
          () => store.transaction((trx) => trx.insertInto('zones').values(zone('orphan')).execute()),
        ),
      ).rejects.toThrow('the entry cannot be written');
      expect(await names()).not.toContain('orphan');
    });
  });
}
