import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { utf8 } from '../kernel/ledger/bytes.ts';
import { formatCheckpoint } from '../kernel/ledger/checkpoint.ts';
import { generateLogKey } from '../kernel/ledger/log-key.ts';
import { MerkleTree } from '../kernel/ledger/merkle-tree.ts';
import { signNote } from '../kernel/ledger/note.ts';
import { formatAddCheckpoint } from '../kernel/ledger/witness.ts';
import type { Io } from './io.ts';
import { parseListen, witnessCommand, witnessVkeyCommand } from './witness.ts';

function captureIo(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

describe('guarantor witness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guarantor-witness-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const log = generateLogKey('cli-test.invalid/ledger');

  it('creates its key 0600, prints its vkey, cosigns the log it follows and remembers it across restarts', async () => {
    const flags = {
      keyFile: join(dir, 'key'),
      name: 'witness.cli.invalid',
      logVkey: [log.vkey],
      listen: '127.0.0.1:0',
      state: join(dir, 'state.json'),
    };
    const io = captureIo();
    const running = await witnessCommand(flags, io);
    expect(running).toBeDefined();
    expect(statSync(flags.keyFile).mode & 0o777).toBe(0o600);
    const vkeyLine = io.lines.find((l) => l.includes('verifier key'));
    const printed = captureIo();
    witnessVkeyCommand({ keyFile: flags.keyFile }, printed);
    expect(vkeyLine).toContain(printed.lines[0]);
    expect(printed.lines[0]).toMatch(/^witness\.cli\.invalid\+[0-9a-f]{8}\+/);

    const tree = new MerkleTree();
    for (let i = 0; i < 5; i++) tree.appendData(utf8(`leaf ${i}`));
    const note = signNote(
      formatCheckpoint({ origin: log.origin, size: 5, rootHash: tree.root(), extensions: [] }),
      [log.signer],
    );
    const post = (url: string, body: string) => fetch(`${url}/add-checkpoint`, { method: 'POST', body });
    const ok = await post(running!.url, formatAddCheckpoint(0, [], note));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^\u2014 witness\.cli\.invalid /);
    expect((await fetch(`${running!.url}/add-checkpoint`)).status).toBe(405);
    await running!.stop();

    const again = await witnessCommand(flags, captureIo());
    try {
      const conflict = await post(again!.url, formatAddCheckpoint(0, [], note));
      expect(conflict.status).toBe(409);
      expect(conflict.headers.get('content-type')).toBe('text/x.tlog.size');
      expect(await conflict.text()).toBe('5\n');
    } finally {
      await again!.stop();
    }
  });

  it('refuses to start without a log key or with a bad listen address', async () => {
    const io = captureIo();
    expect(
      await witnessCommand({ keyFile: join(dir, 'k2'), name: 'w', state: join(dir, 's2') }, io),
    ).toBeUndefined();
    expect(io.errors[0]).toMatch(/--log-vkey/);
    expect(() => parseListen('localhost')).toThrow(/host:port/);
    expect(parseListen('[::1]:7380')).toEqual({ host: '::1', port: 7380 });
    process.exitCode = 0;
  });
});
