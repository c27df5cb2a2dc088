import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utc } from './report-model.ts';
import { rfc3339 } from './report-schema.ts';

describe('utc', () => {
  const instants = fc.date({
    min: new Date('1970-01-02T00:00:00Z'),
    max: new Date('9999-12-30T00:00:00Z'),
    noInvalidDate: true,
  });

  it('gives the same instant in UTC with milliseconds, whatever offset it was written with', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: -14 * 60, max: 14 * 60 }), (d, offsetMin) => {
        const local = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, 23);
        const sign = offsetMin < 0 ? '-' : '+';
        const abs = Math.abs(offsetMin);
        const written = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(rfc3339.safeParse(written).success).toBe(true);
        expect(utc(written)).toBe(d.toISOString());
        expect(utc(d.toISOString())).toBe(d.toISOString());
      }),
    );
  });

  it('turns numbers and dates into the same string', () => {
    expect(utc(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(utc(new Date('2026-11-30T12:00:00+02:00'))).toBe('2026-11-30T10:00:00.000Z');
  });
});
