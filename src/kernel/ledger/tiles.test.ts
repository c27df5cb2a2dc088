import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTileIndex,
  encodeTileIndex,
  formatEntryBundle,
  parseEntryBundle,
  parseSumdbTilePath,
  parseTilePath,
  partialTilePath,
  TILE_WIDTH,
  tileLevels,
  tilePath,
} from './tiles.ts';

function vectors<T>(file: string): T {
  return JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/vectors/${file}`, import.meta.url), 'utf8'),
  ) as T;
}

interface TileVectors {
  c2sp: {
    indexEncoding: { index: number; encoded: string }[];
    treeSizeExamples: {
      treeSize: number;
      computed: {
        level: number;
        fullTiles: number;
        partialWidth: number | null;
        partialPath: string | null;
      }[];
    }[];
  };
  goSumdb: {
    cases: { path: string; tile: { H: number; L: number; N: number; W: number } | null; wantErr: boolean }[];
  };
}

const v = vectors<TileVectors>('tiles/tile-paths.json');

describe('tile index encoding', () => {
  for (const { index, encoded } of v.c2sp.indexEncoding) {
    it(`${index} <-> ${encoded}`, () => {
      expect(encodeTileIndex(index)).toBe(encoded);
      expect(decodeTileIndex(encoded)).toBe(index);
    });
  }

  it('round-trips every index and refuses other spellings', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => decodeTileIndex(encodeTileIndex(n)) === n),
    );
    for (const bad of ['1', '01', 'x000/001', '001/002', 'x1/001', 'x001', '1000', 'x001/x002']) {
      expect(() => decodeTileIndex(bad), bad).toThrow('malformed tile path');
    }
  });
});

describe('tiles for a tree size', () => {
  for (const ex of v.c2sp.treeSizeExamples) {
    it(`lists the tiles of a tree of ${ex.treeSize}`, () => {
      expect(tileLevels(ex.treeSize)).toEqual(
        ex.computed.map(({ level, fullTiles, partialWidth }) => ({ level, fullTiles, partialWidth })),
      );
      for (const c of ex.computed) expect(partialTilePath(ex.treeSize, c.level)).toBe(c.partialPath);
    });
  }

  it('has no tiles for the empty tree and covers every leaf hash otherwise', () => {
    expect(tileLevels(0)).toEqual([]);
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), (size) => {
        const l0 = tileLevels(size)[0];
        if (size === 0) return l0 === undefined;
        return l0!.fullTiles * TILE_WIDTH + (l0!.partialWidth ?? 0) === size;
      }),
    );
  });
});

describe('tile paths', () => {
  it('formats and parses full, partial and entry tiles', () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 'entries', index: 5, width: 3 })).toBe('tile/entries/005.p/3');
    expect(parseTilePath('tile/2/x001/000.p/17')).toEqual({ level: 2, index: 1000, width: 17 });
    expect(parseTilePath('tile/entries/x001/x234/067')).toEqual({
      level: 'entries',
      index: 1234067,
      width: 256,
    });
  });

  it('refuses paths with a second spelling', () => {
    for (const bad of [
      'tile/0/001.p/256',
      'tile/0/001.p/0',
      'tile/0/001.p/007',
      'tile/00/001',
      'tile/0/1',
      'tile/-1/001',
      'tile/0/x000/001',
      'tile/data/001',
      '/tile/0/001',
    ]) {
      expect(() => parseTilePath(bad), bad).toThrow('malformed tile path');
    }
  });

  it('round-trips any tile', () => {
    const tile = fc.record({
      level: fc.oneof(fc.nat(63), fc.constant('entries' as const)),
      index: fc.nat({ max: 2 ** 45 }),
      width: fc.integer({ min: 1, max: TILE_WIDTH }),
    });
    fc.assert(
      fc.property(tile, (t) => {
        expect(parseTilePath(tilePath(t))).toEqual(t);
      }),
    );
  });
});

describe('Go sum database tile paths', () => {
  for (const c of v.goSumdb.cases) {
    it(`${c.wantErr ? 'refuses' : 'parses'} ${c.path}`, () => {
      if (c.wantErr) {
        expect(() => parseSumdbTilePath(c.path)).toThrow('malformed tile path');
      } else {
        expect(parseSumdbTilePath(c.path)).toEqual({
          height: c.tile!.H,
          level: c.tile!.L,
          index: c.tile!.N,
          width: c.tile!.W,
        });
      }
    });
  }
});

describe('entry bundles', () => {
  it('round-trip and refuse truncation', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), (entries) => {
        const bundle = formatEntryBundle(entries);
        expect(parseEntryBundle(bundle)).toEqual(entries);
        if (bundle.length > 0)
          expect(() => parseEntryBundle(bundle.subarray(0, bundle.length - 1))).toThrow();
      }),
    );
  });
});
