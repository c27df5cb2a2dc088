/** Pure geometry for the daily bar chart: a "nice" axis and bar positions, tested without a DOM. */

/** The smallest 1-2-5 × 10^n step that splits `max` into at most `ticks` intervals. */
export function niceStep(max: number, ticks = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) {
    const step = m * magnitude;
    if (step >= raw) return Math.max(1, step);
  }
  return Math.max(1, 10 * magnitude);
}

export interface Axis {
  max: number;
  ticks: number[];
}

export function niceAxis(values: readonly number[], ticks = 5): Axis {
  const top = Math.max(0, ...values.filter(Number.isFinite));
  const step = niceStep(top, ticks);
  const max = Math.max(step, Math.ceil(top / step) * step);
  const out: number[] = [];
  for (let v = 0; v <= max; v += step) out.push(v);
  return { max, ticks: out };
}

/** The height in pixels of a bar for `value` on an axis of `max` drawn `height` pixels tall. */
export function barHeight(value: number, max: number, height: number): number {
  if (!(max > 0) || !(value > 0)) return 0;
  return Math.min(height, (value / max) * height);
}
