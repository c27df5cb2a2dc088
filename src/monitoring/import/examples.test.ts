import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reportInputSchema } from '../report-schema.ts';
import type { ImportFormat } from './detect.ts';
import { type ColumnMapping, columnMappingSchema } from './mapping.ts';
import { parseImportText } from './parse.ts';
import { collectImport } from './rows.ts';

const example = (name: string) => readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8');

function importExample(format: ImportFormat, name: string, mapping?: ColumnMapping) {
  const { rows, errors } = collectImport(parseImportText(format, example(name), mapping ? { mapping } : {}));
  const invalid = rows.flatMap(({ line, value }) => {
    const result = reportInputSchema.safeParse(value);
    return result.success ? [] : [{ line, issues: result.error.issues }];
  });
  return { rows, errors, invalid, reports: rows.map((r) => reportInputSchema.parse(r.value)) };
}

function inFrontArea(p: { lon?: number | undefined; lat?: number | undefined }) {
  if (p.lon === undefined || p.lat === undefined) return true;
  return p.lon >= 35.5 && p.lon <= 38.5 && p.lat >= 47.0 && p.lat <= 48.8;
}

describe('the example files', () => {
  it('reports.csv: a dozen valid reports in Guarantor layout, the multi-line note at its first line', () => {
    const { rows, errors, invalid, reports } = importExample('csv', 'reports.csv');
    expect(errors).toEqual([]);
    expect(invalid).toEqual([]);
    expect(rows).toHaveLength(12);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14]);
    expect(reports[6]!.notes).toContain('\nThe patrol withdrew');
  });

  it('acled-style.csv with acled-mapping.json: valid reports with day precision and ACLED as the participant', () => {
    const mapping = columnMappingSchema.parse(JSON.parse(example('acled-mapping.json')));
    const { rows, errors, invalid, reports } = importExample('csv', 'acled-style.csv', mapping);
    expect(errors).toEqual([]);
    expect(invalid).toEqual([]);
    expect(rows).toHaveLength(10);
    expect(reports[0]).toMatchObject({
      clientInstanceId: 'acled-UKR221041',
      source: { kind: 'other', participant: 'ACLED' },
      observedFrom: '2026-11-02T00:00:00Z',
      observedTo: '2026-11-02T23:59:59Z',
      type: 'explosion',
      geoPrecision: 'settlement',
    });
    expect(reports[2]!.casualties).toEqual({ unknown: { low: 1, best: 1, high: 1 } });
  });

  it('reports.ndjson and reports.geojson: valid reports', () => {
    for (const [format, name, count] of [
      ['ndjson', 'reports.ndjson', 4],
      ['geojson', 'reports.geojson', 2],
    ] as const) {
      const { rows, errors, invalid } = importExample(format, name);
      expect({ name, errors, invalid, count: rows.length }).toEqual({ name, errors: [], invalid: [], count });
    }
  });

  it('keep every place near the front line and every time in November 2026, before the 29th', () => {
    const all = [
      ...importExample('csv', 'reports.csv').reports,
      ...importExample(
        'csv',
        'acled-style.csv',
        columnMappingSchema.parse(JSON.parse(example('acled-mapping.json'))),
      ).reports,
      ...importExample('ndjson', 'reports.ndjson').reports,
      ...importExample('geojson', 'reports.geojson').reports,
    ];
    expect(all.length).toBe(28);
    for (const r of all) {
      expect(inFrontArea(r.observer) && inFrontArea(r.event), r.clientInstanceId).toBe(true);
      expect(r.observedFrom >= '2026-11-01' && r.observedTo < '2026-11-29', r.clientInstanceId).toBe(true);
    }
    expect(new Set(all.map((r) => r.clientInstanceId)).size).toBe(all.length);
  });
});
