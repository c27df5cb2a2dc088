/**
 * Writes the ledger as a C2SP tlog-tiles directory (checkpoint, vkey, tile/<L>/..., tile/entries/...)
 * that `guarantor verify DIR` and any static web server can use. Full tiles never change, so a
 * repeated export into the same directory writes only what is new; the checkpoint is written last
 * (atomically), so a reader never finds a checkpoint whose tiles are not there yet.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LedgerService, SignedCheckpoint } from './ledger-service.ts';
import { TILE_WIDTH, type Tile, tileLevels, tilePath } from './tiles.ts';

function writeAtomically(file: string, data: Uint8Array | string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export async function exportTiles(
  ledger: LedgerService,
  dir: string,
): Promise<{ checkpoint: SignedCheckpoint; written: number }> {
  const checkpoint = await ledger.checkpoint();
  const tiles: Tile[] = [];
  for (const l of tileLevels(checkpoint.size)) {
    for (let index = 0; index < l.fullTiles; index++) {
      tiles.push({ level: l.level, index, width: TILE_WIDTH });
      if (l.level === 0) tiles.push({ level: 'entries', index, width: TILE_WIDTH });
    }
    if (l.partialWidth !== null) {
      tiles.push({ level: l.level, index: l.fullTiles, width: l.partialWidth });
      if (l.level === 0) tiles.push({ level: 'entries', index: l.fullTiles, width: l.partialWidth });
    }
  }
  let written = 0;
  for (const t of tiles) {
    const file = join(dir, tilePath(t));
    if (t.width === TILE_WIDTH && existsSync(file)) continue;
    const bytes =
      t.level === 'entries'
        ? await ledger.entryBundle(t.index, t.width)
        : await ledger.tile(t.level, t.index, t.width);
    if (bytes === undefined) throw new Error(`the ledger has no ${tilePath(t)} at size ${checkpoint.size}`);
    writeAtomically(file, bytes);
    written++;
  }
  writeAtomically(join(dir, 'vkey'), `${ledger.vkey}\n`);
  writeAtomically(join(dir, 'checkpoint'), checkpoint.note);
  return { checkpoint, written };
}
