import { describe, expect, it } from 'vitest';
import { importContentType } from './import-file.ts';

describe('importing a file of reports', () => {
  it('sends each file with the content type its extension names', () => {
    expect(importContentType('reports.csv')).toBe('text/csv');
    expect(importContentType('REPORTS.NDJSON')).toBe('application/x-ndjson');
    expect(importContentType('a.jsonl')).toBe('application/x-ndjson');
    expect(importContentType('zones.geojson')).toBe('application/geo+json');
    expect(importContentType('zones.geo.json')).toBe('application/geo+json');
    expect(importContentType('reports.json')).toBeUndefined();
    expect(importContentType('csv')).toBeUndefined();
    expect(importContentType('photo.jpg')).toBeUndefined();
  });
});
