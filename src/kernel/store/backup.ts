/**
 * `guarantor backup`: a consistent copy of a running Guarantor. The database is copied with the
 * engine's own snapshot (SQLite's online backup API, pg_dump on PostgreSQL), then the evidence
 * files, then a manifest with every file's SHA-256 and the ledger state the copy holds at least,
 * written last so a half-made backup is recognisable by its missing manifest.
 *
 * The log's private key is left out unless asked for: a backup travels and is stored in more places
 * than the server, and whoever holds the key can sign a rewritten history. The secrets key (which
 * seals the TOTP secrets in the database, access/secret-box.ts) is left out for the same kind of
 * reason: beside the database it would let whoever reads the backup mint every account's second
 * factor, which sealing the secrets is there to prevent. Without it the restored accounts must enrol
 * their authenticator apps again, so operators keep a copy of it apart (or ask for it here).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { SECRETS_KEY_FILE } from '../../access/secret-box.ts';
import { bytesEqual, toBase64 } from '../ledger/bytes.ts';
import { openCheckpoint } from '../ledger/checkpoint.ts';
import { LOG_KEY_FILE, logKeyFrom } from '../ledger/log-key.ts';
import { copyHashed, hashFile, listFiles } from './backup-files.ts';
import { logVerifier, rebuildTree, storeLeaves } from './backup-ledger.ts';
import {
  type BackupFile,
  type BackupManifest,
  DATABASE_FILES,
  EVIDENCE_DIR,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  WITNESSES_FILE,
} from './backup-manifest.ts';
import { pgDump } from './backup-postgres.ts';
import type { Store } from './store.ts';

/** The backup or restore could not be done, or a check failed: exit 1. */
export class BackupError extends Error {
  override name = 'BackupError';
}

/** The command was used wrongly (a non-empty target, a missing key): exit 2. */
export class BackupUsageError extends Error {
  override name = 'BackupUsageError';
}

export interface BackupOptions {
  /** The live store; on SQLite its raw handle makes the copy. */
  store: Store;
  /** The data directory: evidence files and the log key live there. */
  dataDir: string;
  /** The folder to write; must be absent or empty. */
  dest: string;
  /** PostgreSQL: the URL pg_dump reads, and the schema when it is not the default one. */
  databaseUrl?: string;
  schema?: string;
  /** Copy the log's private key too (the caller warns). */
  includeLogKey?: boolean;
  /** Copy the key that seals the TOTP secrets too (the caller warns). */
  includeSecretsKey?: boolean;
  now?: () => Date;
}

function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/** The verifier key of the data directory's log key, or why there is none. */
function localVkey(dataDir: string): { vkey: string | null; warning?: string } {
  const file = join(dataDir, LOG_KEY_FILE);
  if (!existsSync(file)) {
    return {
      vkey: null,
      warning: `no log key at ${file}: restore will need the log's verifier key (--key)`,
    };
  }
  try {
    return { vkey: logKeyFrom(readFileSync(file, 'utf8')).vkey };
  } catch (e) {
    return { vkey: null, warning: `the log key ${file} is unreadable: ${(e as Error).message}` };
  }
}

/**
 * The ledger state the copy will hold at least: read before the copy starts, and the ledger only
 * grows, so every leaf and checkpoint seen here is in the copy. Its own inconsistencies become
 * warnings: a backup of a damaged database is still worth having.
 */
async function ledgerState(store: Store, vkey: string | null, warnings: string[]) {
  const row = await store.db
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  const checkpoint = row
    ? { size: Number(row.size), root: row.root, note: row.note, createdAt: row.created_at }
    : null;
  const w = await store.db
    .selectFrom('ledger_witnessed')
    .selectAll()
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  const witnessed = w
    ? { size: Number(w.size), note: w.note, cosigners: Number(w.cosigners), witnessedAt: w.witnessed_at }
    : null;
  const { tree, problems } = await rebuildTree(storeLeaves(store.db));
  for (const p of problems) warnings.push(`live ledger: ${p}`);
  if (checkpoint) {
    if (checkpoint.size > tree.size) {
      warnings.push(
        `live ledger: checkpoint ${checkpoint.size} is beyond the ${tree.size} leaves that verify`,
      );
    } else if (!bytesEqual(tree.root(checkpoint.size), Buffer.from(checkpoint.root, 'base64'))) {
      warnings.push(`live ledger: the leaves do not hash to the root of checkpoint ${checkpoint.size}`);
    }
    if (vkey) {
      try {
        const v = logVerifier(vkey);
        openCheckpoint(checkpoint.note, { origin: v.origin, log: v });
      } catch (e) {
        warnings.push(`live ledger: the latest checkpoint does not verify: ${(e as Error).message}`);
      }
    }
  }
  return { vkey, treeSize: tree.size, treeRoot: toBase64(tree.root()), checkpoint, witnessed };
}

