/**
 * The ledger's Merkle tree kept as C2SP tlog-tiles: how new leaves turn into tiles, and how any
 * complete subtree's hash is read back out of them. Tiles are what the server stores (one row per
 * tile instead of one per node, so appending a million leaves writes a few thousand rows) and what a
 * mirror downloads, so the server's proofs and a member state's rebuild read the very same bytes.
 *
 * A tile at tile level L holds up to 256 consecutive hashes of tree level 8L. Next to them the server
 * keeps the tile's interior, the hashes of tree levels 8L+1 .. 8L+7 inside the tile, so a proof needs
 * no hashing beyond reading; a verifier holding only the tile hashes recomputes the interior instead.
 *
 * Pure and browser-safe: hashes are 32-byte slices of flat byte arrays.
 */
import { HASH_SIZE, type NodeId, nodeHash, type TreeReader } from './merkle.ts';
import { TILE_HEIGHT, TILE_WIDTH } from './tiles.ts';

export interface TileData {
  level: number;
  index: number;
  /** The tile's hashes, 32 bytes each: the C2SP tile body. Its width is `hashes.length / 32`. */
  hashes: Uint8Array;
  /** Tree levels 8L+1 .. 8L+7 inside the tile, see {@link tileInterior}; recomputed when absent. */
  interior?: Uint8Array;
}

export function tileWidth(tile: { hashes: Uint8Array }): number {
  return tile.hashes.length / HASH_SIZE;
}

/**
 * The hashes of sublevels 1..7 of a tile of width W, concatenated: floor(W/2) hashes, then
 * floor(W/4), and so on; and the tile's root (tree level 8L+8) when the tile is full.
 */
export function tileInterior(hashes: Uint8Array): { interior: Uint8Array; root: Uint8Array | null } {
  const width = hashes.length / HASH_SIZE;
  let size = 0;
  for (let k = 1; k < TILE_HEIGHT; k++) size += Math.floor(width / 2 ** k);
  const interior = new Uint8Array(size * HASH_SIZE);
  let below = hashes;
  let o = 0;
  for (let k = 1; k <= TILE_HEIGHT; k++) {
    const n = Math.floor(below.length / HASH_SIZE / 2);
    if (n === 0) break;
    const row = k < TILE_HEIGHT ? interior.subarray(o, o + n * HASH_SIZE) : new Uint8Array(HASH_SIZE);
    for (let i = 0; i < n; i++) {
      const left = below.subarray(2 * i * HASH_SIZE, (2 * i + 1) * HASH_SIZE);
      const right = below.subarray((2 * i + 1) * HASH_SIZE, (2 * i + 2) * HASH_SIZE);
      row.set(nodeHash(left, right), i * HASH_SIZE);
    }
    if (k === TILE_HEIGHT) return { interior, root: row };
    o += n * HASH_SIZE;
    below = row;
  }
  return { interior, root: null };
}

/** Where a complete subtree's hash lives: which tile, at which sublevel and position inside it. */
export function nodeLocation(node: NodeId): {
  level: number;
  index: number;
  sublevel: number;
  offset: number;
} {
  const level = Math.floor(node.level / TILE_HEIGHT);
  const sublevel = node.level % TILE_HEIGHT;
  const perTile = TILE_WIDTH / 2 ** sublevel;
  const index = Math.floor(node.index / perTile);
  return { level, index, sublevel, offset: node.index - index * perTile };
}

/** The distinct tiles holding the given nodes, e.g. those a proof will read. */
export function tilesForNodes(nodes: readonly NodeId[]): { level: number; index: number }[] {
  const seen = new Map<string, { level: number; index: number }>();
  for (const n of nodes) {
    const loc = nodeLocation(n);
    seen.set(`${loc.level}/${loc.index}`, { level: loc.level, index: loc.index });
  }
  return [...seen.values()];
}

/**
 * A {@link TreeReader} over tiles looked up by `get`. Nodes at a tile's sublevels come from its stored
 * interior or, when a tile has none (a downloaded one), are hashed from its hashes.
 */
export class TileReader implements TreeReader {
  constructor(private readonly get: (level: number, index: number) => TileData | undefined) {}

