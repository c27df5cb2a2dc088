import { describe, expect, it } from 'vitest';
import { columnMappingSchema } from './mapping.ts';
import { parseImportText } from './parse.ts';

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

  it('reads nothing after a fatal error', () => {
    const chunks = [
      'type,notes\nimpact,ok\n',
      'impact,a 5" gun\n',
      'impact,ok\n'.repeat(3000),
      'impact,ok\n',
    ];
    const items = parseImportText('csv', chunks);
    expect(items.at(-1)).toMatchObject({ error: { fatal: true, code: 'invalid_csv', line: 3 } });
    expect(items).toHaveLength(2);
  });
});
