/**
 * `guarantor restore` as an operator sees it with member witnesses: which checkpoint the ledger was
 * verified against, a clear refusal (exit 1) naming --accept-unwitnessed when no quorum cosigned
 * any checkpoint of the backup, and --witnesses to give the policy member states agreed.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendLeaves } from '../kernel/ledger/append.ts';
import { nodeEd25519 } from '../kernel/ledger/ed25519-node.ts';
import { LedgerService } from '../kernel/ledger/ledger-service.ts';
import { LOG_KEY_FILE, type LogKey, loadOrCreateLogKey } from '../kernel/ledger/log-key.ts';
import { Witness } from '../kernel/ledger/witness.ts';
import {
  loadWitnessPolicy,
  WITNESS_CONFIG_FILE,
  WitnessCollector,
} from '../kernel/ledger/witness-collector.ts';
import { loadOrCreateWitnessKey } from '../kernel/ledger/witness-key.ts';
import { startWitnessServer, type WitnessServer } from '../kernel/ledger/witness-server.ts';
import { FileWitnessState } from '../kernel/ledger/witness-state.ts';
import { backupStore } from '../kernel/store/backup.ts';
import { openStore } from '../kernel/store/store.ts';
import type { Io } from './io.ts';
import { restoreCommand } from './restore.ts';

function captureIo(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

describe('guarantor restore with member witnesses', () => {
  const work = mkdtempSync(join(tmpdir(), 'guarantor-restore-cli-'));
  let server: WitnessServer;
  let state: FileWitnessState;
  let log: LogKey;
  let policyFile: string;

  /** A SQLite Guarantor with the witness configured; `witness` says whether a checkpoint gets cosigned. */
  async function backupOf(name: string, witness: boolean): Promise<string> {
    const dataDir = join(work, name);
    mkdirSync(dataDir);
    copyFileSync(join(work, 'log', LOG_KEY_FILE), join(dataDir, LOG_KEY_FILE));
    writeFileSync(join(dataDir, WITNESS_CONFIG_FILE), JSON.stringify(policyJson()));
    const store = await openStore({ kind: 'sqlite', file: join(dataDir, 'guarantor.sqlite') });
    try {
      const ledger = new LedgerService(store, log);
      await store.transaction((trx) =>
        appendLeaves(
          trx,
          Array.from({ length: 30 }, (_, i) => ({
            kind: 'note',
            recordId: `${name}-${i}`,
            content: { i },
            at: '2026-11-01T10:00:00.000Z',
          })),
        ),
      );
      await ledger.checkpoint();
      if (witness) {
        const outcome = await new WitnessCollector(store, ledger, loadWitnessPolicy(dataDir)!).collect();
        expect(outcome?.witnessed).toBe(true);
      }
      const dest = join(work, `${name}-backup`);
      await backupStore({ store, dataDir, dest });
      return dest;
    } finally {
      await store.close();
    }
  }

  let witnessKeyVkey: string;
  const policyJson = () => ({ quorum: 1, witnesses: [{ vkey: witnessKeyVkey, url: server.url }] });

  beforeAll(async () => {
    log = loadOrCreateLogKey(join(work, 'log'), 'restore-cli.invalid/ledger');
    const key = loadOrCreateWitnessKey(join(work, 'witness.key'), 'witness.cli.invalid');
    witnessKeyVkey = key.vkey;
    state = FileWitnessState.open(join(work, 'witness.state.json'));
    server = await startWitnessServer(
      new Witness({
        skey: key.skey,
        logs: [{ origin: log.origin, vkeys: [log.vkey] }],
        ed25519: nodeEd25519,
        state,
      }),
    );
    policyFile = join(work, 'agreed-witnesses.json');
    writeFileSync(policyFile, JSON.stringify(policyJson()));
  });

  afterAll(async () => {
    process.exitCode = 0;
    await server?.close();
    state?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('says which witnessed checkpoint the ledger was verified against', async () => {
    const src = await backupOf('witnessed', true);
    const io = captureIo();
    const code = await restoreCommand(
      src,
      { data: join(work, 'target-1'), key: log.vkey, witnesses: policyFile },
      io,
    );
    expect(code, io.errors.join('\n')).toBe(0);
    expect(io.lines).toContain(
      '  witnesses: matching the checkpoint at size 30 cosigned by witness.cli.invalid (quorum 1 of 1; policy from --witnesses)',
    );
  });

  it('refuses, exit 1, a backup that no quorum cosigned, naming --accept-unwitnessed; restores when it is given', async () => {
    const src = await backupOf('unwitnessed', false);
    const refused = captureIo();
    expect(await restoreCommand(src, { data: join(work, 'target-2'), key: log.vkey }, refused)).toBe(1);
    expect(refused.errors.join('\n')).toMatch(
      /restore refused, nothing was changed[\s\S]*no checkpoint in the backup was cosigned by a quorum of the configured witnesses \(1 of witness\.cli\.invalid\)[\s\S]*--accept-unwitnessed/,
    );

    const accepted = captureIo();
    const code = await restoreCommand(
      src,
      { data: join(work, 'target-3'), key: log.vkey, acceptUnwitnessed: true },
      accepted,
    );
    expect(code, accepted.errors.join('\n')).toBe(0);
    expect(accepted.errors.join('\n')).toMatch(/note: restored WITHOUT a witnessed checkpoint/);
    expect(accepted.lines.join('\n')).toMatch(
      /witnesses: no checkpoint in the backup was cosigned by a quorum of them \(policy from the backup\); restored on the log key alone/,
    );
  });

  it('refuses a --witnesses file it cannot read as a witness configuration, exit 2', async () => {
    const bad = join(work, 'bad-witnesses.json');
    writeFileSync(bad, JSON.stringify({ quorum: 2, witnesses: [] }));
    const io = captureIo();
    expect(
      await restoreCommand(
        join(work, 'witnessed-backup'),
        { data: join(work, 'target-4'), witnesses: bad },
        io,
      ),
    ).toBe(2);
    expect(io.errors[0]).toMatch(/^--witnesses: .*bad-witnesses\.json: witness configuration/);
  });
});
