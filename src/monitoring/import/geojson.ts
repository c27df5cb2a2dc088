/**
 * GeoJSON reports: a FeatureCollection (or a single Feature) of Point features. The geometry is the
 * event's place (`event.lon`, `event.lat`); the properties are the rest of the report, as nested objects
 * or as flattened dotted names (`observer.lat`), and a feature's `id` stands in for a missing
 * `clientInstanceId`. A feature may have a null geometry when the event is placed relative to the
 * observer (bearing and distance) instead.
 *
 * In errors, `line` is the feature's number (index + 1), since a GeoJSON document is often one line;
 * line 0 means the document as a whole. A GeoJSON document is one JSON value, so it is read whole
 * before its features are parsed; NDJSON is the format for very large imports.
 */
import { finishFlatReport, isFlatReportField, setFlatField } from './fields.ts';
import { type FieldError, type ImportItem, rowError } from './rows.ts';
import { type ImportChunk, type ImportParser, parseAll } from './stream.ts';

export class GeojsonParser implements ImportParser {
  stopped = false;
  private readonly parts: string[] = [];

  push(text: string): ImportItem[] {
    if (text.length > 0) this.parts.push(text);
    return [];
  }

  end(): ImportItem[] {
    const text = this.parts.join('');
    this.parts.length = 0;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      this.stopped = true;
      return [rowError(0, { code: 'invalid_json', message: (e as Error).message }, true)];
    }
    return geojsonItems(doc);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The items of a parsed GeoJSON document. */
export function geojsonItems(doc: unknown): ImportItem[] {
  if (isObject(doc) && doc.type === 'Feature') return [featureItem(doc, 1)];
  if (!isObject(doc) || doc.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
    return [
      rowError(
        0,
        {
          code: 'invalid_geojson',
          message: 'the document must be a GeoJSON FeatureCollection of Point features',
        },
        true,
      ),
    ];
  }
  return doc.features.map((feature: unknown, i: number) => featureItem(feature, i + 1));
}

function featureItem(feature: unknown, line: number): ImportItem {
  const result = featureReport(feature);
  return 'error' in result ? rowError(line, result.error) : { line, value: result.value };
}

function featureReport(feature: unknown): { value: Record<string, unknown> } | { error: FieldError } {
  if (!isObject(feature) || feature.type !== 'Feature') {
    return { error: { field: 'type', code: 'invalid_geojson', message: 'not a GeoJSON Feature' } };
  }
  const { geometry, properties } = feature;
  if (properties !== null && properties !== undefined && !isObject(properties)) {
    return {
      error: { field: 'properties', code: 'invalid_geojson', message: 'properties must be an object' },
    };
  }
  // A spread copies `__proto__` as an own property, where an assignment would set the prototype.
  const report: Record<string, unknown> = { ...(properties ?? {}) };
  for (const key of Object.keys(report)) {
    if (key.includes('.') && isFlatReportField(key)) {
      const value = report[key];
      delete report[key];
      setFlatField(report, key, value);
    }
  }
  if (
    report.clientInstanceId === undefined &&
    (typeof feature.id === 'string' || typeof feature.id === 'number')
  ) {
    report.clientInstanceId = String(feature.id);
  }

  if (geometry !== null && geometry !== undefined) {
    const point = pointOf(geometry);
    if ('error' in point) return point;
    const event = isObject(report.event) ? report.event : {};
    report.event = event;
    for (const [axis, value] of [
      ['lon', point.lon],
      ['lat', point.lat],
    ] as const) {
      if (event[axis] !== undefined && event[axis] !== value) {
        return {
          error: {
            field: `event.${axis}`,
            code: 'invalid_value',
            message: `the properties give event.${axis} ${JSON.stringify(event[axis])}, the geometry ${value}`,
          },
        };
      }
      event[axis] = value;
    }
  }
  const error = finishFlatReport(report);
  return error ? { error } : { value: report };
}

function pointOf(geometry: unknown): { lon: number; lat: number } | { error: FieldError } {
  if (!isObject(geometry) || geometry.type !== 'Point') {
    const message =
      isObject(geometry) && typeof geometry.type === 'string'
        ? `the geometry must be a Point, not a ${geometry.type}`
        : 'the geometry must be a Point or null';
    return { error: { field: 'geometry', code: 'invalid_geojson', message } };
  }
  const c = geometry.coordinates;
  if (!Array.isArray(c) || c.length < 2 || typeof c[0] !== 'number' || typeof c[1] !== 'number') {
    return {
      error: {
        field: 'geometry.coordinates',
        code: 'invalid_geojson',
        message: 'a Point has coordinates [longitude, latitude]',
      },
    };
  }
  return { lon: c[0], lat: c[1] };
}

/** GeoJSON reports from a whole input: a text, or its chunks in order. */
export function parseGeojsonText(input: string | readonly ImportChunk[]): ImportItem[] {
  return parseAll(new GeojsonParser(), input);
}
