/**
 * `guarantor restore`: puts a backup back, but only one that verifies. Everything is staged first
 * (in `<data>/.restore-<pid>`) and checked there: each file against the manifest's SHA-256, the
 * ledger rebuilt from the copied leaves against the backup's signed checkpoint, every stored
 * checkpoint and tile, the latest checkpoint a quorum of member witnesses cosigned, and the log key
 * if the backup carries one. Only then does anything move into the data directory (or pg_restore
 * run), so a refused restore leaves the target as it was.
 *
 * The checkpoint's signature is checked with the verifier key given (--key), else the one recorded
 * in the backup; only the first rules out a backup forged whole, so the result says which was used.
 * The log key alone does not rule out a history rewritten by whoever holds it: the witnesses do. So
 * where witnesses are configured (the policy given, else `<data>/witnesses.json`, else the backup's
 * copy), a backup with no checkpoint a quorum of them cosigned is refused unless the operator
 * accepts that; where none are, the result says the ledger is vouched for by the log key only.
 * Stop the server on the target before restoring.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { SECRETS_KEY_FILE, secretsKeyBytes } from '../../access/secret-box.ts';
import { LOG_KEY_FILE, logKeyFrom } from '../ledger/log-key.ts';
import {
  loadWitnessPolicy,
  readWitnessPolicy,
  WitnessConfigError,
  type WitnessPolicy,
} from '../ledger/witness-collector.ts';
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
  WITNESSES_FILE,
} from './backup-manifest.ts';
import { dumpRows, pgIsEmpty, pgRestore } from './backup-postgres.ts';
import {
  checkWitnessed,
  newestRows,
  WITNESSED_CANDIDATES,
  type Witnessed,
  type WitnessedRow,
} from './backup-witnessed.ts';
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
   * The member witnesses and quorum to verify against, as the member states agreed them; wins over
   * `<data>/witnesses.json` and over the backup's copy.
   */
  witnesses?: WitnessPolicy;
  /** Restore even though witnesses are configured and none cosigned a checkpoint the backup holds. */
  acceptUnwitnessed?: boolean;
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
  /** The checkpoint a quorum of the configured witnesses cosigned that the ledger verified against. */
  witnessed: Witnessed | null;
  /** Where the witness policy came from; null when no witnesses are configured. */
  witnessPolicy: 'given' | 'data' | 'backup' | null;
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
  /** Null when no witnesses are configured or none cosigned a checkpoint of this ledger. */
  witnessed: Witnessed | null;
}

/** The witnessed rows of the copy, and the manifest's, checked against the rebuilt tree. */
function witnessedCheck(
  rows: WitnessedRow[],
  manifest: BackupManifest,
  verifier: LogVerifier,
  policy: WitnessPolicy | undefined,
  tree: Parameters<typeof checkWitnessed>[0]['tree'],
): { problems: string[]; witnessed: Witnessed | null } {
  if (!policy) return { problems: [], witnessed: null };
  const named = manifest.ledger.witnessed;
  return checkWitnessed({
    rows: named ? [...rows, { size: named.size, note: named.note }] : rows,
    policy,
    verifier,
    tree,
  });
}

/** The ledger tables of a staged SQLite copy, read without writing to it. */
async function sqliteLedger(
  file: string,
  manifest: BackupManifest,
  verifier: LogVerifier,
  policy: WitnessPolicy | undefined,
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
    const rows = (
      db
        .prepare('select size, note from ledger_witnessed order by size desc limit ?')
        .all(WITNESSED_CANDIDATES) as WitnessedRow[]
    ).map((r) => ({ size: Number(r.size), note: r.note }));
    const w = witnessedCheck(rows, manifest, verifier, policy, rebuilt.tree);
    return { problems: [...problems, ...w.problems], size: rebuilt.tree.size, witnessed: w.witnessed };
  } catch (e) {
    return {
      problems: [`the database copy cannot be read: ${(e as Error).message}`],
      size: 0,
      witnessed: null,
    };
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
  policy: WitnessPolicy | undefined,
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
    // Only the newest few are looked at, so only they are kept while the dump streams past.
    let witnessedRows: WitnessedRow[] = [];
    for await (const r of dumpRows(file, 'ledger_witnessed')) {
      if (r.size == null || r.note == null) throw new Error('a witnessed checkpoint row has no size or note');
      witnessedRows.push({ size: Number(r.size), note: r.note });
      if (witnessedRows.length > 4 * WITNESSED_CANDIDATES) witnessedRows = newestRows(witnessedRows);
    }
    const w = witnessedCheck(witnessedRows, manifest, verifier, policy, rebuilt.tree);
    return { problems: [...problems, ...w.problems], size: rebuilt.tree.size, witnessed: w.witnessed };
  } catch (e) {
    return {
      problems: [`the database dump cannot be read: ${(e as Error).message}`],
      size: 0,
      witnessed: null,
    };
  }
}

/** Reads a witness policy file; a bad one is a usage error that names it. */
/** The witness policy in `file`, or a usage error that says which policy (`what`) is at fault and why. */
export function policyFrom(file: string, what: string): WitnessPolicy {
  try {
    return readWitnessPolicy(file);
  } catch (e) {
    if (!(e instanceof WitnessConfigError)) throw e;
    throw new BackupUsageError(`${what}: ${e.message}`);
  }
}

