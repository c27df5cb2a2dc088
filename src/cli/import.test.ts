import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, secretariatTokenFor, startApp } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { openStore } from '../kernel/store/store.ts';
import { sqliteDialect } from '../kernel/store/test-dialects.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/guarantor.js');
const dir = mkdtempSync(join(tmpdir(), 'guarantor-cli-'));
const env = { ...process.env, GUARANTOR_DATA: join(dir, 'data'), GUARANTOR_DEMO: 'off', LOG_LEVEL: 'warn' };

async function guarantor(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return guarantorWith(env, ...args);
}

async function guarantorWith(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A file whose second line has a report type that does not exist. */
function oneGoodOneBad(name: string, prefix = 'cli'): string {
  const file = join(dir, name);
  const good = aReport({ clientInstanceId: `${prefix}-good` });
  writeFileSync(
    file,
    `${JSON.stringify(good)}\n${JSON.stringify({ ...good, clientInstanceId: `${prefix}-bad`, type: 'thunder' })}\n`,
  );
  return file;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('guarantor import', () => {
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
    const file = oneGoodOneBad('bad.ndjson');
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

describe('guarantor import --url, through a running server', () => {
  let app: App;
  let url: string;
  let withToken: NodeJS.ProcessEnv;

  beforeAll(async () => {
    app = await startApp(sqliteDialect);
    url = await app.http.listen({ port: 0, host: '127.0.0.1' });
    withToken = { ...env, GUARANTOR_TOKEN: await secretariatTokenFor(app.accounts) };
  });
  afterAll(async () => {
    await app?.close();
  });

  it('prints the rows the server refused and exits 1 when all-or-nothing rolls the file back', async () => {
    const file = oneGoodOneBad('remote.ndjson', 'remote');
    const strict = await guarantorWith(withToken, 'import', file, '--url', url, '--all-or-nothing');
    expect(strict.stderr).toBe('');
    expect(strict.stdout).toContain('0 accepted, 1 rejected');
    expect(strict.stdout).toContain('rolled back');
    expect(strict.stdout).toContain('line 2 type');
    expect(strict.code).toBe(1);

    const lenient = await guarantorWith(withToken, 'import', file, '--url', url, '--json');
    expect(JSON.parse(lenient.stdout)).toMatchObject({ accepted: 1, rejected: 1, rolledBack: false });
    expect(lenient.code).toBe(0);
  });

  it('says why when the server refuses the import itself', async () => {
    const r = await guarantorWith(
      { ...env, GUARANTOR_TOKEN: 'not-a-token' },
      'import',
      'examples/reports.csv',
      '--url',
      url,
    );
    expect(r.stderr).toMatch(/^guarantor import: the server refused the import \(401\): /);
    expect(r.code).toBe(1);

    const away = await guarantorWith(
      withToken,
      'import',
      'examples/reports.csv',
      '--url',
      'http://127.0.0.1:9',
    );
    expect(away.stderr).toMatch(/^guarantor import: cannot reach http:\/\/127\.0\.0\.1:9: /);
    expect(away.code).toBe(1);
  });
});
