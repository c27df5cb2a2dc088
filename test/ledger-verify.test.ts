/**
 * `guarantor verify` against a live server on 127.0.0.1 and against an exported tiles directory,
 * including the attacks it exists for: a rewritten history, a fork at the same size, and entries
 * that no longer match the tree.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.ts';
import { verifyCommand, verifyRecord } from '../src/cli/verify.ts';
import { Api } from '../src/kernel/http/api.ts';
import { buildServer } from '../src/kernel/http/server.ts';
import { appendLeaves } from '../src/kernel/ledger/append.ts';
import { exportTiles } from '../src/kernel/ledger/export-tiles.ts';
import { LedgerService } from '../src/kernel/ledger/ledger-service.ts';
import { generateLogKey } from '../src/kernel/ledger/log-key.ts';
import { ledgerRoutes } from '../src/kernel/ledger/routes.ts';
import type { Store } from '../src/kernel/store/store.ts';
import { DIALECTS } from '../src/kernel/store/test-dialects.ts';

function capture(): Io & { lines: string[]; text(): string } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l), text: () => lines.join('\n') };
}

describe('guarantor verify', () => {
  let store: Store;
  let http: FastifyInstance;
  let url: string;
  let ledger: LedgerService;
  const key = generateLogKey('verify.invalid/ledger');
  const dir = mkdtempSync(join(tmpdir(), 'guarantor-verify-'));
  let next = 0;

  async function append(n: number): Promise<void> {
    await store.transaction((trx) =>
      appendLeaves(
        trx,
        Array.from({ length: n }, () => ({
          kind: 'report',
          recordId: `r-${next}`,
          content: { n: next++ },
          at: '2026-11-01T10:00:00.000Z',
        })),
      ),
    );
  }

  async function run(target: string, flags: Parameters<typeof verifyCommand>[1]) {
    const io = capture();
    const code = await verifyCommand(target, flags, io);
    return { code, text: io.text() };
  }

  beforeAll(async () => {
    store = await DIALECTS[0]!.open();
    ledger = new LedgerService(store, key);
    http = await buildServer({
      api: new Api().add(...ledgerRoutes(ledger)),
      logger: pino({ level: 'silent' }),
    });
    url = await http.listen({ host: '127.0.0.1', port: 0 });
    await append(600);
    await ledger.checkpoint();
  });
  afterAll(async () => {
    process.exitCode = 0;
    await http?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies a live log, then its growth against the saved state', async () => {
    const state = join(dir, 'url-state.json');
    const first = await run(url, { key: key.vkey, state, full: true });
    expect(first.text).toContain('full: rebuilt 600 entries');
    expect(first.code).toBe(0);
    expect(JSON.parse(readFileSync(state, 'utf8')).size).toBe(600);

    await append(70_000 - 600);
    await ledger.checkpoint();
    const second = await run(url, { key: key.vkey, state });
    expect(second.text).toContain('extends the saved checkpoint of size 600');
    expect(second.code).toBe(0);
    expect(JSON.parse(readFileSync(state, 'utf8')).size).toBe(70_000);
  });

  it('verifies an exported directory, in full and by consistency from its tiles', async () => {
    const tiles = join(dir, 'tiles');
    const state = join(dir, 'dir-state.json');
    await exportTiles(ledger, tiles);
    const first = await run(tiles, { key: join(tiles, 'vkey'), state, full: true });
    expect(first.text).toContain('full: rebuilt 70000 entries');
    expect(first.code).toBe(0);
    await append(1234);
    await exportTiles(ledger, tiles);
    const second = await run(tiles, { key: key.vkey, state });
    expect(second.text).toContain('extends the saved checkpoint of size 70000');
    expect(second.code).toBe(0);
  });

  it('proves one record against a verified checkpoint', async () => {
    const io = capture();
    expect(await verifyRecord('report', 'r-42', { url, key: key.vkey }, io)).toBe(0);
    expect(io.text()).toContain('report r-42 is leaf 42 of the signed checkpoint');
    expect(await verifyRecord('report', 'missing', { url, key: key.vkey }, capture())).toBe(1);
    expect(await verifyRecord('report', 'r-1', { key: key.vkey }, capture())).toBe(2);
  });

  it('refuses a checkpoint signed by another key, and says how it was misused', async () => {
    const other = generateLogKey(key.origin);
    const wrong = await run(url, { key: other.vkey });
    expect(wrong.code).toBe(1);
    expect(wrong.text).toMatch(/checkpoint .* does not verify with the given key/);
    expect((await run(url, {})).code).toBe(2);
    expect((await run(url, { key: 'not a key' })).code).toBe(2);
    expect((await run(join(dir, 'nowhere'), { key: key.vkey })).code).toBe(2);
  });

  it('with --full catches entries that no longer match the tree, and keeps its state', async () => {
    const state = join(dir, 'url-state.json');
    const before = readFileSync(state, 'utf8');
    const row = await store.db
      .selectFrom('ledger_leaves')
      .selectAll()
      .where('idx', '=', 7)
      .executeTakeFirstOrThrow();
    await store.transaction((trx) =>
      trx
        .updateTable('ledger_leaves')
        .set({ commitment: 'ab'.repeat(32) })
        .where('idx', '=', 7)
        .execute(),
    );
    const res = await run(url, { key: key.vkey, state, full: true });
    expect(res.code).toBe(1);
    expect(res.text).toContain('full rebuild');
    expect(readFileSync(state, 'utf8')).toBe(before);
    await store.transaction((trx) =>
      trx.updateTable('ledger_leaves').set({ commitment: row.commitment }).where('idx', '=', 7).execute(),
    );
  });

  it('catches a rewritten history: a fork at the same size, then an inconsistent extension', async () => {
    const urlState = join(dir, 'url-state.json');
    const dirState = join(dir, 'dir-state.json');
    expect((await run(url, { key: key.vkey, state: urlState })).code).toBe(0);
    const saved = readFileSync(urlState, 'utf8');

    // The operator rewrites one leaf and rebuilds the tree and checkpoints from scratch.
    await store.transaction(async (trx) => {
      await trx
        .updateTable('ledger_leaves')
        .set({ leaf_hash: '11'.repeat(32) })
        .where('idx', '=', 5)
        .execute();
      await trx.deleteFrom('ledger_tiles').execute();
      await trx.deleteFrom('ledger_checkpoints').execute();
    });
    const forged = new LedgerService(store, key);
    await forged.checkpoint();
    const fork = await run(url, { key: key.vkey, state: urlState });
    expect(fork.code).toBe(1);
    expect(fork.text).toContain('two different checkpoints of size 71234');
    expect(readFileSync(urlState, 'utf8')).toBe(saved);

    await append(10);
    await forged.checkpoint();
    const rewritten = await run(url, { key: key.vkey, state: urlState });
    expect(rewritten.code).toBe(1);
    expect(rewritten.text).toContain(
      'consistency: the checkpoint of size 71244 does not extend the saved one of size 71234',
    );

    const tiles = join(dir, 'forged-tiles');
    await exportTiles(forged, tiles);
    const fromDir = await run(tiles, { key: key.vkey, state: dirState });
    expect(fromDir.code).toBe(1);
    expect(fromDir.text).toContain('does not extend the saved one of size 71234');
  });
});
