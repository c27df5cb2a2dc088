/**
 * `guarantor audit`: checks the database against the ledger and names the first record or leaf that
 * was modified, deleted, reordered or inserted behind Guarantor's back (by someone with write access
 * to the database, say).
 *
 * Three layers, each checked against the one above it:
 * 1. Signed checkpoints: each stored root must be the root its signed note states, and (given the
 *    log's key) the note must verify.
 * 2. The stored tree (`ledger_tiles`): the level-0 hashes must hash up to every checkpoint's root,
 *    every tile's interior and every higher tile must follow from the tiles below. Once a leaf is in
 *    the tree its hash is fixed there, whatever later happens to `ledger_leaves`.
 * 3. Leaves and records: leaf indexes must be dense; each leaf's hash must be the hash of its own
 *    fields and equal the tree's hash at its index (a mismatch found elsewhere in the tree is a
 *    reordering); each record a {@link RecordAuditor} can rebuild must give back the committed
 *    content, salted, as the leaf's commitment; and every such record must have its leaf.
 *
 * The result is the first problem in ledger order (records without any leaf come after all leaves),
 * or counts of what was checked. Leaves past the stored tree are checked against their own fields
 * and records only: nothing committed to them yet.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { bytesEqual, fromBase64, toBase64, toHex } from './bytes.ts';
import { openCheckpoint, parseCheckpoint } from './checkpoint.ts';
import { nodeEd25519 } from './ed25519-node.ts';
import { commitmentOf, leafData, leafHash, type PreparedLeaf } from './leaf.ts';
import type { LedgerService } from './ledger-service.ts';
import { emptyRoot, HASH_SIZE, nodeHash } from './merkle.ts';
import { ed25519Verifier, parseEd25519VerifierKey, parseNote } from './note.ts';
import { tileInterior } from './tile-tree.ts';
import { TILE_WIDTH } from './tiles.ts';

export type AuditFinding =
  /** A checkpoint row disagrees with its signed note, or the note does not verify. */
  | 'checkpoint_mismatch'
  /** The stored tree no longer hashes up to a signed root, or its tiles disagree with each other. */
  | 'tile_mismatch'
  | 'leaf_deleted'
  | 'leaf_modified'
  | 'leaf_reordered'
  | 'leaf_inserted'
  | 'record_modified'
  | 'record_deleted'
  /** A record with no leaf: written outside Guarantor. */
  | 'record_inserted'
  /** A record that should have one leaf has several. */
  | 'record_duplicated';

export interface AuditProblem {
  finding: AuditFinding;
  /** The leaf concerned; absent for a record without any leaf. */
  leafIndex?: number;
  /** The leaf kind (`report`, `zone`, ...) of the record concerned. */
  recordKind?: string;
  recordId?: string;
  message: string;
}

export interface AuditCounts {
  leaves: number;
  /** Leaves in the stored (committed) tree. */
  treeSize: number;
  checkpoints: number;
  /** Records whose content was rebuilt and matched its commitment, by leaf kind. */
  records: Record<string, number>;
  /** Leaves no auditor can rebuild the content of (kinds added later, superseded versions). */
  contentUnchecked: number;
}

export interface AuditResult {
  ok: boolean;
  problem?: AuditProblem;
  counts: AuditCounts;
}

/** A leaf as audited: its row in `ledger_leaves`. */
export interface AuditLeaf {
  idx: number;
  kind: string;
  recordId: string;
  commitment: string;
  salt: string;
  at: string;
}

/**
 * What a leaf should commit to, rebuilt from the records: any of `candidates` (several where the
 * stored rows cannot tell which one the leaf was written for), or why not.
 */
export type Rebuilt =
  | { candidates: unknown[] }
  | { finding: 'record_deleted' | 'record_modified' | 'record_inserted'; message: string }
  /** Not checkable, e.g. an older version of a record that has since changed. */
  | { skip: true };

/** Rebuilds committed content for some leaf kinds; one per kind of record. */
export interface RecordAuditor {
  kinds: readonly string[];
  /** Records that get exactly one leaf (a report), as opposed to one per change (a zone). */
  onePerRecord?: boolean;
  /** For a page of leaves of `kinds`, in index order: what each should commit to, by leaf index. */
  rebuild(db: Kysely<Database>, leaves: AuditLeaf[]): Promise<Map<number, Rebuilt>>;
  /** The first stored record that has no leaf at all. */
  unledgered?(db: Kysely<Database>): Promise<{ recordKind: string; recordId: string } | undefined>;
}

