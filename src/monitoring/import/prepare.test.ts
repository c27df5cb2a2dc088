import { describe, expect, it } from 'vitest';
import { aReport } from '../../../test/harness.ts';
import { prepareGeography } from '../enrich.ts';
import { MAX_BATCH_ROWS, prepareSlices } from './prepare.ts';
import { type ImportItem, rowError } from './rows.ts';

const geography = prepareGeography([], []);
// Any 64 bytes: preparing does not verify a signature, landing does.
const signature = { value: Buffer.alloc(64, 7).toString('base64') };

describe('preparing parsed rows', () => {
  it('keeps input order across groups, and the report as sent only where a signature covers it', () => {
    const items: ImportItem[] = Array.from({ length: MAX_BATCH_ROWS + 700 }, (_, i): ImportItem => {
      const line = i + 1;
      if (line % 97 === 0) return { line, value: aReport({ type: 'thunder' }) };
      if (line % 101 === 0) return rowError(line, { code: 'invalid_json', message: 'not JSON' });
      return { line, value: aReport(line % 50 === 0 ? { signature } : {}) };
    });
    const before = [...items];

    const batches = prepareSlices(items, geography);

    // The caller's rows are left as they were.
    expect(items).toEqual(before);
    expect(batches.map((b) => b.reports.length + b.rejected.length)).toEqual([MAX_BATCH_ROWS, 700]);
    const reports = batches.flatMap((b) => b.reports);
    const lines = reports.map((r) => r.line);
    expect(lines).toEqual(items.map((i) => i.line).filter((l) => l % 97 !== 0 && l % 101 !== 0));
    expect(batches.flatMap((b) => b.rejected.map((r) => [r.line, r.code]))).toEqual(
      items
        .filter((i) => i.line % 97 === 0 || i.line % 101 === 0)
        .map((i) => [i.line, i.line % 101 === 0 ? 'invalid_json' : 'validation_failed']),
    );
    for (const r of reports) {
      if (r.line % 50 === 0) {
        expect(r.leaf).toBeNull();
        expect(r.signed?.raw).toBe((items[r.line - 1] as { value: unknown }).value);
      } else {
        expect(r.signed).toBeNull();
        expect(r.leaf?.record_id).toBe(r.row.id);
      }
    }
    // One salt per leaf: no two leaves share one, across the groups prepared together.
    const salts = reports.flatMap((r) => (r.leaf ? [r.leaf.salt] : []));
    expect(new Set(salts).size).toBe(salts.length);
  });
});
