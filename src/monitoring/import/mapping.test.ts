import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvText } from './csv.ts';
import {
  applyMapping,
  type ColumnMappingInput,
  columnMappingSchema,
  compileMapping,
  parseCalendarDate,
  readColumnMapping,
} from './mapping.ts';
import { collectImport } from './rows.ts';

/** The mapping from the design brief, verbatim. */
const BRIEF_MAPPING = {
  format: 'csv',
  columns: {
    observedFrom: { column: 'event_date', transform: 'date_start_of_day' },
    observedTo: { column: 'event_date', transform: 'date_end_of_day' },
    'observer.lon': { column: 'longitude' },
    'observer.lat': { column: 'latitude' },
    'event.lon': { column: 'longitude' },
    'event.lat': { column: 'latitude' },
    type: {
      column: 'sub_event_type',
      values: {
        'Shelling/artillery/missile attack': 'explosion',
        'Armed clash': 'burst',
        'Air/drone strike': 'impact',
      },
    },
    geoPrecision: { column: 'geo_precision', values: { '1': 'settlement', '2': 'district', '3': 'oblast' } },
    count: { const: 1 },
    'source.kind': { const: 'other' },
    'source.id': { column: 'source' },
    'source.participant': { const: 'ACLED' },
    means: { const: 'reported' },
    clientInstanceId: { template: 'acled-{event_id_cnty}' },
    notes: { column: 'notes' },
  },
};

const mapping = columnMappingSchema.parse(BRIEF_MAPPING);
const record = {
  event_id_cnty: 'UKR1',
  event_date: '2026-11-03',
  sub_event_type: 'Armed clash',
  latitude: '47.44',
  longitude: ' 35.84 ',
  geo_precision: '1',
  source: 'Ukrinform',
  notes: '',
  admin1: 'Zaporizhzhia',
};

function mapped(columns: ColumnMappingInput['columns'], rec: Record<string, string>) {
  return applyMapping(columnMappingSchema.parse({ format: 'csv', columns }), rec);
}

