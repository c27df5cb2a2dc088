import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW, normaliseWindow, WINDOW_DAYS, windowLabel, windowRange } from './time-window.ts';

const NOW = Date.parse('2026-11-30T07:15:00Z');

describe('time window', () => {
  it('defaults to the last 7 days, today included', () => {
    expect(windowRange(DEFAULT_WINDOW, NOW)).toEqual({
      from: '2026-11-24T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      firstDay: '2026-11-24',
      lastDay: '2026-11-30',
    });
    expect(windowLabel(DEFAULT_WINDOW, NOW)).toBe('2026-11-24 to 2026-11-30 (7 days)');
    expect(windowLabel({ startAgo: 2, endAgo: 2 }, NOW)).toBe('2026-11-28 (1 day)');
  });

  it('always yields whole days within the last 30, in order', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: false }), fc.double({ noNaN: false }), (a, b) => {
        const w = normaliseWindow({ startAgo: a, endAgo: b });
        expect(Number.isInteger(w.startAgo) && Number.isInteger(w.endAgo)).toBe(true);
        expect(w.endAgo).toBeGreaterThanOrEqual(0);
        expect(w.startAgo).toBeLessThan(WINDOW_DAYS);
        expect(w.startAgo).toBeGreaterThanOrEqual(w.endAgo);
        const { from, to } = windowRange(w, NOW);
        const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
        expect(days).toBe(w.startAgo - w.endAgo + 1);
        // The window ends at the midnight after its last day: endAgo days before tomorrow.
        const tomorrow = Date.parse(to) + w.endAgo * 86_400_000;
        expect(tomorrow).toBeGreaterThan(NOW);
        expect(tomorrow - 86_400_000).toBeLessThanOrEqual(NOW);
      }),
    );
  });

  it('puts ends given the wrong way round in order', () => {
    expect(normaliseWindow({ startAgo: 1, endAgo: 9 })).toEqual({ startAgo: 9, endAgo: 1 });
    expect(normaliseWindow({ startAgo: 100, endAgo: -4 })).toEqual({ startAgo: 29, endAgo: 0 });
  });
});
