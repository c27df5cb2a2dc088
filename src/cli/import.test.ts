import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../kernel/store/store.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/guarantor.js');
const dir = mkdtempSync(join(tmpdir(), 'guarantor-cli-'));
const env = { ...process.env, GUARANTOR_DATA: join(dir, 'data'), GUARANTOR_DEMO: 'off', LOG_LEVEL: 'warn' };

async function guarantor(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('guarantor import', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports the example CSV in Guarantor’s own layout', async () => {
    const r = await guarantor('import', 'examples/reports.csv', '--json');
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout);
    expect(summary.rejected).toBe(0);
    expect(summary.accepted).toBeGreaterThan(5);
    expect(r.code).toBe(0);
  });

  it('imports a foreign layout through a mapping file, and a second run finds only duplicates', async () => {
    const first = JSON.parse(
      (
        await guarantor(
          'import',
          'examples/acled-style.csv',
          '--mapping',
          'examples/acled-mapping.json',
          '--json',
        )
      ).stdout,
    );
    expect(first.rejected).toBe(0);
    expect(first.accepted).toBeGreaterThan(5);
    const again = JSON.parse(
      (
        await guarantor(
          'import',
          'examples/acled-style.csv',
          '--mapping',
          'examples/acled-mapping.json',
          '--json',
        )
      ).stdout,
    );
    expect(again).toMatchObject({ accepted: 0, duplicates: first.accepted });

    const store = await openStore({ kind: 'sqlite', file: join(dir, 'data/guarantor.sqlite') });
    try {
      const incidents = await store.db.selectFrom('incidents').select('id').execute();
      expect(incidents.length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('names bad rows by line and field, and rolls back with --all-or-nothing', async () => {
    const file = join(dir, 'bad.ndjson');
    const good = {
      clientInstanceId: 'cli-good',
      source: { kind: 'patrol', id: 'p', participant: 'FIN' },
      observedFrom: '2026-11-20T10:00:00Z',
      observedTo: '2026-11-20T10:05:00Z',
      observer: { lon: 37.5, lat: 48 },
      event: { lon: 37.52, lat: 48.01 },
      type: 'explosion',
      means: 'heard',
    };
    writeFileSync(
      file,
      `${JSON.stringify(good)}\n${JSON.stringify({ ...good, clientInstanceId: 'cli-bad', type: 'thunder' })}\n`,
    );
    const strict = await guarantor('import', file, '--all-or-nothing');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('line 2 type');
    expect(strict.stdout).toContain('rolled back');
    const lenient = await guarantor('import', file);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/1 accepted, 1 rejected/);
  });

  it('explains an unknown format and a bad configuration', async () => {
    const r = await guarantor('import', 'README.md');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format');
    const port = await run(process.execPath, [BIN, 'serve', '--port', '99999'], { env, cwd: ROOT }).catch(
      (e) => e,
    );
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('PORT (--port)');
  });
});
