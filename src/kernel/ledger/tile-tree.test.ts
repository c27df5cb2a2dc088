import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHash, rootAt } from './merkle.ts';
import { MerkleTree } from './merkle-tree.ts';
import { growTiles, partialTiles, type TileData, TileReader } from './tile-tree.ts';

function leaves(from: number, n: number): Uint8Array {
  const out = new Uint8Array(n * 32);
  for (let i = 0; i < n; i++) out.set(leafHash(new TextEncoder().encode(`leaf ${from + i}`)), i * 32);
  return out;
}

/** Grows stored tiles in the given steps, as the server does, and returns them with the reference tree. */
function grow(steps: number[]) {
  const tiles = new Map<string, TileData>();
  const tree = new MerkleTree();
  for (const step of steps) {
    const size = tree.size;
    const partials = new Map<number, Uint8Array>();
    for (const p of partialTiles(size)) partials.set(p.level, tiles.get(`${p.level}/${p.index}`)!.hashes);
    const batch = leaves(size, step);
    for (let i = 0; i < step; i++) tree.append(batch.subarray(i * 32, (i + 1) * 32));
    for (const t of growTiles(size, partials, batch)) tiles.set(`${t.level}/${t.index}`, t);
  }
  return { tiles, tree };
}

describe('tiles as the stored Merkle tree', () => {
  it('give every root and proof of an in-memory tree, grown in any steps', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 6 }), (steps) => {
        const { tiles, tree } = grow(steps);
        const withInterior = new TileReader((l, i) => tiles.get(`${l}/${i}`));
        const hashesOnly = new TileReader((l, i) => {
          const t = tiles.get(`${l}/${i}`);
          return t && { level: t.level, index: t.index, hashes: t.hashes };
        });
        for (const size of [1, tree.size, Math.ceil(tree.size / 2)]) {
          expect(rootAt(size, withInterior)).toEqual(tree.root(size));
          expect(rootAt(size, hashesOnly)).toEqual(tree.root(size));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('reaches tile level 2 at 65,536 leaves', () => {
    const { tiles, tree } = grow([65_535, 1, 1]);
    expect(tiles.get('2/0')?.hashes).toEqual(tree.nodeHash(16, 0));
    expect(tiles.get('1/0')?.hashes.length).toBe(256 * 32);
    expect(rootAt(65_537, new TileReader((l, i) => tiles.get(`${l}/${i}`)))).toEqual(tree.root());
  });

  it('refuses a partial tile of the wrong width', () => {
    expect(() => growTiles(3, new Map([[0, leaves(0, 2)]]), leaves(3, 1))).toThrow('partial tile');
  });
});
