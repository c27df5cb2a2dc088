/**
 * `guarantor backup DEST`: a consistent copy of the database, the evidence files and a manifest,
 * made while the server keeps running. Exit codes: 0 written, 1 the backup failed, 2 bad usage.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../kernel/config/config.ts';
import { BackupError, BackupUsageError, backupStore } from '../kernel/store/backup.ts';
import { DATABASE_FILES } from '../kernel/store/backup-manifest.ts';
import { openStore, storeOptionsFor } from '../kernel/store/store.ts';
import { type Io, processIo } from './io.ts';

export interface BackupFlags {
  data?: string;
  databaseUrl?: string;
  includeLogKey?: boolean;
  includeSecretsKey?: boolean;
  json?: boolean;
}

/** Exit code for an error, with its message written: 2 for usage and configuration, 1 otherwise. */
export function reportError(e: unknown, io: Io): number {
  if (e instanceof BackupUsageError || e instanceof ConfigError) {
    io.err(e.message);
    return 2;
  }
  io.err(e instanceof BackupError ? e.message : `failed: ${(e as Error).message ?? String(e)}`);
  return 1;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function backupCommand(dest: string, flags: BackupFlags, io: Io = processIo): Promise<number> {
  let code = 0;
  try {
    const config = loadConfig(process.env, { dataDir: flags.data, databaseUrl: flags.databaseUrl });
    if (!config.databaseUrl && !existsSync(join(config.dataDir, DATABASE_FILES.sqlite))) {
      throw new BackupUsageError(`no database in ${config.dataDir}; give --data or DATABASE_URL`);
    }
    if (flags.includeLogKey) {
      io.err('warning: --include-log-key copies the log private key into the backup; whoever reads the');
      io.err('backup can then sign checkpoints as this log. Store it as you store the key itself.');
    }
    if (flags.includeSecretsKey) {
      io.err('warning: --include-secrets-key copies the key that seals the TOTP secrets into the backup;');
      io.err("whoever reads the backup can then make every account's codes. Store it as you store the key.");
    }
    const store = await openStore(storeOptionsFor(config));
    try {
      const manifest = await backupStore({
        store,
        dataDir: config.dataDir,
        dest,
        ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
        includeLogKey: flags.includeLogKey === true,
        includeSecretsKey: flags.includeSecretsKey === true,
      });
      if (flags.json) io.out(JSON.stringify(manifest));
      else {
        const c = manifest.ledger.checkpoint;
        io.out(`backup written to ${dest}`);
        io.out(
          `  database: ${manifest.database.path}, ${mb(manifest.database.bytes)}, sha256 ${manifest.database.sha256}`,
        );
        io.out(
          `  ledger: at least ${manifest.ledger.treeSize} leaves; ${c ? `latest signed checkpoint at size ${c.size}` : 'no checkpoint yet'}`,
        );
        const w = manifest.ledger.witnessed;
        io.out(
          `  witnesses: ${w ? `latest witnessed checkpoint at size ${w.size} (${w.cosigners} cosignatures)` : manifest.witnesses ? 'configured, but no checkpoint witnessed yet' : 'none configured'}`,
        );
        io.out(`  evidence: ${manifest.evidence.length} files`);
        io.out(`  log key: ${manifest.logKey ? 'INCLUDED' : 'not included (keep it apart)'}`);
        io.out(
          `  secrets key: ${manifest.secretsKey ? 'INCLUDED' : 'not included (keep it apart: without it every authenticator app must be enrolled again)'}`,
        );
      }
      for (const w of manifest.warnings) io.err(`warning: ${w}`);
    } finally {
      await store.close();
    }
  } catch (e) {
    code = reportError(e, io);
  }
  process.exitCode = code;
  return code;
}
