/**
 * The ledger checks a backup and a restore make: rebuild the Merkle tree from `ledger_leaves` (each
 * leaf's hash recomputed from its data, indexes dense from 0), then hold it against signed
 * checkpoints and the stored tiles. A copy whose rows were changed, dropped or reordered after a
 * checkpoint was signed cannot produce that checkpoint's root, and the log key is not in the backup,
 * so whoever altered the copy cannot sign a new one.
 *
 * Rows come from wherever the copy is (a SQLite file, a pg_dump's COPY data), as plain iterables.
 */
import type { Kysely } from 'kysely';
import { bytesEqual, fromBase64, toBase64 } from '../ledger/bytes.ts';
import { openCheckpoint } from '../ledger/checkpoint.ts';
import { nodeEd25519 } from '../ledger/ed25519-node.ts';
import { leafData, leafHash } from '../ledger/leaf.ts';
import { HASH_SIZE } from '../ledger/merkle.ts';
import { MerkleTree } from '../ledger/merkle-tree.ts';
import { ed25519Verifier, type NoteVerifier, parseEd25519VerifierKey } from '../ledger/note.ts';
import { TILE_WIDTH } from '../ledger/tiles.ts';
import type { BackupManifest } from './backup-manifest.ts';
import type { Database } from './schema.ts';

export interface LeafRow {
  idx: number;
  kind: string;
  record_id: string;
  leaf_hash: string;
  commitment: string;
  at: string;
}

export interface CheckpointRow {
  size: number;
  root: string;
  note: string;
  created_at: string;
}

export interface TileRow {
  level: number;
  idx: number;
  width: number;
  hashes: string;
}

/** The log's verifier with the origin its checkpoints must name. */
export interface LogVerifier extends NoteVerifier {
  origin: string;
  vkey: string;
}

/** Parses a verifier key line (`name+hash+base64`); throws with the parser's reason. */
export function logVerifier(vkey: string): LogVerifier {
  const text = vkey.trim();
  return { ...ed25519Verifier(text, nodeEd25519), origin: parseEd25519VerifierKey(text).name, vkey: text };
}

/** Listing stops here: past a few, more names help nobody find the cause. */
const MAX_PROBLEMS = 20;

class Problems {
  readonly list: string[] = [];
  add(problem: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(problem);
    else if (this.list.length === MAX_PROBLEMS) this.list.push('(further problems not listed)');
  }
}

export interface RebuiltLedger {
  tree: MerkleTree;
  /** Leaves whose hash or position is wrong; the tree stops before the first of them. */
  problems: string[];
}

/**
 * Rebuilds the tree from leaves in index order. A leaf whose stored hash does not match its data, or
 * an index out of sequence, ends the tree there: everything after it has no trustworthy position.
 */
export async function rebuildTree(rows: Iterable<LeafRow> | AsyncIterable<LeafRow>): Promise<RebuiltLedger> {
  const tree = new MerkleTree();
  const problems = new Problems();
  let broken = false;
  for await (const row of rows) {
    if (broken) continue;
    const idx = Number(row.idx);
    const expected = tree.size;
    if (idx !== expected) {
      problems.add(
        idx > expected
          ? `ledger leaf ${expected} is missing (leaf ${idx} comes in its place)`
          : `ledger leaf ${idx} (${row.kind} ${row.record_id}) is out of order`,
      );
      broken = true;
      continue;
    }
    const hash = leafHash(leafData(row.kind, row.record_id, row.at, row.commitment));
    if (hash !== row.leaf_hash) {
      problems.add(`ledger leaf ${idx} (${row.kind} ${row.record_id}) does not match its hash`);
      broken = true;
      continue;
    }
    tree.append(Buffer.from(hash, 'hex'));
  }
  return { tree, problems: problems.list };
}

function rootOk(tree: MerkleTree, size: number, root: string): boolean {
  if (size > tree.size) return false;
  try {
    return bytesEqual(tree.root(size), fromBase64(root));
  } catch {
    return false;
  }
}

export interface LedgerCheckInput {
  rebuilt: RebuiltLedger;
  checkpoints: Iterable<CheckpointRow> | AsyncIterable<CheckpointRow>;
  tiles?: Iterable<TileRow> | AsyncIterable<TileRow>;
  manifest: BackupManifest['ledger'];
  verifier: LogVerifier;
}

