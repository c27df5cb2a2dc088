import { describe, expect, it } from 'vitest';
import { columnMappingSchema } from './mapping.ts';
import { parseImportStream, parseImportText } from './parse.ts';
import { MAX_BATCH_ITEMS } from './stream.ts';

describe('the import entry point', () => {
  it('reads each format', () => {
    expect(parseImportText('ndjson', '{"type":"impact"}')).toEqual([{ line: 1, value: { type: 'impact' } }]);
    expect(parseImportText('csv', 'type\nimpact')).toEqual([{ line: 2, value: { type: 'impact' } }]);
    expect(
      parseImportText('geojson', '{"type":"Feature","geometry":null,"properties":{"type":"impact"}}'),
    ).toEqual([{ line: 1, value: { type: 'impact' } }]);
  });

  it('refuses a column mapping for anything but CSV', () => {
    const mapping = columnMappingSchema.parse({ format: 'csv', columns: { type: { column: 't' } } });
    expect(() => parseImportText('ndjson', '{}', { mapping })).toThrow(/CSV/);
    expect(parseImportText('csv', 't\nimpact', { mapping })).toEqual([
      { line: 2, value: { type: 'impact' } },
    ]);
  });

  it('never hands a consumer one huge batch, even from one huge chunk', async () => {
    const n = MAX_BATCH_ITEMS * 2 + 5;
    const text = Array.from({ length: n }, (_, i) => `{"i":${i}}`).join('\n');
    const sizes: number[] = [];
    let last = 0;
    for await (const batch of parseImportStream('ndjson', [text])) {
      sizes.push(batch.length);
      for (const item of batch) {
        expect(item.line).toBe(++last);
      }
    }
    expect(sizes).toEqual([MAX_BATCH_ITEMS, MAX_BATCH_ITEMS, 4, 1]);
  });

  it('stops reading the input after a fatal error', async () => {
    let pulled = 0;
    function* chunks() {
      for (const c of [
        'type,notes\nimpact,ok\n',
        'impact,a 5" gun\n',
        'impact,ok\n'.repeat(3000),
        'impact,ok\n',
      ]) {
        pulled++;
        yield c;
      }
    }
    const items = [];
    for await (const batch of parseImportStream('csv', chunks())) items.push(...batch);
    expect(items.at(-1)).toMatchObject({ error: { fatal: true, code: 'invalid_csv', line: 3 } });
    expect(items).toHaveLength(2);
    expect(pulled).toBe(2);
  });
});
