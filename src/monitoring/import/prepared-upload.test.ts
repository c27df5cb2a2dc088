import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { aReport } from '../../../test/harness.ts';
import { createServices } from '../../app.ts';
import { DEMO_SECTORS, DEMO_ZONES } from '../../demo/front.ts';
import { auditLedger } from '../../kernel/ledger/audit.ts';
import type { Store } from '../../kernel/store/store.ts';
import { DIALECTS } from '../../kernel/store/test-dialects.ts';
import { startWorker } from '../../kernel/threads/start-worker.ts';
import { prepareGeography } from '../enrich.ts';
import type { Sector, Zone } from '../types.ts';
import type { ImportFormat } from './detect.ts';
import type { PreparedBatch } from './prepare.ts';
import { prepareUpload } from './prepared-upload.ts';

// The real worker, counted: each test says whether its upload went through one.
vi.mock('../../kernel/threads/start-worker.ts', async (actual) => {
  const real = await actual<typeof import('../../kernel/threads/start-worker.ts')>();
  return { startWorker: vi.fn(real.startWorker) };
});
beforeEach(() => {
  vi.mocked(startWorker).mockClear();
});

const geography = prepareGeography(
  DEMO_ZONES.map((z, i) => ({ id: `z${i}`, ...z }) as Zone),
  DEMO_SECTORS.map((s, i) => ({ id: `s${i}`, ...s }) as Sector),
);

/** An upload with a bad line every seventh row: unreadable JSON, an invalid field or an unknown key. */
function ndjson(rows: number): string {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    if (i % 7 === 3) lines.push('{"broken');
    else if (i % 7 === 5) lines.push(JSON.stringify(aReport({ observer: { lon: 37, lat: 91 } })));
    else if (i % 7 === 6) lines.push(JSON.stringify({ ...aReport(), colour: 'red' }));
    else lines.push(JSON.stringify(aReport({ count: i + 1, notes: `row ${i} — «ï»` })));
  }
  return `${lines.join('\n')}\n`;
}

/** What an upload prepares to, without what differs by design between two runs (ids, times, salts). */
async function prepared(format: ImportFormat, text: string, pieceChars?: number) {
  const batches: PreparedBatch[] = [];
  // Chunks of awkward sizes, as a network delivers them: some end inside a character.
  const bytes = Buffer.from(text);
  const chunks = Array.from({ length: Math.ceil(bytes.length / 997) }, (_, i) =>
    bytes.subarray(i * 997, (i + 1) * 997),
  );
  for await (const b of prepareUpload(format, chunks, { geography, ...(pieceChars ? { pieceChars } : {}) })) {
    batches.push(b);
  }
  const reports = batches.flatMap((b) =>
    b.reports.map(({ line, row, leaf }) => {
      const { id: _id, received_at: _at, ...stable } = row;
      return { line, stable, leaf: leaf && leaf.record_id === row.id && leaf.kind };
    }),
  );
  return {
    reports,
    rejected: batches.flatMap((b) => b.rejected),
    stoppedAtLine: batches.find((b) => b.stoppedAtLine !== null)?.stoppedAtLine ?? null,
    largestBatch: Math.max(0, ...batches.map((b) => b.reports.length + b.rejected.length)),
  };
}

describe('preparing an upload', () => {
  it('gives the same rows and the same row errors on the import worker as in-thread', async () => {
    const text = ndjson(700);
    const inThread = await prepared('ndjson', text);
    expect(startWorker).not.toHaveBeenCalled();
    const onWorker = await prepared('ndjson', text, 4096);
    expect(startWorker).toHaveBeenCalledTimes(1);
    expect(onWorker.reports).toEqual(inThread.reports);
    expect(onWorker.rejected).toEqual(inThread.rejected);
    expect(onWorker.reports).toHaveLength(400);
    expect(onWorker.reports.every((r) => r.leaf === 'report')).toBe(true);
    // Characters split between chunks, and between the pieces sent to the worker, arrive whole.
    expect(onWorker.reports.every((r) => r.stable.notes?.endsWith('— «ï»'))).toBe(true);
    expect(onWorker.rejected.map((r) => [r.line, r.code, r.field])).toContainEqual([
      4,
      'invalid_json',
      undefined,
    ]);
    expect(onWorker.rejected.map((r) => [r.line, r.code, r.field])).toContainEqual([
      6,
      'validation_failed',
      'observer.lat',
    ]);
    expect(onWorker.rejected.map((r) => [r.line, r.code])).toContainEqual([7, 'validation_failed']);
  });

  it('stops where a CSV breaks, on the worker as in-thread, and reads nothing after', async () => {
    const header =
      'clientInstanceId,source.kind,source.id,source.participant,observedFrom,observedTo,observer.lon,observer.lat,event.lon,event.lat,type,means';
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const row = (i: number) =>
      `csv-${process.pid}-${i},patrol,P-1,FRA,${at},${at},37.6,48.0,37.61,48.01,explosion,heard`;
    const rows = Array.from({ length: 600 }, (_, i) => row(i));
    rows.splice(450, 0, '"unterminated,patrol');
    const text = `${header}\n${rows.join('\n')}\n`;
    const inThread = await prepared('csv', text);
    const onWorker = await prepared('csv', text, 2048);
    expect(startWorker).toHaveBeenCalledTimes(1);
    expect(onWorker.stoppedAtLine).toBe(452);
    expect(inThread.stoppedAtLine).toBe(452);
    expect(onWorker.reports).toEqual(inThread.reports);
    expect(onWorker.rejected).toEqual(inThread.rejected);
    expect(onWorker.reports).toHaveLength(450);
  });

  it('hands rows on in batches of at most 2,000, whatever the piece holds', async () => {
    const { largestBatch, reports } = await prepared('ndjson', ndjson(5000), 1 << 22);
    expect(reports.length).toBeGreaterThan(2000);
    expect(largestBatch).toBeLessThanOrEqual(2000);
  });
});

for (const dialect of DIALECTS) {
  describe(`an upload imported through the worker on ${dialect.name}`, () => {
    let store: Store;
    let services: ReturnType<typeof createServices>;
    beforeAll(async () => {
      store = await dialect.open();
      services = createServices(store);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('lands what the worker prepared, with leaves that audit against the stored rows', async () => {
      const summary = await services.reports.importUpload('ndjson', [ndjson(1400)], {
        allOrNothing: false,
        pieceChars: 8192,
      });
      expect(startWorker).toHaveBeenCalledTimes(1);
      expect(summary).toMatchObject({ accepted: 800, rejected: 600, duplicates: 0, stoppedAtLine: null });
      const stored = await store.db
        .selectFrom('reports')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBe(800);
      const result = await auditLedger(store, {});
      expect(result.problem).toBeUndefined();
      expect(result.counts.records.report).toBe(800);
    });

    it('rolls the whole upload back when all-or-nothing meets a bad row', async () => {
      const summary = await services.reports.importUpload('ndjson', [ndjson(700)], {
        allOrNothing: true,
        pieceChars: 8192,
      });
      expect(startWorker).toHaveBeenCalledTimes(1);
      expect(summary).toMatchObject({ accepted: 0, rolledBack: true });
      const stored = await store.db
        .selectFrom('reports')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBe(800);
    });
  });
}
