/** How the app writes statuses, types, times and distances; pure, so it is tested without a browser. */
import { counted } from '../../src/kernel/text/counted.ts';

export const DAY_MS = 86_400_000;

/** `under_investigation` → `under investigation`. */
export function words(code: string): string {
  return code.replaceAll('_', ' ');
}

/** RFC 3339 → `2026-11-29 21:26 UTC`; times are shown in UTC everywhere, as the reports publish them. */
export function formatTime(iso: string, options: { seconds?: boolean } = {}): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = new Date(t).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, options.seconds ? 19 : 16)} UTC`;
}

/** The span between two times, written once when both ends fall in the same minute. */
export function formatSpan(from: string, to: string): string {
  const a = formatTime(from);
  const b = formatTime(to);
  if (a === b) return a;
  if (a.slice(0, 10) === b.slice(0, 10)) return `${a.slice(0, 16)}–${b.slice(11)}`;
  return `${a} – ${b}`;
}

export function formatMetres(m: number): string {
  if (!Number.isFinite(m)) return '—';
  return m >= 1000 ? `${(m / 1000).toFixed(m >= 10_000 ? 0 : 1)} km` : `${Math.round(m)} m`;
}

export function formatKm(km: number | null | undefined): string {
  if (km === null || km === undefined || !Number.isFinite(km)) return '—';
  return `${km.toFixed(km >= 10 ? 0 : 1)} km`;
}

export function formatCoordinate(lon: number, lat: number): string {
  return `${lat.toFixed(4)}° N, ${lon.toFixed(4)}° E`;
}

/** The UTC day of a time as YYYY-MM-DD. */
export function utcDay(time: number | Date): string {
  return new Date(time).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
}

export function isDay(s: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(s) &&
    !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
    utcDay(Date.parse(`${s}T00:00:00Z`)) === s
  );
}

/** `{explosion: 3, burst: 12}` → `12 bursts, 3 explosions` (largest first). */
export function formatCounts(counts: Partial<Record<string, number>>): string {
  const parts = Object.entries(counts)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([type, n]) => counted(n, words(type)));
  return parts.length ? parts.join(', ') : 'none';
}
