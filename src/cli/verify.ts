/**
 * `guarantor verify`: a member state's own check of the ledger, trusting nothing but the log's
 * verifier key it was given. It reads the log from a running Guarantor (tlog-tiles under /ledger/,
 * proofs under /api/v1/ledger/) or from a directory laid out like /ledger/ (a mirror, a USB stick),
 * and checks:
 *
 * - the checkpoint is signed by the given key for the key's origin;
 * - it extends the last checkpoint this verifier accepted (kept in --state), by a consistency proof:
 *   from the server's API, or built from the directory's tiles;
 * - with --full, every entry: the tree rebuilt from all entry bundles has the checkpoint's root, and
 *   every served tile matches the rebuilt tree.
 *
 * The state file is written only after every check passed, so a failed run never moves the
 * verifier's notion of the truth. Exit codes: 0 all checks passed, 1 a check failed, 2 bad usage.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesEqual, fromBase64, toBase64, utf8 } from '../kernel/ledger/bytes.ts';
import { type Checkpoint, openCheckpoint } from '../kernel/ledger/checkpoint.ts';
import { portableEd25519 } from '../kernel/ledger/ed25519-portable.ts';
import { commitmentOf, leafData } from '../kernel/ledger/leaf.ts';
import {
  consistencyProof,
  consistencyProofNodes,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '../kernel/ledger/merkle.ts';
import { MerkleTree } from '../kernel/ledger/merkle-tree.ts';
import { ed25519Verifier, type NoteVerifier, parseEd25519VerifierKey } from '../kernel/ledger/note.ts';
import { type TileData, TileReader, tilesForNodes } from '../kernel/ledger/tile-tree.ts';
import { parseEntryBundle, TILE_WIDTH, tileLevels, tilePath } from '../kernel/ledger/tiles.ts';
import { VerificationError } from '../kernel/ledger/verification-error.ts';
import { type Io, processIo } from './io.ts';

export interface VerifyFlags {
  /** The log's verifier key, or a file holding it. */
  key?: string;
  state?: string;
  full?: boolean;
}

export interface VerifyRecordFlags {
  url?: string;
  key?: string;
  state?: string;
  /** An API token of a reader of the record, to check its content too (default GUARANTOR_TOKEN). */
  token?: string;
}

/** A check failed: exit 1. */
export class VerifyFailure extends Error {
  override name = 'VerifyFailure';
}

/** The command was used wrongly: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where the log is read from; paths are relative to the tlog-tiles root (`checkpoint`, `tile/0/000`). */
interface LogSource {
  name: string;
  get(path: string): Promise<Uint8Array | undefined>;
  /** A consistency proof from the server, when the source has an API. */
  consistencyProof?(from: number, to: number): Promise<Uint8Array[]>;
}

