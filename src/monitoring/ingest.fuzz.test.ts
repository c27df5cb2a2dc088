import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, count, startApp } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';

/** A valid report with one field, at any depth, replaced by an arbitrary JSON value or removed. */
const mutatedReport = fc
  .tuple(
    fc.constantFrom(
      'clientInstanceId',
      'source',
      'source.kind',
      'source.participant',
      'observedFrom',
      'observedTo',
      'timePrecision',
      'observer',
      'observer.lon',
      'observer.lat',
      'observer.accuracyM',
      'event',
      'event.lon',
      'event.bearingDeg',
      'event.distanceKm',
      'type',
      'weaponClass',
      'count',
      'countApproximate',
      'means',
      'casualties',
      'notes',
      'lang',
      'supersedes',
    ),
    fc.option(fc.oneof(fc.jsonValue(), fc.double(), fc.string(), fc.constant(1e308), fc.constant(-0)), {
      nil: undefined,
    }),
  )
  .map(([path, value]) => {
    const report = aReport() as Record<string, unknown>;
    const keys = path.split('.');
    let target = report;
    for (const k of keys.slice(0, -1)) {
      target[k] = { ...(target[k] as object) };
      target = target[k] as Record<string, unknown>;
    }
    const last = keys.at(-1)!;
    if (value === undefined) delete target[last];
    else target[last] = value;
    return JSON.stringify(report);
  });

const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.integer({ min: 1, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.constant('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}'),
  fc.constant('\uFEFF{"a":1}'),
  mutatedReport,
);

const dialect = DIALECTS[0]!;

describe(`hostile input to the ingest routes (${dialect.name})`, () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('never answers 5xx, always explains a refusal, and writes nothing it refuses', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        hostileText,
        fc.constantFrom('/api/v1/reports', '/api/v1/reports/import'),
        fc.constantFrom(
          'application/json',
          'application/x-ndjson',
          'text/csv',
          'application/geo+json',
          'text/plain',
          'application/json; charset=utf-8',
        ),
        async (payload, url, contentType) => {
          runs++;
          const before = await count(app, 'reports');
          const res = await app.http.inject({
            method: 'POST',
            url,
            headers: { 'content-type': contentType },
            payload,
          });
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expect(res.headers['content-type']).toContain('application/problem+json');
            expect(res.json().code).toBeTruthy();
            expect(await count(app, 'reports')).toBe(before);
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 400 },
    );
    console.log(`ingest fuzz: ${runs} hostile requests, no 5xx`);
  });
});
