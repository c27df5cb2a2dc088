/**
 * `guarantor witness`: a C2SP tlog-witness a member state runs itself. It holds its own cosignature
 * key (created 0600 on first start), follows the logs whose verifier keys it is given, keeps the
 * last checkpoint it cosigned for each in a state file, and refuses any checkpoint not consistent
 * with it. It needs no database and no access to Guarantor beyond receiving submissions.
 *
 *   guarantor witness --name witness.fra.example --log-vkey <vkey or file> --listen 127.0.0.1:7380
 *
 * prints the witness's own vkey, which the member state gives the log operator for `witnesses.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../kernel/config/config.ts';
import { nodeEd25519 } from '../kernel/ledger/ed25519-node.ts';
import { parseEd25519VerifierKey } from '../kernel/ledger/note.ts';
import { Witness, type WitnessLog } from '../kernel/ledger/witness.ts';
import { loadOrCreateWitnessKey } from '../kernel/ledger/witness-key.ts';
import { startWitnessServer, type WitnessServer } from '../kernel/ledger/witness-server.ts';
import { FileWitnessState } from '../kernel/ledger/witness-state.ts';
import { type Io, processIo } from './io.ts';

export const WITNESS_KEY_FILE = 'witness-key';
export const WITNESS_STATE_FILE = 'witness-state.json';
export const DEFAULT_WITNESS_LISTEN = '127.0.0.1:7380';

export interface WitnessFlags {
  data?: string;
  keyFile?: string;
  /** The witness key's name, needed when the key file is created. */
  name?: string;
  /** Log verifier keys, or files holding one per line; each key's name is the log's origin. */
  logVkey?: string[];
  listen?: string;
  state?: string;
  /** The submission prefix path, e.g. `/witness`. */
  prefix?: string;
}

class UsageError extends Error {}

function paths(flags: WitnessFlags): { keyFile: string; stateFile: string } {
  const needData = flags.keyFile === undefined || flags.state === undefined;
  const dataDir = needData ? loadConfig(process.env, { dataDir: flags.data }).dataDir : '';
  return {
    keyFile: flags.keyFile ?? join(dataDir, WITNESS_KEY_FILE),
    stateFile: flags.state ?? join(dataDir, WITNESS_STATE_FILE),
  };
}

/** The logs to follow, from vkeys given inline or in files; several keys for one origin are allowed. */
export function readLogKeys(values: readonly string[]): WitnessLog[] {
  if (values.length === 0) throw new UsageError('give the log verifier key with --log-vkey <vkey or file>');
  const byOrigin = new Map<string, string[]>();
  for (const value of values) {
    const lines = existsSync(value) ? readFileSync(value, 'utf8').split('\n') : [value];
    for (const line of lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
      let origin: string;
      try {
        origin = parseEd25519VerifierKey(line).name;
      } catch (e) {
        throw new UsageError(
          `--log-vkey ${line.slice(0, 60)} is not a log verifier key: ${(e as Error).message}`,
        );
      }
      byOrigin.set(origin, [...(byOrigin.get(origin) ?? []), line]);
    }
  }
  return [...byOrigin].map(([origin, vkeys]) => ({ origin, vkeys }));
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65_535) throw new UsageError(`--listen ${listen} is not host:port`);
  return { host: m[1] ?? m[2]!, port };
}

/** Starts the witness; it runs until SIGINT or SIGTERM (or `stop()` in tests). */
export async function witnessCommand(
  flags: WitnessFlags,
  io: Io = processIo,
): Promise<(WitnessServer & { stop(): Promise<void> }) | undefined> {
  let state: FileWitnessState | undefined;
  try {
    const logs = readLogKeys(flags.logVkey ?? []);
    const { host, port } = parseListen(flags.listen ?? DEFAULT_WITNESS_LISTEN);
    const { keyFile, stateFile } = paths(flags);
    const key = loadOrCreateWitnessKey(keyFile, flags.name);
    state = FileWitnessState.open(stateFile);
    const witness = new Witness({ skey: key.skey, logs, ed25519: nodeEd25519, state });
    const server = await startWitnessServer(witness, {
      host,
      port,
      ...(flags.prefix ? { prefix: flags.prefix.replace(/\/+$/, '') } : {}),
      onResult: (r) => {
        if (r.status !== 200) io.err(`refused (${r.status}): ${r.body.trim()}`);
      },
    });
    const held = state;
    const onSignal = () => void stop().then(() => process.exit(0));
    const stop = async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await server.close();
      held.close();
    };
    io.out(`witness ${key.name} is listening at ${server.url}/add-checkpoint`);
    io.out(`its verifier key (give it to the log operator): ${key.vkey}`);
    for (const log of logs) io.out(`following ${log.origin}`);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    return { ...server, stop };
  } catch (e) {
    state?.close();
    io.err(`witness: ${(e as Error).message}`);
    process.exitCode = 2;
    return undefined;
  }
}

/** `guarantor witness vkey`: prints the witness's verifier key, creating the key when --name is given. */
export function witnessVkeyCommand(flags: WitnessFlags, io: Io = processIo): number {
  try {
    io.out(loadOrCreateWitnessKey(paths(flags).keyFile, flags.name).vkey);
    return 0;
  } catch (e) {
    io.err(`witness: ${(e as Error).message}`);
    process.exitCode = 2;
    return 2;
  }
}