/**
 * Everything that is wrong with a copy's ledger, each named; empty when it verifies: the manifest's
 * checkpoint is signed by the log and its root is the rebuilt tree's, and so is every stored
 * checkpoint's and every stored tile's (the server proves from the tiles, not from the leaves).
 */
export async function checkLedger(input: LedgerCheckInput): Promise<string[]> {
  const { rebuilt, manifest, verifier } = input;
  const { tree } = rebuilt;
  const problems = new Problems();
  for (const p of rebuilt.problems) problems.add(p);

  const signed = (note: string, what: string) => {
    try {
      return openCheckpoint(note, { origin: verifier.origin, log: verifier }).checkpoint;
    } catch (e) {
      problems.add(`${what} does not verify with the log key ${verifier.origin}: ${(e as Error).message}`);
      return undefined;
    }
  };

  const named = manifest.checkpoint;
  if (named !== null) {
    const c = signed(named.note, `the backup's checkpoint at size ${named.size}`);
    if (c !== undefined) {
      if (c.size !== named.size || toBase64(c.rootHash) !== named.root) {
        problems.add(`the manifest's checkpoint fields disagree with its signed note`);
      }
      if (c.size > tree.size) {
        problems.add(`the backup's checkpoint covers ${c.size} leaves but the database holds ${tree.size}`);
      } else if (!bytesEqual(tree.root(c.size), c.rootHash)) {
        problems.add(
          `the ledger's first ${c.size} leaves do not hash to the root of the backup's signed checkpoint`,
        );
      }
    }
  }
  if (!rootOk(tree, manifest.treeSize, manifest.treeRoot)) {
    problems.add(
      `the ledger's first ${manifest.treeSize} leaves do not hash to the root the manifest recorded`,
    );
  }

  let namedStored = named === null;
  for await (const row of input.checkpoints) {
    const size = Number(row.size);
    if (named !== null && row.note === named.note) namedStored = true;
    const c = signed(row.note, `stored checkpoint ${size}`);
    if (c === undefined) continue;
    if (c.size !== size || toBase64(c.rootHash) !== row.root) {
      problems.add(`stored checkpoint ${size}: its columns disagree with its signed note`);
    } else if (!rootOk(tree, size, row.root)) {
      problems.add(`stored checkpoint ${size}: the ledger's leaves do not hash to its root`);
    }
  }
  if (!namedStored) problems.add(`the database lacks the checkpoint the manifest names`);

  for await (const t of input.tiles ?? []) {
    const [level, index, width] = [Number(t.level), Number(t.idx), Number(t.width)];
    const hashes = Buffer.from(t.hashes, 'base64');
    if (hashes.length !== width * HASH_SIZE) {
      problems.add(`ledger tile ${level}/${index} holds ${hashes.length} bytes, not ${width} hashes`);
      continue;
    }
    for (let i = 0; i < width; i++) {
      const node = index * TILE_WIDTH + i;
      // Tree level 8·level: complete subtrees of 256^level leaves each.
      if ((node + 1) * TILE_WIDTH ** level > tree.size) {
        problems.add(`ledger tile ${level}/${index} reaches past the ${tree.size} leaves that verify`);
        break;
      }
      if (!bytesEqual(tree.nodeHash(8 * level, node), hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
        problems.add(`ledger tile ${level}/${index} does not match the leaves (hash ${i})`);
        break;
      }
    }
  }
  return problems.list;
}

/** Leaves of a live store in index order, read in batches so a large log never sits in memory. */
export async function* storeLeaves(db: Kysely<Database>, batch = 10_000): AsyncIterable<LeafRow> {
  let from = 0;
  for (;;) {
    const rows = await db
      .selectFrom('ledger_leaves')
      .select(['idx', 'kind', 'record_id', 'leaf_hash', 'commitment', 'at'])
      .where('idx', '>=', from)
      .orderBy('idx')
      .limit(batch)
      .execute();
    for (const r of rows) yield { ...r, idx: Number(r.idx) };
    if (rows.length < batch) return;
    from = Number(rows[rows.length - 1]!.idx) + 1;
  }
}
