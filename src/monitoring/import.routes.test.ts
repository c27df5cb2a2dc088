import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, count, startApp } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';

const CSV_HEADER =
  'clientInstanceId,source.kind,source.id,source.participant,observedFrom,observedTo,observer.lon,observer.lat,event.bearingDeg,event.distanceKmMin,event.distanceKmMax,type,weaponClass,count,means,notes';

function csvRow(id: string, overrides: Partial<Record<string, string>> = {}): string {
  const at = new Date(Date.now() - 5 * 3_600_000);
  const row: Record<string, string> = {
    id,
    kind: 'patrol',
    source: 'POL-patrol-4',
    participant: 'POL',
    from: at.toISOString(),
    to: new Date(at.getTime() + 600_000).toISOString(),
    lon: '37.4',
    lat: '48.1',
    bearing: '120',
    dmin: '3',
    dmax: '5',
    type: 'explosion',
    weapon: 'undetermined',
    count: '6',
    means: 'heard',
    notes: '"Heard from the ""north"" checkpoint"',
    ...overrides,
  };
  return Object.values(row).join(',');
}

for (const dialect of DIALECTS) {
  describe(`bulk import on ${dialect.name}`, () => {
    let app: App;
    beforeAll(async () => {
      app = await startApp(dialect);
    });
    afterAll(async () => {
      await app?.close();
    });

    const importBody = (contentType: string, payload: string, query = '') =>
      app.http.inject({
        method: 'POST',
        url: `/api/v1/reports/import${query}`,
        headers: { 'content-type': contentType },
        payload,
      });

    it('lands the good NDJSON rows and names each bad row by line and field', async () => {
      const good1 = aReport();
      const good2 = aReport({ type: 'burst', weaponClass: 'small_arms' });
      const lines = [
        JSON.stringify(good1),
        '{"not json',
        JSON.stringify(aReport({ observer: { lon: 37, lat: 91 } })),
        '',
        JSON.stringify(good2),
        JSON.stringify(good1),
      ];
      const before = await count(app, 'reports');
      const res = await importBody('application/x-ndjson', lines.join('\n'));
      expect(res.statusCode).toBe(200);
      const summary = res.json();
      expect(summary).toMatchObject({ accepted: 2, rejected: 2, duplicates: 1, rolledBack: false });
      expect(summary.errors.map((e: { line: number; field?: string }) => [e.line, e.field ?? null])).toEqual([
        [2, null],
        [3, 'observer.lat'],
      ]);
      expect(await count(app, 'reports')).toBe(before + 2);
    });

    it('imports an upload of more than a megabyte, prepared on the import worker, as any other', async () => {
      const before = await count(app, 'reports');
      const long = 'Heard over the ridge; '.repeat(30);
      const lines = Array.from({ length: 1500 }, (_, i) =>
        i === 700
          ? JSON.stringify(aReport({ count: 0 }))
          : JSON.stringify(aReport({ notes: `${long} ${i}`, observedFrom: undefined })),
      );
      const body = lines.join('\n');
      expect(body.length).toBeGreaterThan(1 << 20);
      const summary = (await importBody('application/x-ndjson', body)).json();
      // Reports without observedFrom are refused by field; the one with count 0 too, at its own line.
      expect(summary).toMatchObject({ accepted: 0, rejected: 1500, stoppedAtLine: null });
      expect(summary.errors[700]).toMatchObject({ line: 701, field: 'count' });
      const fixed = lines.map((l, i) =>
        i === 700 ? l : JSON.stringify({ ...aReport(), notes: `${long} ${i}` }),
      );
      const landed = (await importBody('application/x-ndjson', fixed.join('\n'))).json();
      expect(landed).toMatchObject({ accepted: 1499, rejected: 1, duplicates: 0 });
      expect(await count(app, 'reports')).toBe(before + 1499);
    });

    it('reads CSV in Guarantor’s own layout, quoted cells included', async () => {
      const csv = [
        CSV_HEADER,
        csvRow('csv-1'),
        csvRow('csv-2', { type: 'tsunami' }),
        csvRow('csv-3', { lat: 'north' }),
      ].join('\r\n');
      const summary = (await importBody('text/csv', csv)).json();
      expect(summary).toMatchObject({ accepted: 1, rejected: 2 });
      expect(summary.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
        [3, 'type'],
        [4, 'observer.lat'],
      ]);
      const stored = (
        await app.http.inject({ method: 'GET', url: '/api/v1/reports?participant=POL&limit=1' })
      ).json().items;
      expect(stored[0]).toMatchObject({
        clientInstanceId: 'csv-1',
        notes: 'Heard from the "north" checkpoint',
        event: { bearingDeg: 120, distanceKm: [3, 5] },
      });
    });

    it('reports a CSV with a broken quote with its line, keeping the rows before it', async () => {
      const csv = [
        CSV_HEADER,
        csvRow('bq-1'),
        csvRow('bq-2', { notes: '"unterminated' }),
        csvRow('bq-3'),
      ].join('\n');
      const summary = (await importBody('text/csv', csv)).json();
      expect(summary.accepted).toBe(1);
      expect(summary.errors[0]).toMatchObject({ line: 3, code: 'invalid_csv' });
      expect(summary.stoppedAtLine).toBe(3);
    });

    it('rolls everything back with allOrNothing when any row is bad', async () => {
      const before = await count(app, 'reports');
      const leaves = await count(app, 'ledger_leaves');
      const lines = [JSON.stringify(aReport()), JSON.stringify(aReport({ means: 'telepathy' }))].join('\n');
      const res = await importBody('application/x-ndjson', lines, '?allOrNothing=true');
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({
        code: 'import_rejected',
        detail: 'Nothing was imported: 1 row was refused, and all-or-nothing rolled the rest back.',
        summary: { accepted: 0, rejected: 1, rolledBack: true, errors: [{ line: 2, field: 'means' }] },
      });
      expect(await count(app, 'reports')).toBe(before);
      expect(await count(app, 'ledger_leaves')).toBe(leaves);
    });

    it('reads GeoJSON points, with properties for the rest of the report', async () => {
      const { event: _e, ...rest } = aReport();
      const fc = {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: { type: 'Point', coordinates: [37.3, 48.2] }, properties: rest },
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [37.3, 48.2] },
            properties: { ...rest, clientInstanceId: 'geo-2', type: 'nope' },
          },
        ],
      };
      const summary = (await importBody('application/geo+json', JSON.stringify(fc))).json();
      expect(summary).toMatchObject({ accepted: 1, rejected: 1 });
      expect(summary.errors[0]).toMatchObject({ line: 2, field: 'type' });
    });

    it('reads a foreign layout through a column mapping', async () => {
      const mapping = {
        format: 'csv',
        columns: {
          clientInstanceId: { template: 'ext-{event_id}' },
          'source.kind': { const: 'other' },
          'source.id': { column: 'source' },
          'source.participant': { const: 'ACLED' },
          observedFrom: { column: 'event_date', transform: 'date_start_of_day' },
          observedTo: { column: 'event_date', transform: 'date_end_of_day' },
          'observer.lon': { column: 'longitude', transform: 'number' },
          'observer.lat': { column: 'latitude', transform: 'number' },
          'event.lon': { column: 'longitude', transform: 'number' },
          'event.lat': { column: 'latitude', transform: 'number' },
          geoPrecision: { column: 'geo_precision', values: { '1': 'settlement', '2': 'district' } },
          type: {
            column: 'sub_event_type',
            values: { 'Shelling/artillery/missile attack': 'explosion', 'Armed clash': 'burst' },
          },
          means: { const: 'reported' },
        },
      };
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const csv = [
        'event_id,event_date,sub_event_type,latitude,longitude,geo_precision,source',
        `UKR1,${yesterday},Shelling/artillery/missile attack,47.9,37.2,1,Local media`,
        `UKR2,${yesterday},Looting,47.9,37.2,1,Local media`,
      ].join('\n');
      const res = await importBody(
        'text/csv',
        csv,
        `?mapping=${encodeURIComponent(JSON.stringify(mapping))}`,
      );
      expect(res.statusCode).toBe(200);
      const summary = res.json();
      expect(summary).toMatchObject({ accepted: 1, rejected: 1 });
      expect(summary.errors[0]).toMatchObject({ line: 3, code: 'unknown_value' });
      const badMapping = await importBody(
        'text/csv',
        csv,
        `?mapping=${encodeURIComponent('{"format":"csv","columns":{"x":1}}')}`,
      );
      expect(badMapping.statusCode).toBe(400);
      expect(badMapping.json().field).toMatch(/^mapping/);
    });

    it('refuses a body of an unknown type', async () => {
      const res = await importBody('application/pdf', '%PDF');
      expect(res.statusCode).toBe(415);
    });
  });
}