export interface AuditOptions {
  /** Its verifier key checks the checkpoints' signatures; without it only their text is compared. */
  ledger?: LedgerService;
  vkey?: string;
  /** Default: the monitoring records (reports, zones, sectors, participants, incident history). */
  auditors?: readonly RecordAuditor[];
  /** Leaves per query. */
  pageSize?: number;
}

class Found extends Error {
  constructor(readonly problem: AuditProblem) {
    super(problem.message);
  }
}

function found(problem: AuditProblem): never {
  throw new Found(problem);
}

type Db = Kysely<Database>;

/** Root of the first n leaves, kept as a stack of complete subtrees so any prefix's root is cheap. */
class RunningRoot {
  private readonly stack: { size: number; hash: Uint8Array }[] = [];
  size = 0;

  push(h: Uint8Array): void {
    let top = { size: 1, hash: h };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.size === top.size) {
      const left = this.stack.pop()!;
      top = { size: left.size * 2, hash: nodeHash(left.hash, top.hash) };
    }
    this.stack.push(top);
    this.size++;
  }

  root(): Uint8Array {
    if (this.stack.length === 0) return emptyRoot();
    let r = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) r = nodeHash(this.stack[i]!.hash, r);
    return r;
  }
}

interface CheckpointRow {
  size: number;
  root: string;
  note: string;
}

/** Checkpoints in size order, a page at a time. */
async function* checkpointRows(db: Db, page: number): AsyncGenerator<CheckpointRow> {
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom('ledger_checkpoints')
      .select(['size', 'root', 'note'])
      .where('size', '>', after)
      .orderBy('size')
      .limit(page)
      .execute();
    for (const r of rows) yield { size: Number(r.size), root: r.root, note: r.note };
    if (rows.length < page) return;
    after = Number(rows[rows.length - 1]!.size);
  }
}

interface TileRow {
  idx: number;
  width: number;
  hashes: Uint8Array;
  interior: string;
}

async function tileRows(db: Db, level: number, from: number, to: number): Promise<TileRow[]> {
  const rows = await db
    .selectFrom('ledger_tiles')
    .select(['idx', 'width', 'hashes', 'interior'])
    .where('level', '=', level)
    .where('idx', '>=', from)
    .where('idx', '<', to)
    .orderBy('idx')
    .execute();
  return rows.map((r) => ({
    idx: Number(r.idx),
    width: Number(r.width),
    hashes: fromBase64(r.hashes),
    interior: r.interior,
  }));
}

