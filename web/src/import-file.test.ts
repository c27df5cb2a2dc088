import { describe, expect, it } from 'vitest';
import { importContentType, importOutcome } from './import-file.ts';

const summary = {
  accepted: 3,
  rejected: 0,
  duplicates: 0,
  errors: [],
  errorsTruncated: false,
  rolledBack: false,
  stoppedAtLine: null,
};

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

  it('says what happened in one sentence', () => {
    expect(importOutcome(summary)).toBe('3 reports imported.');
    expect(importOutcome({ ...summary, accepted: 1, duplicates: 2, rejected: 1, stoppedAtLine: 9 })).toBe(
      '1 report imported, 2 duplicates skipped, 1 row refused. The file could not be read past line 9.',
    );
    expect(importOutcome({ ...summary, accepted: 0, rejected: 2, rolledBack: true })).toMatch(
      /^Nothing was imported: 2 rows were refused/,
    );
  });
});
