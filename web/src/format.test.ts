import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatCounts,
  formatKm,
  formatMetres,
  formatSpan,
  formatTime,
  isDay,
  words,
} from './format.ts';

describe('format', () => {
  it('writes times in UTC whatever the offset they came with', () => {
    expect(formatTime('2026-11-29T23:30:00+02:00')).toBe('2026-11-29 21:30 UTC');
    expect(formatTime('not a time')).toBe('not a time');
  });

  it('writes a span on one day once, and across days in full', () => {
    expect(formatSpan('2026-11-29T21:26:15Z', '2026-11-29T21:38:48Z')).toBe('2026-11-29 21:26–21:38 UTC');
    expect(formatSpan('2026-11-29T21:26:00Z', '2026-11-29T21:26:40Z')).toBe('2026-11-29 21:26 UTC');
    expect(formatSpan('2026-11-29T23:50:00Z', '2026-11-30T00:10:00Z')).toBe(
      '2026-11-29 23:50 UTC – 2026-11-30 00:10 UTC',
    );
  });

  it('writes distances in metres below a kilometre and in km above', () => {
    expect(formatMetres(50)).toBe('50 m');
    expect(formatMetres(1344.36)).toBe('1.3 km');
    expect(formatMetres(25_400)).toBe('25 km');
    expect(formatKm(5.318)).toBe('5.3 km');
    expect(formatKm(null)).toBe('—');
  });

  it('lists event counts largest first, skipping zeros', () => {
    expect(formatCounts({ explosion: 3, burst: 12, shot: 0, impact: 1 })).toBe(
      '12 bursts, 3 explosions, 1 impact',
    );
    expect(formatCounts({})).toBe('none');
    expect(words('under_investigation')).toBe('under investigation');
  });

  it('knows real calendar days and steps across month ends', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('2026-2-3')).toBe(false);
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});
