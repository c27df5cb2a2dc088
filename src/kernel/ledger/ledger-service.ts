/**
 * The ledger's Merkle tree on the server: grows it from the leaves `appendLeaves` wrote, signs
 * checkpoints, and answers proofs, tiles and entry bundles from what is stored.
 *
 * The tree lives in `ledger_tiles` (see tile-tree.ts). `extend` reads the leaves past the stored
 * size in batches, each batch one write transaction, so ingest waits at most one batch for the lock
 * and a crash loses nothing but the batch in flight. Proofs read the few tiles they need in one query
 * and hash nothing: a proof at ten million leaves costs what a proof at ten does.
 *
 * Once a leaf is in the tree its hash is never read from `ledger_leaves` again: rewriting that table
 * afterwards cannot move a root, and `guarantor audit` compares the two.
 */

import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Store, Tx } from '../store/store.ts';
import { utf8 } from './bytes.ts';
import { formatCheckpoint } from './checkpoint.ts';
import { leafData } from './leaf.ts';
import type { LogKey } from './log-key.ts';
import {
  consistencyProof,
  consistencyProofNodes,
  HASH_SIZE,
  inclusionProof,
  inclusionProofNodes,
  type NodeId,
  rootAt,
  rootNodes,
} from './merkle.ts';
import { signNote } from './note.ts';
import { growTiles, partialTiles, type TileData, TileReader, tilesForNodes } from './tile-tree.ts';
import { formatEntryBundle, TILE_WIDTH } from './tiles.ts';

export interface SignedCheckpoint {
  size: number;
  root: Uint8Array;
  /** The C2SP signed note, as served at /ledger/checkpoint. */
  note: string;
  createdAt: string;
}

export interface LedgerServiceOptions {
  /** Leaves per write transaction while extending. */
  batchSize?: number;
  now?: () => Date;
  /** Where the scheduler reports a failed checkpoint (it keeps running). */
  onError?: (error: unknown) => void;
}

/** A request for a part of the tree that does not exist (yet); routes turn it into a 400 or 404. */
export class LedgerRangeError extends Error {
  override name = 'LedgerRangeError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface RecordProof {
  kind: string;
  recordId: string;
  leafIndex: number;
  treeSize: number;
  leafHash: Uint8Array;
  /** SHA-256(salt || canonical content), hex: the record's content stays private without the salt. */
  commitment: string;
  at: string;
  proof: Uint8Array[];
  /** The signed checkpoint of `treeSize`, when one was made at that size. */
  checkpoint: SignedCheckpoint | undefined;
  /** Every leaf of this record (a record that changed has several), oldest first. */
  leafIndexes: number[];
}

