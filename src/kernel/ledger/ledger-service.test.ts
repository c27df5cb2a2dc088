import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/store.ts';
import { DIALECTS } from '../store/test-dialects.ts';
import { appendLeaves } from './append.ts';
import { fromHex, utf8 } from './bytes.ts';
import { openCheckpoint } from './checkpoint.ts';
import { nodeEd25519 } from './ed25519-node.ts';
import { leafData } from './leaf.ts';
import { LedgerService } from './ledger-service.ts';
import { generateLogKey } from './log-key.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import { MerkleTree } from './merkle-tree.ts';
import { ed25519Verifier } from './note.ts';
import { parseEntryBundle } from './tiles.ts';

async function append(store: Store, n: number, from: number): Promise<void> {
  await store.transaction((trx) =>
    appendLeaves(
      trx,
      Array.from({ length: n }, (_, i) => ({
        kind: 'report',
        recordId: `r-${from + i}`,
        content: { n: from + i },
        at: '2026-11-01T10:00:00.000Z',
      })),
    ),
  );
}

async function storedLeafHashes(store: Store): Promise<Uint8Array[]> {
  const rows = await store.db.selectFrom('ledger_leaves').select('leaf_hash').orderBy('idx').execute();
  return rows.map((r) => fromHex(r.leaf_hash));
}

for (const dialect of DIALECTS) {
  describe(`ledger service on ${dialect.name}`, () => {
    let store: Store;
    const key = generateLogKey('test.invalid/ledger');
    let ledger: LedgerService;
    const tree = new MerkleTree();

    beforeAll(async () => {
      store = await dialect.open();
      // A small batch makes extend() cross transactions and tile boundaries within a few hundred leaves.
      ledger = new LedgerService(store, key, { batchSize: 100 });
    });
    afterAll(async () => {
      await store?.close();
    });

    it('signs a checkpoint of the empty tree', async () => {
      const cp = await ledger.checkpoint();
      expect(cp.size).toBe(0);
      expect(cp.root).toEqual(tree.root());
    });

    it('grows to the same roots as an in-memory tree across batches and tile boundaries', async () => {
      // Sizes chosen to end just before, on and after tile edges at levels 0 and 1 (256, 65536 is too slow).
      for (const step of [1, 2, 5, 247, 1, 1, 300, 211, 256, 1]) {
        const from = tree.size;
        await append(store, step, from);
        const hashes = await storedLeafHashes(store);
        for (const h of hashes.slice(from)) tree.append(h);
        expect(await ledger.extend()).toBe(tree.size);
        expect(await ledger.rootAt(tree.size)).toEqual(tree.root());
      }
      expect(tree.size).toBe(1025);
      for (const size of [1, 2, 3, 255, 256, 257, 511, 512, 513, 768, 1000, 1024, 1025]) {
        expect(await ledger.rootAt(size), `root at ${size}`).toEqual(tree.root(size));
      }
    });

    it('gives inclusion and consistency proofs that verify', async () => {
      const n = tree.size;
      for (const [index, size] of [
        [0, 1],
        [0, n],
        [255, 256],
        [256, 257],
        [511, 1000],
        [1024, 1025],
        [700, 800],
      ] as const) {
        const proof = await ledger.inclusionProof(index, size);
        expect(proof).toEqual(tree.inclusionProof(index, size));
        verifyInclusion(index, size, tree.nodeHash(0, index), proof, tree.root(size));
      }
      for (const [a, b] of [
        [1, n],
        [256, 257],
        [255, 1025],
        [512, 1024],
        [7, 7],
        [300, 999],
      ] as const) {
        const proof = await ledger.consistencyProof(a, b);
        verifyConsistency(a, b, tree.root(a), tree.root(b), proof);
      }
    });

    it('refuses sizes beyond the tree', async () => {
      await expect(ledger.inclusionProof(0, tree.size + 1)).rejects.toThrow('beyond');
      await expect(ledger.inclusionProof(5, 5)).rejects.toThrow('not below');
      await expect(ledger.consistencyProof(0, 5)).rejects.toThrow('from');
      await expect(ledger.consistencyProof(6, 5)).rejects.toThrow('from');
    });

    it('signs checkpoints the verifier key accepts, once per size', async () => {
      const cp = await ledger.checkpoint();
      expect(cp.size).toBe(tree.size);
      const opened = openCheckpoint(cp.note, {
        origin: key.origin,
        log: ed25519Verifier(key.vkey, nodeEd25519),
      });
      expect(opened.checkpoint.size).toBe(tree.size);
      expect(opened.checkpoint.rootHash).toEqual(tree.root());
      expect(await ledger.checkpoint()).toEqual(cp);
      expect(await ledger.latestCheckpoint()).toEqual(cp);
    });

    it('serves tiles and entry bundles that rebuild the tree', async () => {
      const full = await ledger.tile(0, 1, 256);
      expect(full?.length).toBe(256 * 32);
      expect(full?.subarray(0, 32)).toEqual(tree.nodeHash(0, 256));
      const partialL1 = await ledger.tile(1, 0, 4);
      expect(partialL1?.subarray(3 * 32)).toEqual(tree.nodeHash(8, 3));
      expect(await ledger.tile(1, 0, 5)).toBeUndefined();
      expect(await ledger.tile(0, 4, 256)).toBeUndefined();
      expect((await ledger.tile(0, 4, 1))?.length).toBe(32);

      const rebuilt = new MerkleTree();
      for (let i = 0; i * 256 < tree.size; i++) {
        const width = Math.min(256, tree.size - i * 256);
        const bundle = await ledger.entryBundle(i, width);
        for (const e of parseEntryBundle(bundle!)) rebuilt.append(leafHash(e));
      }
      expect(rebuilt.root()).toEqual(tree.root());
      expect(await ledger.entryBundle(4, 2)).toBeUndefined();
    });

    it('proves a record by kind and id against a fresh checkpoint', async () => {
      await append(store, 1, tree.size);
      const hashes = await storedLeafHashes(store);
      tree.append(hashes[hashes.length - 1]!);
      const recordId = `r-${tree.size - 1}`;
      const p = await ledger.proofForRecord('report', recordId);
      expect(p).toBeDefined();
      expect(p!.leafIndex).toBe(tree.size - 1);
      expect(p!.checkpoint?.size).toBe(tree.size);
      const data = utf8(leafData('report', recordId, p!.at, p!.commitment));
      expect(p!.leafHash).toEqual(leafHash(data));
      verifyInclusion(p!.leafIndex, p!.treeSize, p!.leafHash, p!.proof, p!.checkpoint!.root);
      expect(await ledger.proofForRecord('report', 'nope')).toBeUndefined();
      expect(await ledger.proofForRecord('report', recordId, 10)).toBeUndefined();
    });

    it('keeps its roots when the leaves table is rewritten afterwards', async () => {
      await store.transaction((trx) =>
        trx
          .updateTable('ledger_leaves')
          .set({ leaf_hash: '00'.repeat(32) })
          .where('idx', '=', 3)
          .execute(),
      );
      const fresh = new LedgerService(store, key);
      expect(await fresh.rootAt(tree.size)).toEqual(tree.root());
    });
  });
}