async function storedTreeSize(db: Db): Promise<number> {
  const last = await db
    .selectFrom('ledger_tiles')
    .select(['idx', 'width'])
    .where('level', '=', 0)
    .orderBy('idx', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last ? Number(last.idx) * TILE_WIDTH + Number(last.width) : 0;
}

/**
 * Checks one tile's shape; returns its root when it is full, and whether its stored interior follows
 * from its hashes (reported only once nothing more telling was found: a rewritten hash also breaks
 * the interior, and the signed root says more about it).
 */
function checkTile(
  level: number,
  tile: TileRow,
  expectedIdx: number,
  isLast: boolean,
): { root: Uint8Array | null; interiorProblem?: AuditProblem } {
  const name = `tile ${level}/${tile.idx}`;
  if (tile.idx !== expectedIdx) {
    found({
      finding: 'tile_mismatch',
      message: `tile ${level}/${expectedIdx} is missing from the stored tree`,
    });
  }
  if (tile.hashes.length !== tile.width * HASH_SIZE || tile.width < 1 || tile.width > TILE_WIDTH) {
    found({
      finding: 'tile_mismatch',
      message: `${name} holds ${tile.hashes.length} bytes for width ${tile.width}`,
    });
  }
  if (!isLast && tile.width !== TILE_WIDTH) {
    found({ finding: 'tile_mismatch', message: `${name} is partial but is not the last tile of its level` });
  }
  const { interior, root } = tileInterior(tile.hashes);
  if (toBase64(interior) === tile.interior) return { root };
  return {
    root,
    interiorProblem: {
      finding: 'tile_mismatch',
      message: `${name}'s interior hashes do not follow from its hashes`,
    },
  };
}

/**
 * Layer 1 and 2 (and the leaf walk of layer 3, which shares the pass over level-0 tiles). Returns
 * the counts; throws {@link Found}.
 */
async function auditTree(
  db: Db,
  vkey: string | undefined,
  page: number,
): Promise<{ leaves: number; treeSize: number; checkpoints: number }> {
  const treeSize = await storedTreeSize(db);
  const verifier = vkey ? ed25519Verifier(vkey, nodeEd25519) : undefined;
  const origin = vkey ? parseEd25519VerifierKey(vkey).name : undefined;
  const checkpoints = checkpointRows(db, 1000);
  let nextCheckpoint = (await checkpoints.next()).value as CheckpointRow | undefined;
  let checkpointCount = 0;
  const running = new RunningRoot();
  let interiorProblem: AuditProblem | undefined;
  /**
   * The first leaf that differs from the tree's hash at its index. Whether the leaf or the tree was
   * rewritten is for the next signed root to say, so it is raised only once that root checks out.
   */
  let leafMismatch: (() => Promise<never>) | undefined;

  const checkCheckpoint = async (cp: CheckpointRow) => {
    checkpointCount++;
    const where = `the checkpoint of size ${cp.size}`;
    if (cp.size > treeSize) {
      found({ finding: 'tile_mismatch', message: `${where} is beyond the stored tree's ${treeSize} leaves` });
    }
    let stated: ReturnType<typeof parseCheckpoint>;
    try {
      stated = verifier
        ? openCheckpoint(cp.note, { origin: origin!, log: verifier }).checkpoint
        : parseCheckpoint(parseNote(cp.note).text);
    } catch (e) {
      return found({
        finding: 'checkpoint_mismatch',
        message: `${where}: its note does not verify: ${(e as Error).message}`,
      });
    }
    if (stated.size !== cp.size || toBase64(stated.rootHash) !== cp.root) {
      found({
        finding: 'checkpoint_mismatch',
        message: `${where}: the stored size or root is not what its note says`,
      });
    }
    if (!bytesEqual(running.root(), stated.rootHash)) {
      found({
        finding: 'tile_mismatch',
        message: `the stored tree's first ${cp.size} leaves no longer hash to the signed root of ${where}`,
      });
    }
    if (leafMismatch) await leafMismatch();
  };

  // The leaves of the committed tree, compared hash by hash with level 0; then any leaves past it.
  let roots: Uint8Array[] = [];
  let leafCount = 0;
  const tilesPerPage = Math.max(1, Math.floor(page / TILE_WIDTH));
  const lastTile = Math.ceil(treeSize / TILE_WIDTH) - 1;
  for (let first = 0; first <= lastTile || first === 0; first += tilesPerPage) {
    const tiles = treeSize === 0 ? [] : await tileRows(db, 0, first, first + tilesPerPage);
    const level0 = new Uint8Array(
      Math.min(treeSize - first * TILE_WIDTH, tilesPerPage * TILE_WIDTH) * HASH_SIZE,
    );
    tiles.forEach((t, n) => {
      const checked = checkTile(0, t, first + n, t.idx === lastTile);
      if (checked.root) roots.push(checked.root);
      interiorProblem ??= checked.interiorProblem;
      level0.set(t.hashes, n * TILE_WIDTH * HASH_SIZE);
    });
    if (treeSize > 0 && first + tiles.length <= Math.min(lastTile, first + tilesPerPage - 1)) {
      found({
        finding: 'tile_mismatch',
        message: `tile 0/${first + tiles.length} is missing from the stored tree`,
      });
    }
    const start = first * TILE_WIDTH;
    const end = Math.min(treeSize, start + tilesPerPage * TILE_WIDTH);
    const leaves = await leafRows(db, start, end);
    for (let i = start; i < end; i++) {
      while (nextCheckpoint !== undefined && nextCheckpoint.size === i) {
        await checkCheckpoint(nextCheckpoint);
        nextCheckpoint = (await checkpoints.next()).value as CheckpointRow | undefined;
      }
      const committed = level0.subarray((i - start) * HASH_SIZE, (i - start + 1) * HASH_SIZE);
      running.push(committed);
      const row = leaves[i - start];
      if (row === undefined || row.idx !== i) {
        found({
          finding: 'leaf_deleted',
          leafIndex: i,
          message: `leaf ${i} of the committed tree is missing`,
        });
      }
      checkOwnHash(row);
      const committedHex = toHex(committed);
      if (row.leaf_hash !== committedHex && leafMismatch === undefined) {
        const next = leaves[i - start + 1];
        leafMismatch = () => explainMismatch(db, i, row, next, committedHex, treeSize);
      }
      leafCount++;
    }
    if (end >= treeSize) break;
  }
  while (nextCheckpoint !== undefined) {
    if (nextCheckpoint.size !== treeSize) {
      found({
        finding: 'tile_mismatch',
        message: `the checkpoint of size ${nextCheckpoint.size} is beyond the stored tree's ${treeSize} leaves`,
      });
    }
    await checkCheckpoint(nextCheckpoint);
    nextCheckpoint = (await checkpoints.next()).value as CheckpointRow | undefined;
  }
  // Past the last checkpoint nothing signed vouches for the tree: the leaves' own record decides.
  if (leafMismatch) await leafMismatch();
  if (interiorProblem) found(interiorProblem);

  // Higher tile levels must be built from the full tiles below them.
  for (
    let level = 1, below = treeSize;
    below >= TILE_WIDTH;
    level++, below = Math.floor(below / TILE_WIDTH)
  ) {
    const width = Math.floor(below / TILE_WIDTH);
    const tiles = await tileRows(db, level, 0, Math.ceil(width / TILE_WIDTH));
    const expected = new Uint8Array(roots.length * HASH_SIZE);
    for (let n = 0; n < roots.length; n++) expected.set(roots[n]!, n * HASH_SIZE);
    const next: Uint8Array[] = [];
    const last = Math.ceil(width / TILE_WIDTH) - 1;
    for (let n = 0; n <= last; n++) {
      const t = tiles[n];
      if (t === undefined)
        found({ finding: 'tile_mismatch', message: `tile ${level}/${n} is missing from the stored tree` });
      const checked = checkTile(level, t, n, n === last);
      if (checked.root) next.push(checked.root);
      const want = expected.subarray(n * TILE_WIDTH * HASH_SIZE, (n * TILE_WIDTH + t.width) * HASH_SIZE);
      if (!bytesEqual(want, t.hashes)) {
        found({
          finding: 'tile_mismatch',
          message: `tile ${level}/${n} does not hold the roots of the tiles below it`,
        });
      }
      if (checked.interiorProblem) found(checked.interiorProblem);
    }
    roots = next;
  }

  // Leaves not yet in the tree: dense, and true to their own fields.
  for (let start = treeSize; ; start += page) {
    const leaves = await leafRows(db, start, start + page);
    for (let n = 0; n < leaves.length; n++) {
      const row = leaves[n]!;
      if (row.idx !== start + n) {
        found({ finding: 'leaf_deleted', leafIndex: start + n, message: `leaf ${start + n} is missing` });
      }
      checkOwnHash(row);
      leafCount++;
    }
    if (leaves.length < page) break;
  }
  return { leaves: leafCount, treeSize, checkpoints: checkpointCount };
}

type LeafRow = PreparedLeaf & { idx: number };

async function leafRows(db: Db, from: number, to: number): Promise<LeafRow[]> {
  if (to <= from) return [];
  const rows = await db
    .selectFrom('ledger_leaves')
    .selectAll()
    .where('idx', '>=', from)
    .where('idx', '<', to)
    .orderBy('idx')
    .execute();
  return rows.map((r) => ({ ...r, idx: Number(r.idx) }));
}

function checkOwnHash(row: LeafRow): void {
  if (leafHash(leafData(row.kind, row.record_id, row.at, row.commitment)) !== row.leaf_hash) {
    found({
      finding: 'leaf_modified',
      leafIndex: row.idx,
      recordKind: row.kind,
      recordId: row.record_id,
      message: `leaf ${row.idx} (${row.kind} ${row.record_id}): its kind, record, time or commitment was changed`,
    });
  }
}

/** The leaf at `i` is not the tree's leaf `i`: find out whether it moved, was pushed along, or changed. */
async function explainMismatch(
  db: Db,
  i: number,
  row: LeafRow,
  nextRow: LeafRow | undefined,
  committed: string,
  treeSize: number,
): Promise<never> {
  const what = { leafIndex: i, recordKind: row.kind, recordId: row.record_id };
  const at = await positionInTree(db, row.leaf_hash, treeSize);
  if (at !== undefined) {
    found({
      finding: 'leaf_reordered',
      ...what,
      message: `leaf ${i} (${row.kind} ${row.record_id}) is the tree's leaf ${at}: the leaves were reordered`,
    });
  }
  if (nextRow !== undefined && nextRow.leaf_hash === committed) {
    found({
      finding: 'leaf_inserted',
      ...what,
      message: `leaf ${i} (${row.kind} ${row.record_id}) is not in the committed tree: it was inserted`,
    });
  }
  return found({
    finding: 'leaf_modified',
    ...what,
    message: `leaf ${i} (${row.kind} ${row.record_id}) is not the leaf the committed tree holds at ${i}`,
  });
}

async function positionInTree(db: Db, hashHex: string, treeSize: number): Promise<number | undefined> {
  const target = new Uint8Array(HASH_SIZE);
  for (let k = 0; k < HASH_SIZE; k++) target[k] = Number.parseInt(hashHex.slice(2 * k, 2 * k + 2), 16);
  for (let first = 0; first * TILE_WIDTH < treeSize; first += 64) {
    for (const t of await tileRows(db, 0, first, first + 64)) {
      for (let n = 0; n < t.width; n++) {
        if (bytesEqual(t.hashes.subarray(n * HASH_SIZE, (n + 1) * HASH_SIZE), target))
          return t.idx * TILE_WIDTH + n;
      }
    }
  }
  return undefined;
}

/** Layer 3 for one auditor: its records against their leaves' commitments. */
async function auditRecords(
  db: Db,
  auditor: RecordAuditor,
  page: number,
  counts: AuditCounts,
): Promise<void> {
  const seen = auditor.onePerRecord ? new Map<string, number>() : undefined;
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom('ledger_leaves')
      .select(['idx', 'kind', 'record_id', 'commitment', 'salt', 'at'])
      .where('kind', 'in', [...auditor.kinds])
      .where('idx', '>', after)
      .orderBy('idx')
      .limit(page)
      .execute();
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.idx);
    const leaves: AuditLeaf[] = rows.map((r) => ({
      idx: Number(r.idx),
      kind: r.kind,
      recordId: r.record_id,
      commitment: r.commitment,
      salt: r.salt,
      at: r.at,
    }));
    const rebuilt = await auditor.rebuild(db, leaves);
    for (const leaf of leaves) {
      const what = { leafIndex: leaf.idx, recordKind: leaf.kind, recordId: leaf.recordId };
      const name = `${leaf.kind} ${leaf.recordId} (leaf ${leaf.idx})`;
      if (seen) {
        const first = seen.get(leaf.recordId);
        if (first !== undefined) {
          found({ finding: 'record_duplicated', ...what, message: `${name} already has leaf ${first}` });
        }
        seen.set(leaf.recordId, leaf.idx);
      }
      const r = rebuilt.get(leaf.idx) ?? { skip: true };
      if ('skip' in r) {
        counts.contentUnchecked++;
        continue;
      }
      if ('finding' in r) found({ finding: r.finding, ...what, message: `${name}: ${r.message}` });
      if (!r.candidates.some((c) => commitmentOf(leaf.salt, c) === leaf.commitment)) {
        found({
          finding: 'record_modified',
          ...what,
          message: `${name}: the stored record no longer matches what its leaf commits to`,
        });
      }
      counts.records[leaf.kind] = (counts.records[leaf.kind] ?? 0) + 1;
    }
    if (rows.length < page) return;
  }
}

