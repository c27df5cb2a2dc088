/**
 * `guarantor audit`: checks the local database against its own ledger (see kernel/ledger/audit.ts)
 * and names the first record or leaf that was changed, deleted, reordered or inserted outside
 * Guarantor. Exit 0 when everything matches, 1 on a problem, 2 when the audit could not run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../kernel/config/config.ts';
import { type AuditResult, auditLedger } from '../kernel/ledger/audit.ts';
import { LOG_KEY_FILE, loadOrCreateLogKey } from '../kernel/ledger/log-key.ts';
import { openStore, storeOptionsFor } from '../kernel/store/store.ts';
import { type Io, processIo } from './io.ts';

export interface AuditFlags {
  data?: string;
  databaseUrl?: string;
  json?: boolean;
}

export function describeAudit(result: AuditResult): string[] {
  const c = result.counts;
  if (result.problem) {
    const p = result.problem;
    const where = [
      p.leafIndex !== undefined ? `leaf ${p.leafIndex}` : undefined,
      p.recordKind !== undefined ? `${p.recordKind} ${p.recordId}` : undefined,
    ].filter(Boolean);
    return [`FAILED ${p.finding}${where.length ? ` (${where.join(', ')})` : ''}: ${p.message}`];
  }
  const records = Object.entries(c.records)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `ok: ${c.leaves} leaves (${c.treeSize} in the stored tree), ${c.checkpoints} signed checkpoints`,
    `records rebuilt and matching their leaves: ${records || 'none'}`,
    `leaves whose content cannot be rebuilt from the database (older versions, other kinds): ${c.contentUnchecked}`,
  ];
}

/** Runs the audit on the configured database; returns (and sets) the exit code. */
export async function auditCommand(flags: AuditFlags, io: Io = processIo): Promise<number> {
  const config = loadConfig(process.env, { dataDir: flags.data, databaseUrl: flags.databaseUrl });
  let code: number;
  try {
    // The log key checks the checkpoints' signatures; an audit must not create one where none is.
    const vkey = existsSync(join(config.dataDir, LOG_KEY_FILE))
      ? loadOrCreateLogKey(config.dataDir, config.ledgerOrigin).vkey
      : undefined;
    if (vkey === undefined) io.err(`no log key in ${config.dataDir}: checkpoint signatures are not checked`);
    const store = await openStore(storeOptionsFor(config));
    try {
      const result = await auditLedger(store, vkey ? { vkey } : {});
      if (flags.json) io.out(JSON.stringify(result, null, 2));
      else for (const line of describeAudit(result)) (result.ok ? io.out : io.err)(line);
      code = result.ok ? 0 : 1;
    } finally {
      await store.close();
    }
  } catch (e) {
    io.err(`audit could not run: ${(e as Error).message}`);
    code = 2;
  }
  process.exitCode = code;
  return code;
}
