import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/store.ts';
import { DIALECTS } from '../store/test-dialects.ts';
import { appendLeaves } from './append.ts';
import { auditLedger } from './audit.ts';
import { LedgerService } from './ledger-service.ts';
import { generateLogKey } from './log-key.ts';

for (const dialect of DIALECTS) {
  describe(`ledger audit of the stored tree on ${dialect.name}`, () => {
    let store: Store;
    const key = generateLogKey('audit.invalid/ledger');

    beforeAll(async () => {
      store = await dialect.open();
      const ledger = new LedgerService(store, key, { batchSize: 100 });
      // Past one full level-0 tile twice over, so level 1 has hashes to check, with checkpoints between.
      for (const n of [3, 250, 300, 160]) {
        await store.transaction((trx) =>
          appendLeaves(
            trx,
            Array.from({ length: n }, (_, i) => ({
              kind: 'note',
              recordId: `n-${n}-${i}`,
              content: { n, i },
              at: '2026-11-01T10:00:00.000Z',
            })),
          ),
        );
        await ledger.checkpoint();
      }
    });
    afterAll(async () => {
      await store?.close();
    });

    const audit = () => auditLedger(store, { vkey: key.vkey, auditors: [], pageSize: 300 });

    it('passes a tree that matches every signed checkpoint, counting what it could not rebuild', async () => {
      const result = await audit();
      expect(result).toEqual({
        ok: true,
        counts: { leaves: 713, treeSize: 713, checkpoints: 4, records: {}, contentUnchecked: 713 },
      });
    });

    async function tamper(
      level: number,
      idx: number,
      column: 'hashes' | 'interior',
      edit: (b: Buffer) => void,
    ) {
      const row = await store.db
        .selectFrom('ledger_tiles')
        .selectAll()
        .where('level', '=', level)
        .where('idx', '=', idx)
        .executeTakeFirstOrThrow();
      const bytes = Buffer.from(row[column], 'base64');
      edit(bytes);
      const set = (value: string) =>
        store.db
          .updateTable('ledger_tiles')
          .set({ [column]: value })
          .where('level', '=', level)
          .where('idx', '=', idx)
          .execute();
      await set(bytes.toString('base64'));
      return () => set(row[column]);
    }

    it.each([
      [1, 0, 'hashes', /tile 1\/0 does not hold the roots/],
      [0, 1, 'interior', /tile 0\/1's interior/],
      [0, 2, 'hashes', /no longer hash to the signed root/],
    ] as const)('names a rewritten tile %i/%i (%s)', async (level, idx, column, message) => {
      const undo = await tamper(level, idx, column, (b) => {
        b[5] = b[5]! ^ 1;
      });
      try {
        expect((await audit()).problem).toMatchObject({
          finding: 'tile_mismatch',
          message: expect.stringMatching(message),
        });
      } finally {
        await undo();
      }
      expect((await audit()).ok).toBe(true);
    });

    it('names a checkpoint signed by another key', async () => {
      const result = await auditLedger(store, {
        vkey: generateLogKey('audit.invalid/ledger').vkey,
        auditors: [],
      });
      expect(result.problem).toMatchObject({ finding: 'checkpoint_mismatch' });
    });
  });
}