/** Audits the store's ledger and records; see the module comment. */
export async function auditLedger(store: Store, options: AuditOptions = {}): Promise<AuditResult> {
  const db = store.db;
  const page = options.pageSize ?? 4096;
  const auditors = options.auditors ?? (await import('./audit-records.ts')).MONITORING_AUDITORS;
  const counts: AuditCounts = { leaves: 0, treeSize: 0, checkpoints: 0, records: {}, contentUnchecked: 0 };
  const problems: AuditProblem[] = [];
  const attempt = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (e) {
      if (!(e instanceof Found)) throw e;
      problems.push(e.problem);
    }
  };
  await attempt(async () => {
    Object.assign(counts, await auditTree(db, options.vkey ?? options.ledger?.vkey, page));
  });
  const covered = new Set<string>();
  for (const auditor of auditors) {
    for (const k of auditor.kinds) covered.add(k);
    await attempt(() => auditRecords(db, auditor, page, counts));
  }
  const others = await db
    .selectFrom('ledger_leaves')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .$if(covered.size > 0, (q) => q.where('kind', 'not in', [...covered]))
    .executeTakeFirstOrThrow();
  counts.contentUnchecked += Number(others.n);
  for (const auditor of auditors) {
    const stray = await auditor.unledgered?.(db);
    if (stray) {
      problems.push({
        finding: 'record_inserted',
        ...stray,
        message: `${stray.recordKind} ${stray.recordId} has no ledger leaf: it was written outside Guarantor`,
      });
    }
  }
  // The first in ledger order; records without any leaf after every leaf.
  problems.sort(
    (a, b) => (a.leafIndex ?? Number.POSITIVE_INFINITY) - (b.leafIndex ?? Number.POSITIVE_INFINITY),
  );
  const problem = problems[0];
  return problem ? { ok: false, problem, counts } : { ok: true, counts };
}