type Db = Kysely<Database>;

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function unb64(text: string): Uint8Array {
  const b = Buffer.from(text, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export class LedgerService {
  private readonly batchSize: number;
  private readonly now: () => Date;
  /** The largest size seen; the tree only grows, so sizes at or below it need no query. */
  private knownSize = 0;

  constructor(
    private readonly store: Store,
    private readonly key: LogKey,
    private readonly options: LedgerServiceOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 65_536;
    this.now = options.now ?? (() => new Date());
  }

  get origin(): string {
    return this.key.origin;
  }

  get vkey(): string {
    return this.key.vkey;
  }

  /** Leaves in the stored tree (which may be ahead of the latest checkpoint). */
  async treeSize(db: Db = this.store.db): Promise<number> {
    const last = await db
      .selectFrom('ledger_tiles')
      .select(['idx', 'width'])
      .where('level', '=', 0)
      .orderBy('idx', 'desc')
      .limit(1)
      .executeTakeFirst();
    const size = last ? Number(last.idx) * TILE_WIDTH + Number(last.width) : 0;
    if (size > this.knownSize) this.knownSize = size;
    return size;
  }

  /** Adds every leaf written since the last call to the stored tree; returns the new size. */
  async extend(): Promise<number> {
    for (;;) {
      const { size, more } = await this.store.transaction((trx) => this.extendBatch(trx));
      if (!more) return size;
    }
  }

  private async extendBatch(trx: Tx): Promise<{ size: number; more: boolean }> {
    const size = await this.treeSize(trx);
    const rows = await trx
      .selectFrom('ledger_leaves')
      .select(['idx', 'leaf_hash'])
      .where('idx', '>=', size)
      .orderBy('idx')
      .limit(this.batchSize)
      .execute();
    // Leaf indexes are dense; stop short of any gap rather than give a leaf the wrong position.
    let n = 0;
    while (n < rows.length && Number(rows[n]!.idx) === size + n) n++;
    if (n === 0) return { size, more: false };
    const leaves = new Uint8Array(n * HASH_SIZE);
    for (let i = 0; i < n; i++) {
      const hex = rows[i]!.leaf_hash;
      if (hex.length !== 2 * HASH_SIZE) throw new Error(`ledger leaf ${size + i} has a malformed hash`);
      leaves.set(Buffer.from(hex, 'hex'), i * HASH_SIZE);
    }
    const partials = new Map<number, Uint8Array>();
    for (const t of await this.readTiles(trx, partialTiles(size))) partials.set(t.level, t.hashes);
    const tiles = growTiles(size, partials, leaves);
    const values = tiles.map((t) => ({
      level: t.level,
      idx: t.index,
      width: t.hashes.length / HASH_SIZE,
      hashes: b64(t.hashes),
      interior: b64(t.interior),
    }));
    for (let i = 0; i < values.length; i += 1000) {
      await trx
        .insertInto('ledger_tiles')
        .values(values.slice(i, i + 1000))
        .onConflict((oc) =>
          oc.columns(['level', 'idx']).doUpdateSet((eb) => ({
            width: eb.ref('excluded.width'),
            hashes: eb.ref('excluded.hashes'),
            interior: eb.ref('excluded.interior'),
          })),
        )
        .execute();
    }
    this.knownSize = Math.max(this.knownSize, size + n);
    return { size: size + n, more: n === this.batchSize };
  }

  /** Tiles by (level, index), in one query; absent ones are left out. */
  private async readTiles(db: Db, keys: readonly { level: number; index: number }[]): Promise<TileData[]> {
    if (keys.length === 0) return [];
    const rows = await db
      .selectFrom('ledger_tiles')
      .select(['level', 'idx', 'hashes', 'interior'])
      .where((eb) => eb.or(keys.map((k) => eb.and([eb('level', '=', k.level), eb('idx', '=', k.index)]))))
      .execute();
    return rows.map((r) => ({
      level: Number(r.level),
      index: Number(r.idx),
      hashes: unb64(r.hashes),
      interior: unb64(r.interior),
    }));
  }

  /** A reader able to answer exactly `nodes`, fetched in one query. */
  private async readerFor(nodes: readonly NodeId[], db: Db = this.store.db): Promise<TileReader> {
    const tiles = await this.readTiles(db, tilesForNodes(nodes));
    const byKey = new Map(tiles.map((t) => [`${t.level}/${t.index}`, t]));
    return new TileReader((level, index) => byKey.get(`${level}/${index}`));
  }

  private async checkSize(size: number, field: string, db: Db = this.store.db): Promise<void> {
    if (!Number.isSafeInteger(size) || size < 0)
      throw new LedgerRangeError(`${field} is not a tree size`, field);
    if (size > this.knownSize && size > (await this.treeSize(db))) {
      throw new LedgerRangeError(`${field} ${size} is beyond the tree's ${this.knownSize} leaves`, field);
    }
  }

  async rootAt(size: number, db: Db = this.store.db): Promise<Uint8Array> {
    await this.checkSize(size, 'size', db);
    return rootAt(size, await this.readerFor(size === 0 ? [] : rootNodes(size), db));
  }

  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    await this.checkSize(size, 'size');
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new LedgerRangeError(`index ${index} is not below size ${size}`, 'index');
    }
    return inclusionProof(index, size, await this.readerFor(inclusionProofNodes(index, size)));
  }

  async consistencyProof(size1: number, size2: number): Promise<Uint8Array[]> {
    await this.checkSize(size2, 'to');
    if (!Number.isSafeInteger(size1) || size1 < 1 || size1 > size2) {
      throw new LedgerRangeError(`from must be between 1 and ${size2}`, 'from');
    }
    return consistencyProof(size1, size2, await this.readerFor(consistencyProofNodes(size1, size2)));
  }

  /** The stored hash of one leaf, from the tree (not from `ledger_leaves`). */
  async leafHash(index: number, size?: number): Promise<Uint8Array> {
    const limit = size ?? (await this.treeSize());
    if (!Number.isSafeInteger(index) || index < 0 || index >= limit) {
      throw new LedgerRangeError(`index ${index} is not below size ${limit}`, 'index');
    }
    return (await this.readerFor([{ level: 0, index }])).nodeHash(0, index);
  }

  /** Extends the tree, then signs a checkpoint of it unless the latest one already has this size. */
  async checkpoint(): Promise<SignedCheckpoint> {
    await this.extend();
    return this.store.transaction(async (trx) => {
      const size = await this.treeSize(trx);
      const latest = await this.latestCheckpoint(trx);
      if (latest !== undefined && latest.size >= size) return latest;
      const root = await this.rootAt(size, trx);
      const note = signNote(formatCheckpoint({ origin: this.origin, size, rootHash: root, extensions: [] }), [
        this.key.signer,
      ]);
      const createdAt = this.now().toISOString();
      await trx
        .insertInto('ledger_checkpoints')
        .values({ size, root: b64(root), note, created_at: createdAt })
        .execute();
      return { size, root, note, createdAt };
    });
  }

  async latestCheckpoint(db: Db = this.store.db): Promise<SignedCheckpoint | undefined> {
    const row = await db
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toCheckpoint(row);
  }

  async checkpointAt(size: number): Promise<SignedCheckpoint | undefined> {
    const row = await this.store.db
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .where('size', '=', size)
      .executeTakeFirst();
    return row && toCheckpoint(row);
  }

  /**
   * The inclusion proof of a record's most recent leaf, against the checkpoint of `size` or, by
   * default, the latest checkpoint (made now if the leaf is newer than it). Undefined if the record
   * has no leaf in the tree of that size.
   */
  async proofForRecord(kind: string, recordId: string, size?: number): Promise<RecordProof | undefined> {
    const leaves = await this.store.db
      .selectFrom('ledger_leaves')
      .select(['idx', 'commitment', 'at'])
      .where('kind', '=', kind)
      .where('record_id', '=', recordId)
      .orderBy('idx')
      .execute();
    if (leaves.length === 0) return undefined;
    let checkpoint: SignedCheckpoint | undefined;
    if (size === undefined) {
      checkpoint = await this.latestCheckpoint();
      if (checkpoint === undefined || Number(leaves[leaves.length - 1]!.idx) >= checkpoint.size) {
        checkpoint = await this.checkpoint();
      }
    } else {
      await this.checkSize(size, 'size');
      checkpoint = await this.checkpointAt(size);
    }
    const treeSize = size ?? checkpoint!.size;
    const leaf = leaves.filter((l) => Number(l.idx) < treeSize).pop();
    if (leaf === undefined) return undefined;
    const leafIndex = Number(leaf.idx);
    return {
      kind,
      recordId,
      leafIndex,
      treeSize,
      leafHash: await this.leafHash(leafIndex, treeSize),
      commitment: leaf.commitment,
      at: leaf.at,
      proof: await this.inclusionProof(leafIndex, treeSize),
      checkpoint,
      leafIndexes: leaves.map((l) => Number(l.idx)),
    };
  }

  private async covers(size: number): Promise<boolean> {
    return size <= this.knownSize || size <= (await this.treeSize());
  }

  /** The C2SP tile body (width hashes), or undefined when the tree has no such tile yet. */
  async tile(level: number, index: number, width: number): Promise<Uint8Array | undefined> {
    // Asked for beyond the tree (which also keeps huge indexes away from PostgreSQL's int columns).
    if (!(await this.covers((index * TILE_WIDTH + width) * TILE_WIDTH ** level))) return undefined;
    const row = await this.store.db
      .selectFrom('ledger_tiles')
      .select(['width', 'hashes'])
      .where('level', '=', level)
      .where('idx', '=', index)
      .executeTakeFirst();
    if (row === undefined || Number(row.width) < width) return undefined;
    return unb64(row.hashes).slice(0, width * HASH_SIZE);
  }

  /** The entry bundle: each entry is a leaf's data, the bytes its leaf hash is taken over. */
  async entryBundle(index: number, width: number): Promise<Uint8Array | undefined> {
    const start = index * TILE_WIDTH;
    if (!(await this.covers(start + width))) return undefined;
    const rows = await this.store.db
      .selectFrom('ledger_leaves')
      .select(['idx', 'kind', 'record_id', 'at', 'commitment'])
      .where('idx', '>=', start)
      .where('idx', '<', start + width)
      .orderBy('idx')
      .execute();
    if (rows.length !== width) return undefined;
    return formatEntryBundle(rows.map((r) => utf8(leafData(r.kind, r.record_id, r.at, r.commitment))));
  }

  /**
   * Checkpoints now and then every `intervalMs` (only when leaves were added). Returns a stop
   * function that waits for a checkpoint in progress, so the store can be closed after it.
   */
  startCheckpointing(intervalMs: number): () => Promise<void> {
    let running: Promise<void> | undefined;
    let stopped = false;
    const tick = () => {
      if (running !== undefined || stopped) return;
      running = this.checkpoint()
        .then(
          () => undefined,
          (e: unknown) => this.options.onError?.(e),
        )
        .finally(() => {
          running = undefined;
        });
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    };
  }
}

function toCheckpoint(row: {
  size: number;
  root: string;
  note: string;
  created_at: string;
}): SignedCheckpoint {
  return { size: Number(row.size), root: unb64(row.root), note: row.note, createdAt: row.created_at };
}
