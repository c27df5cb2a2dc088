import { describe, expect, it } from 'vitest';
import { reportInputSchema } from '../report-schema.ts';
import { parseCsvText } from './csv.ts';
import { CSV_COLUMNS } from './fields.ts';
import { collectImport } from './rows.ts';

const HEADER = CSV_COLUMNS.join(',');

/** A row in Guarantor's layout; `cells` overrides columns by name. */
function row(cells: Record<string, string> = {}): string {
  const base: Record<string, string> = {
    clientInstanceId: 'p1-001',
    'source.kind': 'patrol',
    'source.id': 'DEU-P02',
    'source.participant': 'DEU',
    observedFrom: '2026-11-04T07:52:00Z',
    observedTo: '2026-11-04T08:05:00Z',
    'observer.lon': '37.18',
    'observer.lat': '48.283',
    'event.bearingDeg': '60',
    'event.distanceKmMin': '5',
    'event.distanceKmMax': '8',
    type: 'explosion',
    count: '9',
    countApproximate: 'yes',
    means: 'heard',
  };
  const all = { ...base, ...cells };
  return CSV_COLUMNS.map((c) => all[c] ?? '').join(',');
}

describe('CSV import in Guarantor’s own layout', () => {
  it('builds nested reports: numbers, booleans, the distance range, empty cells left out', () => {
    const { rows, errors } = collectImport(parseCsvText(`${HEADER}\n${row()}\n`));
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        value: {
          clientInstanceId: 'p1-001',
          source: { kind: 'patrol', id: 'DEU-P02', participant: 'DEU' },
          observedFrom: '2026-11-04T07:52:00Z',
          observedTo: '2026-11-04T08:05:00Z',
          observer: { lon: 37.18, lat: 48.283 },
          event: { bearingDeg: 60, distanceKm: [5, 8] },
          type: 'explosion',
          count: 9,
          countApproximate: true,
          means: 'heard',
        },
      },
    ]);
    expect(reportInputSchema.safeParse(rows[0]!.value).success).toBe(true);
  });

  it('accepts the columns in any order and any subset, casualty columns included', () => {
    const text =
      'type,casualties.civilian.low,casualties.civilian.best,casualties.civilian.high,count\nimpact,1,2,3,0\n';
    expect(parseCsvText(text)).toEqual([
      {
        line: 2,
        value: { type: 'impact', casualties: { civilian: { low: 1, best: 2, high: 3 } }, count: 0 },
      },
    ]);
  });

  it('keeps a cell that is not a number as text, so that validation names the field', () => {
    const [item] = parseCsvText(
      `${HEADER}\n${row({ 'observer.lat': '"48,2"', count: '0x10', countApproximate: 'maybe' })}`,
    );
    const value = (item as { value: Record<string, Record<string, unknown>> }).value;
    expect(value.observer).toEqual({ lon: 37.18, lat: '48,2' });
    expect(value.count).toBe('0x10');
    expect(value.countApproximate).toBe('maybe');
    const issues = reportInputSchema.safeParse(value).error!.issues.map((i) => i.path.join('.'));
    expect(issues).toEqual(expect.arrayContaining(['observer.lat', 'count', 'countApproximate']));
  });

  it('reads booleans written as true/false, 1/0 and yes/no in any case', () => {
    const items = parseCsvText('countApproximate\nTRUE\n0\nNo\n yes \n');
    expect(items.map((i) => (i as { value: { countApproximate: boolean } }).value.countApproximate)).toEqual([
      true,
      false,
      false,
      true,
    ]);
  });

  it('refuses half a distance range, naming the missing half', () => {
    const items = parseCsvText(`${HEADER}\n${row({ 'event.distanceKmMax': '' })}`);
    expect(items).toEqual([
      {
        line: 2,
        error: expect.objectContaining({ line: 2, field: 'event.distanceKmMax', code: 'invalid_value' }),
      },
    ]);
  });

  it('numbers each row by its first line, across quoted multi-line cells, blank and all-empty rows', () => {
    const text = [
      HEADER,
      row({ clientInstanceId: 'a', notes: '"first\nsecond\nthird"' }),
      '',
      CSV_COLUMNS.map(() => '').join(','),
      row({ clientInstanceId: 'b', notes: '"one, ""two"""' }),
      row({ clientInstanceId: 'c' }),
    ].join('\r\n');
    const items = parseCsvText(text);
    expect(
      items.map((i) => [i.line, (i as { value: { clientInstanceId: string } }).value.clientInstanceId]),
    ).toEqual([
      [2, 'a'],
      [7, 'b'],
      [8, 'c'],
    ]);
    expect((items[0] as { value: { notes: string } }).value.notes).toBe('first\nsecond\nthird');
    expect((items[1] as { value: { notes: string } }).value.notes).toBe('one, "two"');
  });

  it('gives a row with the wrong number of cells an error and reads on; trailing empty cells are fine', () => {
    const text = `type,count\nimpact,1\nimpact\nimpact,2,extra\nimpact,3,,\nimpact,4`;
    const { rows, errors } = collectImport(parseCsvText(text));
    expect(rows.map((r) => r.line)).toEqual([2, 5, 6]);
    expect(errors).toEqual([
      { line: 3, code: 'invalid_csv', message: 'the row has 1 cell; the header has 2' },
      { line: 4, code: 'invalid_csv', message: 'the row has 3 cells; the header has 2' },
    ]);
  });

  it('stops at a broken quote with its line, keeping the rows before it and reading nothing after', () => {
    const text = [
      HEADER,
      row({ clientInstanceId: 'a' }),
      row({ clientInstanceId: 'b', notes: '"unclosed' }),
      row(),
    ].join('\n');
    const { rows, errors } = collectImport(parseCsvText(text));
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(errors).toEqual([
      {
        line: 3,
        code: 'invalid_csv',
        message: expect.stringContaining('not closed; the import stops here'),
        fatal: true,
      },
    ]);
    const stray = collectImport(parseCsvText(`type,notes\nimpact,ok\nimpact,a 5" gun\nimpact,ok\n`));
    expect(stray.rows.map((r) => r.line)).toEqual([2]);
    expect(stray.errors).toMatchObject([{ line: 3, code: 'invalid_csv', fatal: true }]);
  });

  it('refuses an unknown or repeated column before reading any row', () => {
    expect(parseCsvText('type,colour\nimpact,red\n')).toEqual([
      {
        line: 1,
        error: expect.objectContaining({
          code: 'invalid_header',
          message: expect.stringContaining('unknown column "colour"'),
          fatal: true,
        }),
      },
    ]);
    expect(parseCsvText('\n\ntype,type\nimpact,impact\n')).toMatchObject([
      { line: 3, error: { code: 'invalid_header', field: 'type', fatal: true } },
    ]);
  });

  it('calls an empty file an error, and a header alone an empty import', () => {
    expect(parseCsvText('')).toMatchObject([{ line: 1, error: { code: 'invalid_header', fatal: true } }]);
    expect(parseCsvText(`${HEADER}\n`)).toEqual([]);
  });

  it('streams UTF-8 bytes cut inside characters and quoted cells, with a byte-order mark', async () => {
    const text = `\ufeff${HEADER}\n${row({ notes: '"Обстріл,\nтри вибухи 💥"' })}\n${row({ clientInstanceId: 'x' })}\n`;
    const bytes = new TextEncoder().encode(text);
    const whole = parseCsvText(text);
    expect(whole.map((i) => i.line)).toEqual([2, 4]);
    for (const size of [1, 2, 3, 7, 64]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
        bytes.subarray(i * size, (i + 1) * size),
      );
      expect(collectImport(parseCsvText(chunks)).rows).toEqual(whole);
    }
  });

  it('reads another delimiter when told', () => {
    expect(parseCsvText('type;count\nimpact;2\n', { delimiter: ';' })).toEqual([
      { line: 2, value: { type: 'impact', count: 2 } },
    ]);
  });
});
