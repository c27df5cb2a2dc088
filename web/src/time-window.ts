/**
 * The operations room's time window: whole UTC days within the last 30, chosen as "from N days ago
 * to M days ago". Days-ago numbers keep a link meaningful tomorrow: `?from=6&to=0` is always the last week.
 */
import { addDays, DAY_MS, utcDay } from './format.ts';

export const WINDOW_DAYS = 30;
export const DEFAULT_WINDOW = { startAgo: 6, endAgo: 0 } as const;

export interface TimeWindow {
  /** Whole days before today (UTC) of the first and the last day shown; startAgo >= endAgo. */
  startAgo: number;
  endAgo: number;
}

/** Clamps to the last 30 days and puts the ends in order. */
export function normaliseWindow(w: { startAgo: number; endAgo: number }): TimeWindow {
  const clamp = (n: number, fallback: number) =>
    Number.isFinite(n) ? Math.min(WINDOW_DAYS - 1, Math.max(0, Math.trunc(n))) : fallback;
  const a = clamp(w.startAgo, DEFAULT_WINDOW.startAgo);
  const b = clamp(w.endAgo, DEFAULT_WINDOW.endAgo);
  return { startAgo: Math.max(a, b), endAgo: Math.min(a, b) };
}

/** The API's `from` (inclusive) and `to` (exclusive) for a window, relative to `now`. */
export function windowRange(
  w: TimeWindow,
  now: number,
): { from: string; to: string; firstDay: string; lastDay: string } {
  const today = utcDay(now);
  const firstDay = addDays(today, -w.startAgo);
  const lastDay = addDays(today, -w.endAgo);
  const from = new Date(Date.parse(`${firstDay}T00:00:00Z`)).toISOString();
  const to = new Date(Date.parse(`${lastDay}T00:00:00Z`) + DAY_MS).toISOString();
  return { from, to, firstDay, lastDay };
}

export function windowLabel(w: TimeWindow, now: number): string {
  const { firstDay, lastDay } = windowRange(w, now);
  const days = w.startAgo - w.endAgo + 1;
  return firstDay === lastDay ? `${firstDay} (1 day)` : `${firstDay} to ${lastDay} (${days} days)`;
}
