import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkSize, insertRows } from './insert-rows.ts';
import type { Store } from './store.ts';
import { DIALECTS } from './test-dialects.ts';

for (const dialect of DIALECTS) {
  describe(`insertRows on ${dialect.name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await dialect.open();
    });
    afterAll(async () => {
      await store?.close();
    });
    const storedCodes = async (pattern: string) =>
      (await store.db.selectFrom('participants').select('code').where('code', 'like', pattern).execute()).map(
        (r) => r.code,
      );

    it('inserts many rows in statement-sized chunks, values intact and in order', async () => {
      const rows = Array.from({ length: 12_345 }, (_, i) => ({
        code: `P${String(i).padStart(5, '0')}`,
        name: i % 2 ? `name ${i} «ß»` : "it's",
        kind: 'state',
        roles: JSON.stringify([i]),
      }));
      await store.transaction((trx) => insertRows(trx, 'participants', rows));
      // The same shape again reuses the compiled text with new values.
      await store.transaction((trx) =>
        insertRows(trx, 'participants', [{ code: 'ZZZ', name: 'z', kind: 'org', roles: '[]' }]),
      );
      const back = await store.db.selectFrom('participants').selectAll().orderBy('code').execute();
      expect(back).toHaveLength(rows.length + 1);
      expect(back.slice(0, rows.length)).toEqual(rows);
    });

    it('names a column a row left out, and inserts none of the rows', async () => {
      const rows = [
        { code: 'MISS1', name: 'a', kind: 'state', roles: '[]' },
        { code: 'MISS2', name: 'b', roles: '[]' } as unknown as {
          code: string;
          name: string;
          kind: string;
          roles: string;
        },
      ];
      await expect(store.transaction((trx) => insertRows(trx, 'participants', rows))).rejects.toThrow(
        'insertRows: every row of participants needs the column kind',
      );
      expect(await storedCodes('MISS%')).toEqual([]);
    });

    it('rolls back with its transaction', async () => {
      await expect(
        store.transaction(async (trx) => {
          await insertRows(trx, 'participants', [{ code: 'NEW', name: 'n', kind: 'state', roles: '[]' }]);
          await insertRows(trx, 'participants', [{ code: 'NEW', name: 'again', kind: 'state', roles: '[]' }]);
        }),
      ).rejects.toThrow();
      expect(await storedCodes('NEW')).toEqual([]);
    });
  });
}

describe('chunkSize', () => {
  it('covers any row count exactly with few distinct statement sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 700 }), (rows, per) => {
        const sizes: number[] = [];
        for (let left = rows; left > 0; ) {
          const size = chunkSize(left, per);
          expect(size).toBeGreaterThan(0);
          expect(size).toBeLessThanOrEqual(Math.min(left, per));
          sizes.push(size);
          left -= size;
        }
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(rows);
        // Only full statements and powers of two below them: at most log2(per) + 2 shapes.
        expect(new Set(sizes).size).toBeLessThanOrEqual(Math.floor(Math.log2(per)) + 2);
      }),
    );
  });
});
