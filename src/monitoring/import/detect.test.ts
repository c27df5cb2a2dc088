import { describe, expect, it } from 'vitest';
import { formatFromContentType, formatFromFileName } from './detect.ts';

describe('import format detection', () => {
  it('reads the media type, ignoring parameters and case', () => {
    expect(formatFromContentType('application/x-ndjson')).toBe('ndjson');
    expect(formatFromContentType('application/jsonl')).toBe('ndjson');
    expect(formatFromContentType('Text/CSV; charset=utf-8')).toBe('csv');
    expect(formatFromContentType('application/geo+json')).toBe('geojson');
    expect(formatFromContentType('application/json')).toBeNull();
    expect(formatFromContentType('')).toBeNull();
  });

  it('reads the file extension, in any case, after any folders', () => {
    expect(formatFromFileName('reports.ndjson')).toBe('ndjson');
    expect(formatFromFileName('/data/2026-11/reports.JSONL')).toBe('ndjson');
    expect(formatFromFileName('C:\\exports\\acled.csv')).toBe('csv');
    expect(formatFromFileName('front.geojson')).toBe('geojson');
    expect(formatFromFileName('reports.json')).toBeNull();
    expect(formatFromFileName('csv')).toBeNull();
    expect(formatFromFileName('.csv')).toBeNull();
    expect(formatFromFileName('reports.csv.gz')).toBeNull();
  });
});
