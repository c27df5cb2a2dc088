/**
 * `guarantor restore`: puts a backup back, but only one that verifies. Everything is staged first
 * (in `<data>/.restore-<pid>`) and checked there: each file against the manifest's SHA-256, the
 * ledger rebuilt from the copied leaves against the backup's signed checkpoint, every stored
 * checkpoint and tile, and the log key if the backup carries one. Only then does anything move into
 * the data directory (or pg_restore run), so a refused restore leaves the target as it was.
 *
 * The checkpoint's signature is checked with the verifier key given (--key), else the one recorded
 * in the backup; only the first rules out a backup forged whole, so the result says which was used.
 * Stop the server on the target before restoring.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { LOG_KEY_FILE, logKeyFrom } from '../ledger/log-key.ts';
import { BackupError, BackupUsageError } from './backup.ts';
import { copyHashed, listFiles } from './backup-files.ts';
import {
  type CheckpointRow,
  checkLedger,
  type LeafRow,
  type LogVerifier,
  logVerifier,
  rebuildTree,
  type TileRow,
} from './backup-ledger.ts';
import {
  type BackupFile,
  type BackupManifest,
  DATABASE_FILES,
  EVIDENCE_DIR,
  MANIFEST_FILE,
  manifestSchema,
} from './backup-manifest.ts';
import { dumpRows, pgIsEmpty, pgRestore } from './backup-postgres.ts';
import { openStore, type Store } from './store.ts';

/** Verification failed: nothing was restored. Exit 1. */
export class RestoreRefused extends BackupError {
  override name = 'RestoreRefused';
  constructor(readonly problems: string[]) {
    super(
      `restore refused, nothing was changed; the backup does not verify:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

export interface RestoreOptions {
  /** The backup folder. */
  src: string;
  /** The data directory: the SQLite database, evidence files and log key go here. */
  dataDir: string;
  /** The PostgreSQL database to restore into; required for a PostgreSQL backup. */
  databaseUrl?: string;
  /** The log's verifier key, as member states hold it; wins over the one in the backup. */
  vkey?: string;
  /** Replace a target that already holds a database or evidence. */
  force?: boolean;
  /**
   * A deeper check of the staged copy, such as `guarantor audit` (records against their leaves'
   * commitments): a problem, or undefined when it passes. Run on SQLite copies before they move
   * into place; a pg_dump is not opened as a database before it is restored, so it is not run there.
   */
  audit?: (store: Store) => Promise<string | undefined>;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Leaves that verified (at least the backup's checkpoint). */
  treeSize: number;
  checkpointSize: number | null;
  evidenceFiles: number;
  keySource: 'given' | 'backup';
  /** What the operator must know before serving. */
  notes: string[];
}

function readManifest(src: string): BackupManifest {
  const file = join(src, MANIFEST_FILE);
  if (!existsSync(file)) {
    throw new BackupUsageError(`${src} holds no ${MANIFEST_FILE}: it is not a backup, or an incomplete one`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RestoreRefused([`${MANIFEST_FILE} is not JSON: ${(e as Error).message}`]);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new RestoreRefused(
      parsed.error.issues.map((i) => `${MANIFEST_FILE}: ${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data;
}

function chooseVerifier(o: RestoreOptions, manifest: BackupManifest, notes: string[]) {
  const given = o.vkey?.trim();
  const text = given || manifest.ledger.vkey;
  if (!text) {
    throw new BackupUsageError("the backup records no verifier key: give the log's key with --key");
  }
  let verifier: LogVerifier;
  try {
    verifier = logVerifier(text);
  } catch (e) {
    throw new BackupUsageError(
      `not a log verifier key (${given ? '--key' : 'manifest'}): ${(e as Error).message}`,
    );
  }
  if (!given) {
    notes.push(
      'verified with the verifier key recorded in the backup; pass --key with the key member states hold to rule out a forged backup',
    );
  } else if (manifest.ledger.vkey && manifest.ledger.vkey !== verifier.vkey) {
    notes.push('the backup records a different verifier key than the one given');
  }
  return { verifier, keySource: given ? ('given' as const) : ('backup' as const) };
}

function sameFile(copy: BackupFile, expected: BackupFile, problems: string[]): void {
  if (copy.sha256 !== expected.sha256 || copy.bytes !== expected.bytes) {
    problems.push(`${expected.path} does not match its SHA-256 in the manifest (the file was changed)`);
  }
}

/** Copies one manifest entry from the backup into the staging folder, checking its hash. */
async function stageFile(src: string, stage: string, entry: BackupFile, problems: string[], mode?: number) {
  const from = join(src, entry.path);
  if (!existsSync(from)) {
    problems.push(`${entry.path} is missing from the backup`);
    return;
  }
  sameFile(await copyHashed(from, join(stage, entry.path), entry.path, mode), entry, problems);
}

interface LedgerCheck {
  problems: string[];
  /** Leaves that verified. */
  size: number;
}

/** The ledger tables of a staged SQLite copy, read without writing to it. */
async function sqliteLedger(
  file: string,
  manifest: BackupManifest,
  verifier: LogVerifier,
): Promise<LedgerCheck> {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const rebuilt = await rebuildTree(
      db
        .prepare('select idx, kind, record_id, leaf_hash, commitment, at from ledger_leaves order by idx')
        .iterate() as Iterable<LeafRow>,
    );
    const problems = await checkLedger({
      rebuilt,
      checkpoints: db
        .prepare('select size, root, note, created_at from ledger_checkpoints')
        .iterate() as Iterable<CheckpointRow>,
      tiles: db.prepare('select level, idx, width, hashes from ledger_tiles').iterate() as Iterable<TileRow>,
      manifest: manifest.ledger,
      verifier,
    });
    return { problems, size: rebuilt.tree.size };
  } catch (e) {
    return { problems: [`the database copy cannot be read: ${(e as Error).message}`], size: 0 };
  } finally {
    db.close();
  }
}

/** Rows of a dumped table through `map`, which reads columns by name (a missing one is an error). */
async function collect<T>(
  rows: AsyncIterable<Record<string, string | null>>,
  map: (col: (name: string) => string) => T,
): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rows) {
    out.push(
      map((name) => {
        const v = r[name];
        if (v === undefined || v === null) throw new Error(`a row has no ${name}`);
        return v;
      }),
    );
  }
  return out;
}

