import { describe, expect, it } from 'vitest';
import { reportInputSchema } from '../report-schema.ts';
import { parseGeojsonText } from './geojson.ts';
import { collectImport } from './rows.ts';

const properties = {
  clientInstanceId: 'cam-1',
  source: { kind: 'camera', id: 'GBR-CAM-ORI-3', participant: 'GBR' },
  observedFrom: '2026-11-02T21:47:10Z',
  observedTo: '2026-11-02T21:47:40Z',
  observer: { lon: 35.79, lat: 47.568 },
  type: 'impact',
  means: 'camera',
};
const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
const feature = (geometry: unknown, props: unknown = properties, extra: object = {}) => ({
  type: 'Feature',
  geometry,
  properties: props,
  ...extra,
});
const collection = (...features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });

describe('GeoJSON import', () => {
  it('places the event at the Point and takes the rest of the report from the properties', () => {
    const items = parseGeojsonText(collection(feature(point(35.842, 47.521))));
    expect(items).toEqual([{ line: 1, value: { ...properties, event: { lon: 35.842, lat: 47.521 } } }]);
    expect(reportInputSchema.safeParse((items[0] as { value: unknown }).value).success).toBe(true);
  });

  it('reads flattened dotted property names, the distance range and the feature id', () => {
    const flat = {
      'source.kind': 'patrol',
      'source.id': 'P1',
      'observer.lon': 37.18,
      'observer.lat': 48.28,
      'event.bearingDeg': 60,
      'event.distanceKmMin': 5,
      'event.distanceKmMax': 8,
      'casualties.civilian.best': 1,
      'not.a.field': 'kept as is',
    };
    expect(parseGeojsonText(collection(feature(null, flat, { id: 42 })))).toEqual([
      {
        line: 1,
        value: {
          clientInstanceId: '42',
          source: { kind: 'patrol', id: 'P1' },
          observer: { lon: 37.18, lat: 48.28 },
          event: { bearingDeg: 60, distanceKm: [5, 8] },
          casualties: { civilian: { best: 1 } },
          'not.a.field': 'kept as is',
        },
      },
    ]);
  });

  it('numbers errors by feature and names the property at fault', () => {
    const { rows, errors } = collectImport(
      parseGeojsonText(
        collection(
          feature(point(36, 47.5)),
          feature({
            type: 'LineString',
            coordinates: [
              [36, 47],
              [37, 48],
            ],
          }),
          { type: 'Polygon' },
          feature(point(36, 47.5), { ...properties, event: { lon: 36.1 } }),
          feature({ type: 'Point', coordinates: ['36', 47] }),
          feature(null, [1, 2]),
          feature(null, { 'event.distanceKmMin': 2 }),
          feature(point(36, 47.5), null),
        ),
      ),
    );
    expect(rows.map((r) => r.line)).toEqual([1, 8]);
    expect(errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [2, 'geometry', 'invalid_geojson'],
      [3, 'type', 'invalid_geojson'],
      [4, 'event.lon', 'invalid_value'],
      [5, 'geometry.coordinates', 'invalid_geojson'],
      [6, 'properties', 'invalid_geojson'],
      [7, 'event.distanceKmMax', 'invalid_value'],
    ]);
    expect(errors[0]!.message).toBe('the geometry must be a Point, not a LineString');
  });

  it('gives a document that is not JSON, or not a FeatureCollection, one fatal error at line 0', () => {
    expect(parseGeojsonText('{"type": "FeatureCollection", "features": [')).toMatchObject([
      { line: 0, error: { code: 'invalid_json', fatal: true } },
    ]);
    for (const doc of ['[]', '{"type":"Point","coordinates":[1,2]}', '{"type":"FeatureCollection"}']) {
      expect(parseGeojsonText(doc)).toMatchObject([
        { line: 0, error: { code: 'invalid_geojson', fatal: true } },
      ]);
    }
  });

  it('reads a lone Feature as feature 1', () => {
    expect(parseGeojsonText(JSON.stringify(feature(point(36, 47.5))))).toMatchObject([
      { line: 1, value: {} },
    ]);
  });

  it('reads a document streamed in byte chunks', async () => {
    const bytes = new TextEncoder().encode(
      collection(feature(point(36, 47.5), { ...properties, notes: 'Обстріл' })),
    );
    const chunks = Array.from({ length: Math.ceil(bytes.length / 5) }, (_, i) =>
      bytes.subarray(i * 5, i * 5 + 5),
    );
    const { rows } = collectImport(parseGeojsonText(chunks));
    expect(rows).toMatchObject([{ line: 1, value: { notes: 'Обстріл' } }]);
  });
});
