import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barHeight, niceAxis, niceStep } from './chart-scale.ts';

describe('chart scale', () => {
  it('picks round steps', () => {
    expect(niceStep(22)).toBe(5);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(0)).toBe(1);
    expect(niceAxis([20, 22, 3])).toEqual({ max: 25, ticks: [0, 5, 10, 15, 20, 25] });
    expect(niceAxis([])).toEqual({ max: 1, ticks: [0, 1] });
  });

  it('makes room for the tallest bar, with few ticks, and never draws past the plot', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 40 }), (values) => {
        const axis = niceAxis(values);
        for (const v of values) {
          expect(axis.max).toBeGreaterThanOrEqual(v);
          expect(barHeight(v, axis.max, 200)).toBeLessThanOrEqual(200);
        }
        expect(axis.ticks[0]).toBe(0);
        expect(axis.ticks.at(-1)).toBe(axis.max);
        expect(axis.ticks.length).toBeLessThanOrEqual(11);
      }),
    );
    expect(barHeight(0, 10, 200)).toBe(0);
    expect(barHeight(5, 10, 200)).toBe(100);
  });
});