/** The ledger tables of a pg_dump, read out of the dump itself. */
async function dumpLedger(
  file: string,
  manifest: BackupManifest,
  verifier: LogVerifier,
): Promise<LedgerCheck> {
  try {
    const leaves = await collect(dumpRows(file, 'ledger_leaves'), (c) => ({
      idx: Number(c('idx')),
      kind: c('kind'),
      record_id: c('record_id'),
      leaf_hash: c('leaf_hash'),
      commitment: c('commitment'),
      at: c('at'),
    }));
    // COPY data comes in physical order, which for an append-only table is nearly always index order.
    leaves.sort((a, b) => a.idx - b.idx);
    const checkpoints = await collect(dumpRows(file, 'ledger_checkpoints'), (c) => ({
      size: Number(c('size')),
      root: c('root'),
      note: c('note'),
      created_at: c('created_at'),
    }));
    const tiles = await collect(dumpRows(file, 'ledger_tiles'), (c) => ({
      level: Number(c('level')),
      idx: Number(c('idx')),
      width: Number(c('width')),
      hashes: c('hashes'),
    }));
    const rebuilt = await rebuildTree(leaves);
    const problems = await checkLedger({ rebuilt, checkpoints, tiles, manifest: manifest.ledger, verifier });
    return { problems, size: rebuilt.tree.size };
  } catch (e) {
    return { problems: [`the database dump cannot be read: ${(e as Error).message}`], size: 0 };
  }
}

function hasEvidence(dataDir: string): boolean {
  const dir = join(dataDir, EVIDENCE_DIR);
  return existsSync(dir) && readdirSync(dir).length > 0;
}

