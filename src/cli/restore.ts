/**
 * `guarantor restore SRC`: restores a backup into an empty data directory (or PostgreSQL database)
 * after verifying it: every file against its hash, the ledger against the backup's signed
 * checkpoint and against the last checkpoint a quorum of the member witnesses cosigned, and
 * (SQLite) every record against its ledger leaf as `guarantor audit` does. Exit codes: 0 restored,
 * 1 refused or failed (nothing was changed), 2 bad usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../kernel/config/config.ts';
import { auditLedger } from '../kernel/ledger/audit.ts';
import { policyFrom, type RestoreResult, restoreStore } from '../kernel/store/backup-restore.ts';
import { reportError } from './backup.ts';
import { type Io, processIo } from './io.ts';

export interface RestoreFlags {
  data?: string;
  databaseUrl?: string;
  /** The log's verifier key, or a file holding it. */
  key?: string;
  force?: boolean;
  json?: boolean;
  /** The witness configuration (witnesses.json) member states agreed; default <data>/witnesses.json, else the backup's. */
  witnesses?: string;
  /** Restore although witnesses are configured and none cosigned a checkpoint the backup holds. */
  acceptUnwitnessed?: boolean;
}

function describeWitnessed(r: RestoreResult): string {
  if (r.witnessPolicy === null) return 'none configured: verified against the log-signed checkpoint only';
  const from = { given: '--witnesses', data: 'the data directory', backup: 'the backup' }[r.witnessPolicy];
  if (r.witnessed === null)
    return `no checkpoint in the backup was cosigned by a quorum of them (policy from ${from}); restored on the log key alone`;
  const w = r.witnessed;
  return `matching the checkpoint at size ${w.size} cosigned by ${w.cosigners.join(', ')} (quorum ${w.quorum} of ${w.of}; policy from ${from})`;
}

export async function restoreCommand(src: string, flags: RestoreFlags, io: Io = processIo): Promise<number> {
  let code = 0;
  try {
    const config = loadConfig(process.env, { dataDir: flags.data, databaseUrl: flags.databaseUrl });
    const key = flags.key && existsSync(flags.key) ? readFileSync(flags.key, 'utf8').trim() : flags.key;
    const result = await restoreStore({
      src,
      dataDir: config.dataDir,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(key ? { vkey: key } : {}),
      ...(flags.witnesses ? { witnesses: policyFrom(flags.witnesses, '--witnesses') } : {}),
      acceptUnwitnessed: flags.acceptUnwitnessed === true,
      force: flags.force === true,
      // Records against their leaves' commitments: catches a row changed in a backup whose
      // manifest was rewritten to match, which the file hashes alone cannot.
      audit: async (store) => {
        const result = await auditLedger(store, key ? { vkey: key } : {});
        return result.ok ? undefined : (result.problem?.message ?? 'the audit failed');
      },
    });
    if (flags.json) {
      const { manifest: _, ...summary } = result;
      io.out(JSON.stringify(summary));
    } else {
      io.out(`restored ${src} into ${config.databaseUrl ? 'the PostgreSQL database' : config.dataDir}`);
      io.out(
        `  ledger: ${result.treeSize} leaves verified${result.checkpointSize === null ? '' : `, matching the signed checkpoint at size ${result.checkpointSize}`} (key ${result.keySource === 'given' ? 'given' : 'from the backup'})`,
      );
      io.out(`  witnesses: ${describeWitnessed(result)}`);
      io.out(`  evidence: ${result.evidenceFiles} files match their hashes`);
    }
    for (const n of result.notes) io.err(`note: ${n}`);
  } catch (e) {
    code = reportError(e, io);
  }
  process.exitCode = code;
  return code;
}