function isUrl(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

function serverRoot(target: string): URL {
  const url = new URL(target);
  url.pathname = url.pathname.replace(/\/?(ledger\/?)?$/, '/');
  url.search = '';
  return url;
}

async function fetchOk(url: URL, headers: Record<string, string> = {}): Promise<Response | undefined> {
  let res: Response;
  try {
    res = await fetch(url, { headers });
  } catch (e) {
    throw new VerifyFailure(`cannot reach ${url.href}: ${(e as Error).message}`);
  }
  if (res.status === 404) return undefined;
  if (!res.ok) throw new VerifyFailure(`${url.href} answered ${res.status}`);
  return res;
}

function httpSource(target: string): LogSource {
  const root = serverRoot(target);
  return {
    name: root.href,
    async get(path) {
      const res = await fetchOk(new URL(`ledger/${path}`, root));
      return res && new Uint8Array(await res.arrayBuffer());
    },
    async consistencyProof(from, to) {
      const url = new URL(`api/v1/ledger/proofs/consistency?from=${from}&to=${to}`, root);
      const res = await fetchOk(url);
      if (res === undefined)
        throw new VerifyFailure(`the server has no consistency proof from ${from} to ${to}`);
      const body = (await res.json()) as { proof?: unknown };
      return decodeProof(body.proof, 'consistency proof');
    },
  };
}

function dirSource(dir: string): LogSource {
  return {
    name: dir,
    async get(path) {
      try {
        return new Uint8Array(await readFile(join(dir, path)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
  };
}

function decodeProof(proof: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(proof) || !proof.every((p) => typeof p === 'string')) {
    throw new VerifyFailure(`the server's ${what} is malformed`);
  }
  try {
    return proof.map((p: string) => fromBase64(p));
  } catch {
    throw new VerifyFailure(`the server's ${what} is not base64`);
  }
}

function readKey(key: string | undefined): NoteVerifier & { origin: string } {
  if (key === undefined || key === '') throw new UsageError('--key <vkey or file> is required');
  const text = existsSync(key) ? readFileSync(key, 'utf8').trim() : key.trim();
  try {
    const k = parseEd25519VerifierKey(text);
    // The browser's verifier, not node:crypto: a member state's CLI and the web app must accept
    // exactly the same signatures, and sharing the code is what guarantees it.
    return { ...ed25519Verifier(text, portableEd25519), origin: k.name };
  } catch (e) {
    throw new UsageError(`--key is not a log verifier key: ${(e as Error).message}`);
  }
}

interface SavedState {
  origin: string;
  size: number;
  root: string;
  note: string;
}

function openSigned(
  note: string | Uint8Array,
  key: NoteVerifier & { origin: string },
  what: string,
): Checkpoint {
  try {
    return openCheckpoint(note, { origin: key.origin, log: key }).checkpoint;
  } catch (e) {
    throw new VerifyFailure(`${what} does not verify with the given key: ${(e as Error).message}`);
  }
}

function readState(file: string | undefined, key: NoteVerifier & { origin: string }): Checkpoint | undefined {
  if (file === undefined || !existsSync(file)) return undefined;
  let saved: SavedState;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
  } catch (e) {
    throw new UsageError(`the state file ${file} is not JSON: ${(e as Error).message}`);
  }
  if (typeof saved.note !== 'string') throw new UsageError(`the state file ${file} holds no checkpoint`);
  return openSigned(saved.note, key, `the checkpoint saved in ${file}`);
}

function writeState(file: string, checkpoint: Checkpoint, note: string): void {
  const state: SavedState = {
    origin: checkpoint.origin,
    size: checkpoint.size,
    root: toBase64(checkpoint.rootHash),
    note,
  };
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Runs `work` over `items` with at most `limit` in flight; results in item order. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The tiles of a tree of `size`, keyed by level/index, for the nodes a proof needs. */
async function tileReader(source: LogSource, size: number, nodes: ReturnType<typeof consistencyProofNodes>) {
  const levels = tileLevels(size);
  const tiles = new Map<string, TileData>();
  await pool(tilesForNodes(nodes), 8, async ({ level, index }) => {
    const l = levels[level];
    const width =
      l === undefined
        ? 0
        : index < l.fullTiles
          ? TILE_WIDTH
          : index === l.fullTiles
            ? (l.partialWidth ?? 0)
            : 0;
    if (width === 0) throw new VerifyFailure(`a tree of ${size} leaves has no tile ${level}/${index}`);
    const path = tilePath({ level, index, width });
    const hashes = await source.get(path);
    if (hashes === undefined || hashes.length !== width * 32) {
      throw new VerifyFailure(
        `tile ${path} is ${hashes === undefined ? 'missing' : `${hashes.length} bytes`}`,
      );
    }
    tiles.set(`${level}/${index}`, { level, index, hashes });
  });
  return new TileReader((level, index) => tiles.get(`${level}/${index}`));
}

async function checkConsistency(source: LogSource, old: Checkpoint, now: Checkpoint): Promise<void> {
  if (now.size < old.size) {
    throw new VerifyFailure(
      `consistency: the log shrank from ${old.size} to ${now.size} leaves (history was rewritten)`,
    );
  }
  if (now.size === old.size) {
    if (!bytesEqual(now.rootHash, old.rootHash)) {
      throw new VerifyFailure(`consistency: two different checkpoints of size ${now.size} (a fork)`);
    }
    return;
  }
  if (old.size === 0) return;
  const proof = source.consistencyProof
    ? await source.consistencyProof(old.size, now.size)
    : consistencyProof(
        old.size,
        now.size,
        await tileReader(source, now.size, consistencyProofNodes(old.size, now.size)),
      );
  try {
    verifyConsistency(old.size, now.size, old.rootHash, now.rootHash, proof);
  } catch (e) {
    throw new VerifyFailure(
      `consistency: the checkpoint of size ${now.size} does not extend the saved one of size ${old.size} (${(e as Error).message}); history was rewritten or forked`,
    );
  }
}

/** Rebuilds the tree from every entry bundle and compares it with the checkpoint and every tile. */
async function checkFull(source: LogSource, now: Checkpoint, io: Io): Promise<void> {
  const tree = new MerkleTree();
  const bundles = Math.ceil(now.size / TILE_WIDTH);
  const window = 64;
  for (let first = 0; first < bundles; first += window) {
    const indexes = Array.from({ length: Math.min(window, bundles - first) }, (_, i) => first + i);
    const bodies = await pool(indexes, 8, async (index) => {
      const width = Math.min(TILE_WIDTH, now.size - index * TILE_WIDTH);
      const path = tilePath({ level: 'entries', index, width });
      const bytes = await source.get(path);
      if (bytes === undefined) throw new VerifyFailure(`entry bundle ${path} is missing`);
      let entries: Uint8Array[];
      try {
        entries = parseEntryBundle(bytes);
      } catch (e) {
        throw new VerifyFailure(`entry bundle ${path} is malformed: ${(e as Error).message}`);
      }
      if (entries.length !== width) {
        throw new VerifyFailure(`entry bundle ${path} holds ${entries.length} entries, not ${width}`);
      }
      return entries;
    });
    for (const entries of bodies) for (const e of entries) tree.append(leafHash(e));
  }
  if (!bytesEqual(tree.root(), now.rootHash)) {
    throw new VerifyFailure(
      `full rebuild: the ${now.size} entries give root ${toBase64(tree.root())}, not the checkpoint's ${toBase64(now.rootHash)}`,
    );
  }
  const tiles = tileLevels(now.size).flatMap((l) =>
    Array.from({ length: l.fullTiles + (l.partialWidth === null ? 0 : 1) }, (_, index) => ({
      level: l.level,
      index,
      width: index < l.fullTiles ? TILE_WIDTH : l.partialWidth!,
    })),
  );
  await pool(tiles, 8, async (t) => {
    const path = tilePath(t);
    const bytes = await source.get(path);
    if (bytes === undefined) throw new VerifyFailure(`tile ${path} is missing`);
    if (bytes.length !== t.width * 32) throw new VerifyFailure(`tile ${path} is ${bytes.length} bytes`);
    for (let i = 0; i < t.width; i++) {
      const want = tree.nodeHash(8 * t.level, t.index * TILE_WIDTH + i);
      if (!bytesEqual(bytes.subarray(i * 32, (i + 1) * 32), want)) {
        throw new VerifyFailure(`tile ${path} hash ${i} does not match the tree rebuilt from the entries`);
      }
    }
  });
  io.out(`full: rebuilt ${now.size} entries and checked ${tiles.length} tiles`);
}

/** All the checks; throws VerifyFailure or UsageError. */
export async function verifyLog(target: string, flags: VerifyFlags, io: Io = processIo): Promise<Checkpoint> {
  if (!target) throw new UsageError('give the URL of a Guarantor or a directory of tiles');
  const key = readKey(flags.key);
  if (!isUrl(target) && !existsSync(join(target, 'checkpoint'))) {
    throw new UsageError(`${target} is neither an http(s) URL nor a directory holding a checkpoint`);
  }
  const source = isUrl(target) ? httpSource(target) : dirSource(target);
  const noteBytes = await source.get('checkpoint');
  if (noteBytes === undefined) throw new VerifyFailure(`${source.name} serves no checkpoint`);
  const note = new TextDecoder().decode(noteBytes);
  const now = openSigned(noteBytes, key, `the checkpoint from ${source.name}`);
  io.out(`checkpoint: ${now.origin} size ${now.size} root ${toBase64(now.rootHash)} (signature good)`);

  const old = readState(flags.state, key);
  if (old !== undefined) {
    await checkConsistency(source, old, now);
    io.out(`consistency: extends the saved checkpoint of size ${old.size}`);
  }
  if (flags.full) await checkFull(source, now, io);
  if (flags.state !== undefined) writeState(flags.state, now, note);
  return now;
}

/** Checks one record's leaf against a checkpoint signed by the log (and consistent with --state). */
export async function verifyRecordLeaf(
  kind: string,
  id: string,
  flags: VerifyRecordFlags,
  io: Io = processIo,
): Promise<void> {
  if (!flags.url || !isUrl(flags.url)) throw new UsageError('--url <http(s) URL of a Guarantor> is required');
  const key = readKey(flags.key);
  const root = serverRoot(flags.url);
  const url = new URL(`api/v1/ledger/records/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`, root);
  const res = await fetchOk(url);
  if (res === undefined) throw new VerifyFailure(`the ledger has no leaf for ${kind} ${id}`);
  const rec = (await res.json()) as {
    leafIndex: number;
    treeSize: number;
    leafHash: string;
    commitment: string;
    at: string;
    proof: unknown;
    checkpoint: { note: string };
  };
  const checkpoint = openSigned(rec.checkpoint?.note ?? '', key, 'the checkpoint the server proved against');
  if (checkpoint.size !== rec.treeSize) {
    throw new VerifyFailure(`the proof is for size ${rec.treeSize}, the checkpoint for ${checkpoint.size}`);
  }
  const old = readState(flags.state, key);
  if (old !== undefined) await checkConsistency(httpSource(flags.url), old, checkpoint);
  // The leaf must be this record's: recompute it from what it commits to.
  const expected = leafHash(utf8(leafData(kind, id, String(rec.at), String(rec.commitment))));
  if (rec.leafHash !== toBase64(expected)) {
    throw new VerifyFailure(
      `leaf ${rec.leafIndex} is not the leaf of ${kind} ${id} (its hash does not match)`,
    );
  }
  try {
    verifyInclusion(
      rec.leafIndex,
      rec.treeSize,
      expected,
      decodeProof(rec.proof, 'inclusion proof'),
      checkpoint.rootHash,
    );
  } catch (e) {
    throw new VerifyFailure(
      `inclusion: leaf ${rec.leafIndex} is not in the checkpoint of size ${rec.treeSize}: ${(e as Error).message}`,
    );
  }
  if (flags.state !== undefined) writeState(flags.state, checkpoint, rec.checkpoint.note);
  io.out(
    `record: ${kind} ${id} is leaf ${rec.leafIndex} of the signed checkpoint of size ${rec.treeSize}, committed ${rec.at} to ${rec.commitment}`,
  );
  await checkOpening(root, kind, id, rec, flags.token ?? process.env.GUARANTOR_TOKEN, io);
}

/**
 * Where the reader may see the record, its content and salt are released: recompute the commitment
 * from them, so what Guarantor shows is tied to what the proven leaf holds.
 */
async function checkOpening(
  root: URL,
  kind: string,
  id: string,
  rec: { leafIndex: number; commitment: string },
  token: string | undefined,
  io: Io,
): Promise<void> {
  const url = new URL(
    `api/v1/ledger/records/${encodeURIComponent(kind)}/${encodeURIComponent(id)}/opening`,
    root,
  );
  const res = await fetchOk(url, token ? { authorization: `Bearer ${token}` } : {});
  if (res === undefined) {
    io.out('content: not released to this reader; only the leaf and its inclusion were checked');
    return;
  }
  const opening = (await res.json()) as { leafIndex: number; salt: string; content: unknown };
  if (opening.leafIndex !== rec.leafIndex)
    throw new VerifyFailure(`the released content is for leaf ${opening.leafIndex}, not ${rec.leafIndex}`);
  if (typeof opening.salt !== 'string' || !/^[0-9a-f]{32}$/.test(opening.salt))
    throw new VerifyFailure('the released salt is not 16 bytes of hex');
  if (commitmentOf(opening.salt, opening.content) !== rec.commitment)
    throw new VerifyFailure(`the released content of ${kind} ${id} does not match its leaf's commitment`);
  io.out(`content: matches leaf ${rec.leafIndex} (SHA-256 of salt and canonical JSON)`);
}

function exitCode(e: unknown, io: Io): number {
  if (e instanceof UsageError) {
    io.err(`usage: ${e.message}`);
    return 2;
  }
  if (e instanceof VerifyFailure || e instanceof VerificationError) {
    io.err(`FAILED ${e.message}`);
    return 1;
  }
  io.err(`FAILED ${(e as Error).message ?? String(e)}`);
  return 1;
}

/** `guarantor verify <url-or-dir> --key K [--state FILE] [--full]`; returns (and sets) the exit code. */
export async function verifyCommand(target: string, flags: VerifyFlags, io: Io = processIo): Promise<number> {
  let code = 0;
  try {
    await verifyLog(target, flags, io);
    io.out('ok');
  } catch (e) {
    code = exitCode(e, io);
  }
  process.exitCode = code;
  return code;
}

/** `guarantor verify record <kind> <id> --url U --key K [--state FILE]`. */
export async function verifyRecord(
  kind: string,
  id: string,
  flags: VerifyRecordFlags,
  io: Io = processIo,
): Promise<number> {
  let code = 0;
  try {
    await verifyRecordLeaf(kind, id, flags, io);
    io.out('ok');
  } catch (e) {
    code = exitCode(e, io);
  }
  process.exitCode = code;
  return code;
}
