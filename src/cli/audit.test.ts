import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { aReport } from '../../test/harness.ts';
import { createApp } from '../app.ts';
import { loadConfig } from '../kernel/config/config.ts';
import { openStore } from '../kernel/store/store.ts';
import { reportInputSchema } from '../monitoring/report-schema.ts';
import { auditCommand } from './audit.ts';
import type { Io } from './io.ts';

function captureIo(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

describe('guarantor audit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guarantor-audit-cli-'));
  afterAll(() => {
    process.exitCode = 0;
    rmSync(dir, { recursive: true, force: true });
  });

  it('says ok for an untouched database and exits 1 naming a report changed behind its back', async () => {
    const app = await createApp(loadConfig({ GUARANTOR_DATA: dir, GUARANTOR_DEMO: 'off' }), {
      logger: pino({ level: 'silent' }),
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      // Through the service, so the ledger holds exactly these three leaves (no sign-in's).
      const { report } = await app.services.reports.submit(reportInputSchema.parse(aReport()));
      ids.push(report.id);
    }
    await app.ledger.checkpoint();
    await app.close();

    // Two checkpoints: the one signed at start, of the empty log, and ours.
    const ok = captureIo();
    expect(await auditCommand({ data: dir }, ok)).toBe(0);
    expect(ok.lines[0]).toMatch(/^ok: 3 leaves \(3 in the stored tree\), 2 signed checkpoints/);
    expect(ok.lines[1]).toContain('report 3');

    const store = await openStore({ kind: 'sqlite', file: join(dir, 'guarantor.sqlite') });
    await store.db.updateTable('reports').set({ notes: 'edited' }).where('id', '=', ids[1]!).execute();
    await store.close();
    const bad = captureIo();
    expect(await auditCommand({ data: dir }, bad)).toBe(1);
    expect(bad.errors[0]).toMatch(new RegExp(`^FAILED record_modified \\(leaf 1, report ${ids[1]}\\)`));
    const json = captureIo();
    await auditCommand({ data: dir, json: true }, json);
    expect(JSON.parse(json.lines[0]!)).toMatchObject({
      ok: false,
      problem: { recordId: ids[1], leafIndex: 1 },
    });
  });
});
