/**
 * C2SP tlog-tiles (c2sp.org/tlog-tiles) names: where each tile of the ledger lives, so a member
 * state can mirror the whole log with plain HTTP GETs (and caches, and a USB stick) and verify it
 * with nothing but this folder. A tile at level L holds up to 256 consecutive hashes of tree level
 * 8·L; tile index N is written in 3-digit groups so no directory grows past 1000 entries.
 *
 * Paths are parsed strictly and re-encoded for comparison, so one tile has exactly one name and a
 * mirror cannot be fooled into storing the same tile twice under different names.
 */
import { VerificationError } from './verification-error.ts';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

export interface Tile {
  /** Tile level, or `entries` for a bundle of leaf entries. */
  level: number | 'entries';
  index: number;
  /** Number of hashes (or entries) present: TILE_WIDTH for a full tile, fewer for a partial one. */
  width: number;
}

function bad(path: string): VerificationError {
  return new VerificationError('malformed_tile_path', `malformed tile path ${JSON.stringify(path)}`);
}

/** 1234067 -> `x001/x234/067`. */
export function encodeTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`bad tile index ${n}`);
  let out = String(n % 1000).padStart(3, '0');
  for (let rest = Math.floor(n / 1000); rest > 0; rest = Math.floor(rest / 1000)) {
    out = `x${String(rest % 1000).padStart(3, '0')}/${out}`;
  }
  return out;
}

/** Inverse of {@link encodeTileIndex}; refuses every other spelling (`x000/001`, `1`, `001/002`). */
export function decodeTileIndex(s: string): number {
  const groups = s.split('/');
  let n = 0;
  groups.forEach((g, i) => {
    const last = i === groups.length - 1;
    const m = (last ? /^([0-9]{3})$/ : /^x([0-9]{3})$/).exec(g);
    if (m === null) throw bad(s);
    n = n * 1000 + Number(m[1]);
  });
  if (!Number.isSafeInteger(n) || encodeTileIndex(n) !== s) throw bad(s);
  return n;
}

export function tilePath(tile: Tile): string {
  if (!Number.isInteger(tile.width) || tile.width < 1 || tile.width > TILE_WIDTH) {
    throw new RangeError(`bad tile width ${tile.width}`);
  }
  if (tile.level !== 'entries' && (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > 63)) {
    throw new RangeError(`bad tile level ${tile.level}`);
  }
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${partial}`;
}

/** Parses `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]` (without any URL prefix). */
export function parseTilePath(path: string): Tile {
  const m = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(
    path,
  );
  if (m === null) throw bad(path);
  const tile: Tile = {
    level: m[1] === 'entries' ? 'entries' : Number(m[1]),
    index: decodeTileIndex(m[2]!),
    width: m[3] === undefined ? TILE_WIDTH : Number(m[3]),
  };
  if ((m[3] !== undefined && tile.width >= TILE_WIDTH) || tilePath(tile) !== path) throw bad(path);
  return tile;
}

export interface TileLevel {
  level: number;
  fullTiles: number;
  /** Width of the one partial tile at the right edge, or null when the level ends on a full tile. */
  partialWidth: number | null;
}

/**
 * Which tiles exist for a tree size: at level L there are floor(size / 256^L) hashes, in full tiles
 * of 256 and at most one partial tile. Levels with no hash have no tiles.
 */
export function tileLevels(treeSize: number): TileLevel[] {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new RangeError(`bad tree size ${treeSize}`);
  const out: TileLevel[] = [];
  for (let level = 0, hashes = treeSize; hashes > 0; level++, hashes = Math.floor(hashes / TILE_WIDTH)) {
    const partial = hashes % TILE_WIDTH;
    out.push({
      level,
      fullTiles: Math.floor(hashes / TILE_WIDTH),
      partialWidth: partial === 0 ? null : partial,
    });
  }
  return out;
}

/** The path of the partial tile at `level` for a tree size, or null if the level has none. */
export function partialTilePath(treeSize: number, level: number): string | null {
  const l = tileLevels(treeSize)[level];
  if (l?.partialWidth == null) return null;
  return tilePath({ level, index: l.fullTiles, width: l.partialWidth });
}

/**
 * Go's sum database names tiles with an extra height element, `tile/<H>/<L|data>/<N>[.p/<W>]`
 * (C2SP fixes H = 8 and drops it). Parsed here so Guarantor's tooling can read Go-style mirrors;
 * `data` tiles get level -1 as in Go.
 */
export interface SumdbTile {
  height: number;
  level: number;
  index: number;
  width: number;
}

export function sumdbTilePath(t: SumdbTile): string {
  const level = t.level === -1 ? 'data' : String(t.level);
  const partial = t.width < 2 ** t.height ? `.p/${t.width}` : '';
  return `tile/${t.height}/${level}/${encodeTileIndex(t.index)}${partial}`;
}

export function parseSumdbTilePath(path: string): SumdbTile {
  const m =
    /^tile\/([1-9][0-9]?)\/(data|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]*))?$/.exec(
      path,
    );
  if (m === null) throw bad(path);
  const height = Number(m[1]);
  if (height > 30) throw bad(path);
  const full = 2 ** height;
  const t: SumdbTile = {
    height,
    level: m[2] === 'data' ? -1 : Number(m[2]),
    index: decodeTileIndex(m[3]!),
    width: m[4] === undefined ? full : Number(m[4]),
  };
  if (t.width >= full && m[4] !== undefined) throw bad(path);
  if (sumdbTilePath(t) !== path) throw bad(path);
  return t;
}

/** An entry bundle is the entries, each prefixed with its length as a big-endian uint16. */
export function formatEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const e of entries) {
    if (e.length > 0xffff) throw new RangeError('an entry is longer than 65535 bytes');
    size += 2 + e.length;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const e of entries) {
    out[o] = e.length >>> 8;
    out[o + 1] = e.length & 255;
    out.set(e, o + 2);
    o += 2 + e.length;
  }
  return out;
}

export function parseEntryBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (o + 2 > bytes.length) throw new VerificationError('bad_input', 'entry bundle ends inside a length');
    const n = (bytes[o]! << 8) | bytes[o + 1]!;
    if (o + 2 + n > bytes.length)
      throw new VerificationError('bad_input', 'entry bundle ends inside an entry');
    out.push(bytes.slice(o + 2, o + 2 + n));
    o += 2 + n;
  }
  return out;
}