/** Restores the backup in `o.src` into the data directory (and database); throws when it does not verify. */
export async function restoreStore(o: RestoreOptions): Promise<RestoreResult> {
  const manifest = readManifest(o.src);
  const notes: string[] = [];
  const { verifier, keySource } = chooseVerifier(o, manifest, notes);
  const pgUrl = o.databaseUrl;
  if (manifest.dialect === 'postgres' && !pgUrl) {
    throw new BackupUsageError(
      'this is a PostgreSQL backup: give the database to restore into (DATABASE_URL)',
    );
  }
  if (manifest.dialect === 'sqlite' && pgUrl) {
    throw new BackupUsageError(
      'this is a SQLite backup: restore it into a data directory, without DATABASE_URL',
    );
  }

  const dbFile = join(o.dataDir, DATABASE_FILES.sqlite);
  const occupied =
    hasEvidence(o.dataDir) ||
    (manifest.dialect === 'sqlite' ? existsSync(dbFile) : !(await pgIsEmpty(pgUrl!)));
  if (occupied && !o.force) {
    throw new BackupUsageError(
      `the target already holds a database or evidence (${pgUrl ? 'the database' : o.dataDir}); use --force to replace it`,
    );
  }
  const targetKey = join(o.dataDir, LOG_KEY_FILE);
  if (existsSync(targetKey)) {
    let vkey: string;
    try {
      vkey = logKeyFrom(readFileSync(targetKey, 'utf8')).vkey;
    } catch (e) {
      throw new BackupUsageError(`the log key ${targetKey} is unreadable: ${(e as Error).message}`);
    }
    if (vkey !== verifier.vkey) {
      throw new BackupUsageError(
        `${targetKey} is not this log's key (its verifier key is ${vkey}); move it away before restoring`,
      );
    }
  }

  mkdirSync(o.dataDir, { recursive: true });
  const stage = join(o.dataDir, `.restore-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  try {
    const problems: string[] = [];
    await stageFile(o.src, stage, manifest.database, problems);
    const stagedDb = join(stage, manifest.database.path);
    let treeSize = 0;
    if (problems.length === 0) {
      const ledger =
        manifest.dialect === 'sqlite'
          ? await sqliteLedger(stagedDb, manifest, verifier)
          : await dumpLedger(stagedDb, manifest, verifier);
      problems.push(...ledger.problems);
      treeSize = ledger.size;
    }
    if (problems.length === 0 && o.audit && manifest.dialect === 'sqlite') {
      const staged = await openStore({ kind: 'sqlite', file: stagedDb });
      try {
        const found = await o.audit(staged);
        if (found !== undefined) problems.push(`audit: ${found}`);
      } finally {
        await staged.close();
      }
    }

    const listed = new Set(manifest.evidence.map((e) => e.path));
    for (const entry of manifest.evidence) await stageFile(o.src, stage, entry, problems);
    for (const rel of listFiles(join(o.src, EVIDENCE_DIR)).files) {
      if (!listed.has(`${EVIDENCE_DIR}/${rel}`))
        problems.push(`${EVIDENCE_DIR}/${rel} is in the backup but not in its manifest`);
    }

    if (manifest.logKey) {
      await stageFile(o.src, stage, manifest.logKey, problems, 0o600);
      const staged = join(stage, LOG_KEY_FILE);
      if (existsSync(staged)) {
        try {
          if (logKeyFrom(readFileSync(staged, 'utf8')).vkey !== verifier.vkey) {
            problems.push(`the backup's log key is not the key of the log being restored`);
          }
        } catch (e) {
          problems.push(`the backup's log key is unreadable: ${(e as Error).message}`);
        }
      }
    }
    if (problems.length > 0) throw new RestoreRefused(problems);

    // Verified: move it into place.
    if (manifest.dialect === 'sqlite') {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${dbFile}${suffix}`, { force: true });
      renameSync(stagedDb, dbFile);
    } else {
      await pgRestore(pgUrl!, stagedDb, occupied);
    }
    const evidenceDir = join(o.dataDir, EVIDENCE_DIR);
    if (o.force) rmSync(evidenceDir, { recursive: true, force: true });
    if (manifest.evidence.length > 0) renameSync(join(stage, EVIDENCE_DIR), evidenceDir);
    if (manifest.logKey && !existsSync(targetKey)) renameSync(join(stage, LOG_KEY_FILE), targetKey);
    if (!existsSync(targetKey)) {
      notes.push(
        `no log key in ${o.dataDir}: put the log's key file at ${targetKey} before serving, or the server makes a new key and member states will refuse its checkpoints`,
      );
    }
    const checkpointSize = manifest.ledger.checkpoint?.size ?? null;
    return {
      manifest,
      treeSize,
      checkpointSize,
      evidenceFiles: manifest.evidence.length,
      keySource,
      notes,
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
