import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, utcDayStart } from './daily-report.ts';
import { day } from './query-params.ts';

describe('day (YYYY-MM-DD in a path or query)', () => {
  it('accepts every calendar day it can report on, and the days around it exist too', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('9999-12-30T23:59:59Z'),
          noInvalidDate: true,
        }),
        (d) => {
          const text = d.toISOString().slice(0, 10);
          expect(day.safeParse(text).success).toBe(true);
          expect(() => utcDayStart(addDays(text, 1))).not.toThrow();
        },
      ),
    );
  });

  it('refuses what is not a day it can report on', () => {
    for (const bad of [
      '9999-12-31',
      '0000-01-01',
      '1969-12-31',
      '2026-02-30',
      '2026-13-01',
      '2026-1-01',
      '+02026-01-01',
    ]) {
      expect(day.safeParse(bad).success, bad).toBe(false);
    }
  });
});