  nodeHash(level: number, index: number): Uint8Array {
    const loc = nodeLocation({ level, index });
    const tile = this.get(loc.level, loc.index);
    if (tile === undefined) throw new RangeError(`tile ${loc.level}/${loc.index} is not available`);
    const width = tileWidth(tile);
    const span = 2 ** loc.sublevel;
    if ((loc.offset + 1) * span > width) {
      throw new RangeError(`tile ${loc.level}/${loc.index} of width ${width} has no node ${level}/${index}`);
    }
    if (loc.sublevel === 0) return tile.hashes.slice(loc.offset * HASH_SIZE, (loc.offset + 1) * HASH_SIZE);
    if (tile.interior !== undefined) {
      let o = 0;
      for (let k = 1; k < loc.sublevel; k++) o += Math.floor(width / 2 ** k);
      o += loc.offset;
      return tile.interior.slice(o * HASH_SIZE, (o + 1) * HASH_SIZE);
    }
    return subtreeHash(
      tile.hashes.subarray(loc.offset * span * HASH_SIZE, (loc.offset + 1) * span * HASH_SIZE),
    );
  }
}

/** The root of a power-of-two run of hashes. */
function subtreeHash(hashes: Uint8Array): Uint8Array {
  let row = hashes;
  while (row.length > HASH_SIZE) {
    const n = row.length / HASH_SIZE / 2;
    const up = new Uint8Array(n * HASH_SIZE);
    for (let i = 0; i < n; i++) {
      up.set(
        nodeHash(
          row.subarray(2 * i * HASH_SIZE, (2 * i + 1) * HASH_SIZE),
          row.subarray((2 * i + 1) * HASH_SIZE, (2 * i + 2) * HASH_SIZE),
        ),
        i * HASH_SIZE,
      );
    }
    row = up;
  }
  return row;
}

/**
 * The tiles that change when `leaves` (concatenated leaf hashes) are appended to a tree of `size`
 * leaves whose right-edge partial tiles are `partials` (by tile level; a level whose last tile is full
 * has none). Returned tiles carry their interior; each replaces any stored tile of the same name.
 */
export function growTiles(
  size: number,
  partials: ReadonlyMap<number, Uint8Array>,
  leaves: Uint8Array,
): Required<TileData>[] {
  if (leaves.length % HASH_SIZE !== 0) throw new RangeError('leaf hashes are not 32 bytes each');
  const out: Required<TileData>[] = [];
  let incoming = leaves;
  for (let level = 0, before = size; incoming.length > 0; level++, before = Math.floor(before / TILE_WIDTH)) {
    const first = Math.floor(before / TILE_WIDTH);
    const prefix = partials.get(level) ?? new Uint8Array(0);
    if (prefix.length !== (before - first * TILE_WIDTH) * HASH_SIZE) {
      throw new RangeError(
        `partial tile at level ${level} has ${prefix.length / HASH_SIZE} hashes, not ${before % TILE_WIDTH}`,
      );
    }
    const segment = new Uint8Array(prefix.length + incoming.length);
    segment.set(prefix);
    segment.set(incoming, prefix.length);
    const roots: Uint8Array[] = [];
    const chunk = TILE_WIDTH * HASH_SIZE;
    for (let o = 0, index = first; o < segment.length; o += chunk, index++) {
      const hashes = segment.slice(o, o + chunk);
      const { interior, root } = tileInterior(hashes);
      out.push({ level, index, hashes, interior });
      if (root !== null) roots.push(root);
    }
    incoming = new Uint8Array(roots.length * HASH_SIZE);
    for (let i = 0; i < roots.length; i++) incoming.set(roots[i]!, i * HASH_SIZE);
  }
  return out;
}

/** The partial tile each tile level ends in for a tree size, as (level, index, width). */
export function partialTiles(size: number): { level: number; index: number; width: number }[] {
  const out: { level: number; index: number; width: number }[] = [];
  for (let level = 0, n = size; n > 0; level++, n = Math.floor(n / TILE_WIDTH)) {
    if (n % TILE_WIDTH !== 0) out.push({ level, index: Math.floor(n / TILE_WIDTH), width: n % TILE_WIDTH });
  }
  return out;
}
