import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafData, leafHash } from '../ledger/leaf.ts';
import { generateLogKey } from '../ledger/log-key.ts';
import { checkLedger, type LeafRow, logVerifier, rebuildTree } from './backup-ledger.ts';

function leaves(n: number): LeafRow[] {
  return Array.from({ length: n }, (_, idx) => {
    const row = {
      idx,
      kind: 'report',
      record_id: `r-${idx}`,
      commitment: 'ab'.repeat(32),
      at: '2026-01-01T00:00:00.000Z',
    };
    return { ...row, leaf_hash: leafHash(leafData(row.kind, row.record_id, row.at, row.commitment)) };
  });
}

describe('rebuilding the ledger from its rows', () => {
  it('accepts intact rows and names the first changed, missing or reordered one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 40 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.integer({ min: 0, max: n - 2 }),
              fc.constantFrom('change', 'delete', 'swap'),
            ),
          ),
        async ([n, at, how]) => {
          const rows = leaves(n);
          const intact = await rebuildTree(rows);
          expect(intact.problems).toEqual([]);
          expect(intact.tree.size).toBe(n);
          if (how === 'change') rows[at] = { ...rows[at]!, record_id: 'forged' };
          else if (how === 'delete') rows.splice(at, 1);
          else [rows[at], rows[at + 1]] = [rows[at + 1]!, rows[at]!];
          const broken = await rebuildTree(rows);
          expect(broken.problems[0]).toMatch(new RegExp(`^ledger leaf ${at} `));
          expect(broken.tree.size).toBe(at);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('checks the manifest root and the signature of its checkpoint', async () => {
    const rebuilt = await rebuildTree(leaves(10));
    const root = Buffer.from(rebuilt.tree.root(10)).toString('base64');
    const verifier = logVerifier(generateLogKey().vkey);
    const manifest = { vkey: null, treeSize: 10, treeRoot: root, checkpoint: null };
    expect(await checkLedger({ rebuilt, checkpoints: [], manifest, verifier })).toEqual([]);
    const wrong = { ...manifest, treeSize: 9 };
    expect(await checkLedger({ rebuilt, checkpoints: [], manifest: wrong, verifier })).toEqual([
      "the ledger's first 9 leaves do not hash to the root the manifest recorded",
    ]);
  });
});