describe('column mappings', () => {
  it('read the brief’s ACLED mapping into a report, leaving out an empty notes cell', () => {
    expect(applyMapping(mapping, record)).toEqual({
      value: {
        clientInstanceId: 'acled-UKR1',
        source: { kind: 'other', id: 'Ukrinform', participant: 'ACLED' },
        observedFrom: '2026-11-03T00:00:00Z',
        observedTo: '2026-11-03T23:59:59Z',
        observer: { lon: 35.84, lat: 47.44 },
        event: { lon: 35.84, lat: 47.44 },
        type: 'burst',
        geoPrecision: 'settlement',
        count: 1,
        means: 'reported',
      },
    });
  });

  it('give a value missing from a values table as a row error naming the field and the column', () => {
    expect(applyMapping(mapping, { ...record, sub_event_type: 'Protest' })).toEqual({
      error: {
        field: 'type',
        code: 'unknown_value',
        message: 'column "sub_event_type": "Protest" is not in the values table for type',
      },
    });
    // Inherited names are not table entries.
    expect(applyMapping(mapping, { ...record, geo_precision: 'constructor' })).toMatchObject({
      error: { field: 'geoPrecision', code: 'unknown_value' },
    });
  });

  it('use the default for an empty cell, and convert text bound for number and boolean fields', () => {
    const columns = {
      count: { column: 'n', default: 1 },
      countApproximate: { column: 'approx', values: { '~': 'yes', '=': 'no' } },
      'observer.accuracyM': { column: 'acc', transform: 'number' as const },
    };
    expect(mapped(columns, { n: '', approx: '~', acc: '25' })).toEqual({
      value: { count: 1, countApproximate: true, observer: { accuracyM: 25 } },
    });
    expect(mapped(columns, { n: 'x', approx: '=', acc: '1e2' })).toEqual({
      value: { count: 'x', countApproximate: false, observer: { accuracyM: 100 } },
    });
  });

  it('apply transforms in order, then the values table', () => {
    const columns = {
      means: { column: 'm', transform: ['trim', 'lowercase'] as const, values: { saw: 'seen' } },
    };
    expect(
      mapped({ means: { ...columns.means, transform: [...columns.means.transform] } }, { m: ' SAW ' }),
    ).toEqual({
      value: { means: 'seen' },
    });
    expect(mapped({ 'source.participant': { column: 'p', transform: 'uppercase' } }, { p: 'ukr' })).toEqual({
      value: { source: { participant: 'UKR' } },
    });
  });

  it('fill templates, with {{ }} for braces, and leave the field out when a placeholder is empty', () => {
    const columns = { clientInstanceId: { template: '{{{a}}}-{b}' } };
    expect(mapped(columns, { a: 'x', b: '7' })).toEqual({ value: { clientInstanceId: '{x}-7' } });
    expect(mapped(columns, { a: 'x', b: ' ' })).toEqual({ value: {} });
  });

  it('turn calendar dates into the start and end of the day in UTC, and refuse dates that do not exist', () => {
    const columns = {
      observedFrom: { column: 'd', transform: 'date_start_of_day' as const },
      observedTo: { column: 'd', transform: 'date_end_of_day' as const },
    };
    expect(mapped(columns, { d: '03 November 2026' })).toEqual({
      value: { observedFrom: '2026-11-03T00:00:00Z', observedTo: '2026-11-03T23:59:59Z' },
    });
    for (const bad of ['2026-02-29', '2026-13-01', '2026-11-3', 'yesterday']) {
      expect(mapped(columns, { d: bad })).toEqual({
        error: {
          field: 'observedFrom',
          code: 'invalid_value',
          message: `column "d": ${JSON.stringify(bad)} is not a date (YYYY-MM-DD or 3 November 2026)`,
        },
      });
    }
    expect(parseCalendarDate('2028-02-29')).toEqual([2028, 2, 29]);
  });

  it('take any real calendar date written as YYYY-MM-DD', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString().slice(0, 10);
          expect(
            mapped({ observedFrom: { column: 'd', transform: 'date_start_of_day' } }, { d: iso }),
          ).toEqual({
            value: { observedFrom: `${iso}T00:00:00Z` },
          });
        },
      ),
    );
  });

  it('list every column the header lacks in one error, before any row', () => {
    const compiled = compileMapping(mapping, ['event_date', 'latitude']);
    expect(compiled).toEqual({
      error: {
        field: 'observer.lon',
        code: 'missing_column',
        message:
          'the header lacks columns that the mapping names: "longitude" (for observer.lon, event.lon), ' +
          '"sub_event_type" (for type), "geo_precision" (for geoPrecision), "source" (for source.id), ' +
          '"event_id_cnty" (for clientInstanceId), "notes" (for notes)',
      },
    });
    const items = parseCsvText('event_date,latitude\n2026-11-03,47\n2026-11-04,48\n', { mapping });
    expect(items).toEqual([
      { line: 1, error: { line: 1, fatal: true, ...(compiled as { error: object }).error } },
    ]);
  });

  it('refuse a column that appears twice in the header', () => {
    const header = [...Object.keys(record), 'source'];
    expect(compileMapping(mapping, header)).toMatchObject({ error: { code: 'invalid_header' } });
  });

  it('read a CSV in a foreign layout, ignoring unmapped columns, with a row error for an unknown value', () => {
    const header = Object.keys(record).join(',');
    const line = (r: Record<string, string>) => Object.values({ ...record, ...r }).join(',');
    const text = [header, line({}), line({ sub_event_type: 'Riot' }), line({ event_id_cnty: 'UKR3' })].join(
      '\n',
    );
    const { rows, errors } = collectImport(parseCsvText(text, { mapping }));
    expect(rows.map((r) => [r.line, (r.value as { clientInstanceId: string }).clientInstanceId])).toEqual([
      [2, 'acled-UKR1'],
      [4, 'acled-UKR3'],
    ]);
    expect(errors).toMatchObject([{ line: 3, field: 'type', code: 'unknown_value' }]);
  });

  it('use the mapping’s delimiter', () => {
    const semicolon = columnMappingSchema.parse({
      format: 'csv',
      delimiter: ';',
      columns: { type: { column: 't' } },
    });
    expect(parseCsvText('t;x\nimpact;1,5\n', { mapping: semicolon })).toEqual([
      { line: 2, value: { type: 'impact' } },
    ]);
  });

  it('are checked when read: unknown fields, bad templates, unknown transforms, no fields', () => {
    expect(readColumnMapping(JSON.stringify(BRIEF_MAPPING))).toEqual({ mapping });
    expect(readColumnMapping('{"format":"csv",')).toMatchObject({
      errors: [expect.stringContaining('not JSON')],
    });
    const bad = readColumnMapping(`{
      "format": "csv",
      "columns": {
        "colour": { "column": "c" },
        "clientInstanceId": { "template": "id-{open" },
        "notes": { "column": "n", "transform": "shout" },
        "type": { "column": "t", "const": "x" },
        "count": { "const": 1, "default": 2 }
      }
    }`);
    expect('errors' in bad && bad.errors).toEqual([
      'columns.colour: "colour" is not a report field (write nested fields with dots: observer.lat)',
      'columns.clientInstanceId.template: a template has {column} placeholders; write {{ and }} for braces',
      expect.stringMatching(/^columns\.notes\.transform\.0: Invalid option: expected one of "trim"/),
      'columns.type: give exactly one of column, const or template',
      'columns.count: values and default go with a column',
    ]);
    const proto = readColumnMapping(
      '{"format":"csv","columns":{"__proto__":{"column":"p"},"type":{"column":"t"}}}',
    );
    expect('mapping' in proto && Object.keys(proto.mapping.columns)).toEqual(['type']);
    expect(readColumnMapping('{"format":"csv","columns":{}}')).toEqual({
      errors: ['columns: the mapping maps no field'],
    });
  });
});