async function copyDatabase(o: BackupOptions): Promise<BackupFile> {
  const path = DATABASE_FILES[o.store.dialect];
  const target = join(o.dest, path);
  if (o.store.dialect === 'sqlite') {
    const sqlite = o.store.sqlite;
    if (!sqlite) throw new BackupError('this store has no SQLite handle to back up');
    const partial = `${target}.partial`;
    // One step for all pages: the copy is one read snapshot, which WAL lets writers go on past,
    // instead of restarting each time the server commits (which under steady ingest never ends).
    await sqlite.backup(partial, { progress: () => 0x7fffffff });
    // A rollback-journal file is self-contained: it opens read-only with no -wal or -shm beside it.
    const copy = new SQLite(partial);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    renameSync(partial, target);
  } else {
    if (!o.databaseUrl) throw new BackupUsageError('a PostgreSQL backup needs the database URL');
    await pgDump(o.databaseUrl, target, o.schema);
  }
  return hashFile(target, path);
}

/** Makes the backup in `dest`; returns its manifest (also written as `dest/manifest.json`). */
export async function backupStore(o: BackupOptions): Promise<BackupManifest> {
  if (!isEmptyDir(o.dest)) throw new BackupUsageError(`${o.dest} is not empty; give a new or empty folder`);
  const created = !existsSync(o.dest);
  mkdirSync(o.dest, { recursive: true });
  try {
    const warnings: string[] = [];
    const local = localVkey(o.dataDir);
    if (local.warning) warnings.push(local.warning);
    const createdAt = (o.now?.() ?? new Date()).toISOString();
    const ledger = await ledgerState(o.store, local.vkey, warnings);
    const database = await copyDatabase(o);

    // After the database: every file a copied row names was written before that row committed.
    const evidenceRoot = join(o.dataDir, EVIDENCE_DIR);
    const { files, skipped } = listFiles(evidenceRoot);
    for (const s of skipped) warnings.push(`evidence/${s} is not a regular file and was not copied`);
    const evidence: BackupFile[] = [];
    for (const rel of files) {
      const path = `${EVIDENCE_DIR}/${rel}`;
      evidence.push(await copyHashed(join(evidenceRoot, rel), join(o.dest, path), path));
    }

    // Restore checks the ledger against what these witnesses cosigned, and the restored server
    // goes on collecting from them.
    const witnessFile = join(o.dataDir, WITNESSES_FILE);
    const witnesses = existsSync(witnessFile)
      ? await copyHashed(witnessFile, join(o.dest, WITNESSES_FILE), WITNESSES_FILE)
      : null;
    if (witnesses && ledger.witnessed === null) {
      warnings.push(
        'witnesses are configured but no checkpoint has been witnessed yet: restore will refuse this backup unless given --accept-unwitnessed',
      );
    }

    let logKey: BackupFile | null = null;
    if (o.includeLogKey) {
      const keyFile = join(o.dataDir, LOG_KEY_FILE);
      if (!existsSync(keyFile))
        throw new BackupUsageError(`--include-log-key: there is no log key at ${keyFile}`);
      logKey = await copyHashed(keyFile, join(o.dest, LOG_KEY_FILE), LOG_KEY_FILE, 0o600);
      warnings.push('this backup holds the log private key: guard it like the key itself');
    }

    let secretsKey: BackupFile | null = null;
    if (o.includeSecretsKey) {
      const keyFile = join(o.dataDir, SECRETS_KEY_FILE);
      if (!existsSync(keyFile)) {
        throw new BackupUsageError(
          `--include-secrets-key: there is no secrets key at ${keyFile} (when GUARANTOR_SECRETS_KEY gives it, keep that value apart instead)`,
        );
      }
      secretsKey = await copyHashed(keyFile, join(o.dest, SECRETS_KEY_FILE), SECRETS_KEY_FILE, 0o600);
      warnings.push(
        "this backup holds the secrets key: whoever reads it can make every account's TOTP codes; guard it like the key itself",
      );
    }

    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      createdAt,
      dialect: o.store.dialect,
      database,
      ledger,
      evidence,
      witnesses,
      logKey,
      secretsKey,
      warnings,
    };
    const tmp = join(o.dest, `${MANIFEST_FILE}.partial`);
    writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(tmp, join(o.dest, MANIFEST_FILE));
    return manifest;
  } catch (e) {
    // Leave nothing that could pass for a backup.
    if (created) rmSync(o.dest, { recursive: true, force: true });
    else
      for (const entry of readdirSync(o.dest)) rmSync(join(o.dest, entry), { recursive: true, force: true });
    throw e;
  }
}