function describePolicy(p: WitnessPolicy): string {
  return `${p.quorum} of ${p.witnesses.map((w) => w.name).join(', ')}`;
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

  // A secrets key already in place must be the one the backup's TOTP secrets were sealed with.
  const targetSecretsKey = join(o.dataDir, SECRETS_KEY_FILE);
  if (manifest.secretsKey && existsSync(targetSecretsKey)) {
    const here = secretsKeyBytes(readFileSync(targetSecretsKey, 'utf8'));
    const there = existsSync(join(o.src, SECRETS_KEY_FILE))
      ? secretsKeyBytes(readFileSync(join(o.src, SECRETS_KEY_FILE), 'utf8'))
      : undefined;
    if (!here) throw new BackupUsageError(`the secrets key ${targetSecretsKey} does not hold a key`);
    // A missing or unreadable copy in the backup is reported with the other problems once staged.
    if (there && !here.equals(there)) {
      throw new BackupUsageError(
        `${targetSecretsKey} is not the secrets key in the backup; move it away before restoring`,
      );
    }
  }

  // The policy member states agreed (given), else the deployment's own, else the backup's copy
  // (read once it is staged and its hash checked).
  let policy: WitnessPolicy | undefined = o.witnesses;
  let policySource: RestoreResult['witnessPolicy'] = policy ? 'given' : null;
  const targetPolicy = join(o.dataDir, WITNESSES_FILE);
  if (!policy && existsSync(targetPolicy)) {
    try {
      policy = loadWitnessPolicy(o.dataDir);
    } catch (e) {
      throw new BackupUsageError(`${(e as Error).message}; fix it or move it away before restoring`);
    }
    policySource = 'data';
  }

  mkdirSync(o.dataDir, { recursive: true });
  const stage = join(o.dataDir, `.restore-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  try {
    const problems: string[] = [];
    await stageFile(o.src, stage, manifest.database, problems);
    const stagedDb = join(stage, manifest.database.path);
    if (manifest.witnesses) {
      await stageFile(o.src, stage, manifest.witnesses, problems);
      const staged = join(stage, WITNESSES_FILE);
      if (!policy && existsSync(staged) && problems.length === 0) {
        policy = policyFrom(staged, "the backup's witness configuration");
        policySource = 'backup';
        notes.push(
          `verified against the witnesses named in the backup (${describePolicy(policy)}); give --witnesses with the configuration member states agreed to rule out a forged backup`,
        );
      }
    }
    let treeSize = 0;
    let witnessed: Witnessed | null = null;
    if (problems.length === 0) {
      const ledger =
        manifest.dialect === 'sqlite'
          ? await sqliteLedger(stagedDb, manifest, verifier, policy)
          : await dumpLedger(stagedDb, manifest, verifier, policy);
      problems.push(...ledger.problems);
      treeSize = ledger.size;
      witnessed = ledger.witnessed;
      if (problems.length === 0 && policy && witnessed === null) {
        const why = `no checkpoint in the backup was cosigned by a quorum of the configured witnesses (${describePolicy(policy)}), so nothing but the log key vouches for its ledger`;
        if (o.acceptUnwitnessed) {
          notes.push(`restored WITHOUT a witnessed checkpoint (--accept-unwitnessed): ${why}`);
        } else {
          problems.push(`${why}; restore with --accept-unwitnessed to accept that`);
        }
      }
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
    if (manifest.secretsKey) {
      if (manifest.secretsKey.path !== SECRETS_KEY_FILE) {
        problems.push(
          `the backup's secrets key is listed as ${manifest.secretsKey.path}, not ${SECRETS_KEY_FILE}`,
        );
      } else {
        await stageFile(o.src, stage, manifest.secretsKey, problems, 0o600);
        const staged = join(stage, SECRETS_KEY_FILE);
        if (existsSync(staged) && !secretsKeyBytes(readFileSync(staged, 'utf8'))) {
          problems.push(`the backup's secrets key does not hold a key`);
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
    if (manifest.secretsKey && !existsSync(targetSecretsKey)) {
      renameSync(join(stage, SECRETS_KEY_FILE), targetSecretsKey);
    }
    // The restored server goes on collecting cosignatures from the same witnesses.
    if (manifest.witnesses && !existsSync(targetPolicy) && policySource !== 'given') {
      renameSync(join(stage, WITNESSES_FILE), targetPolicy);
    }
    if (policy === undefined) {
      notes.push(
        'no witnesses are configured: the ledger was verified against the checkpoint signed by the log key only, which vouches for it on its own',
      );
    } else if (witnessed !== null && witnessed.size < treeSize) {
      notes.push(
        `leaves ${witnessed.size} to ${treeSize - 1} come after the last witnessed checkpoint: only the log key vouches for them`,
      );
    }
    if (policySource === 'given' && !existsSync(targetPolicy)) {
      notes.push(
        `no ${WITNESSES_FILE} in ${o.dataDir}: put the witness configuration there before serving, or the server collects no cosignatures`,
      );
    }
    if (!existsSync(targetKey)) {
      notes.push(
        `no log key in ${o.dataDir}: put the log's key file at ${targetKey} before serving, or the server makes a new key and member states will refuse its checkpoints`,
      );
    }
    if (!existsSync(targetSecretsKey)) {
      notes.push(
        `no secrets key in ${o.dataDir}: put the key the TOTP secrets were sealed with at ${targetSecretsKey} (or set GUARANTOR_SECRETS_KEY) before serving, or the server makes a new key and every account with an authenticator app must have it reset and enrol again`,
      );
    }
    const checkpointSize = manifest.ledger.checkpoint?.size ?? null;
    return {
      manifest,
      treeSize,
      checkpointSize,
      witnessed,
      witnessPolicy: policySource,
      evidenceFiles: manifest.evidence.length,
      keySource,
      notes,
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
