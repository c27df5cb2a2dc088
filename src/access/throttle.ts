/**
 * The sign-in throttle's rules, for an account and for a client address alike. Failures count until
 * 15 quiet minutes pass since the last one; at the limit the counter locks for 15 minutes and starts
 * again. Counting from the last failure rather than from a window's start is stricter than a sliding
 * window: any `limit` failures that each follow the one before within 15 minutes lock, so an attacker
 * cannot fit twice the limit across a window's edge.
 */
import { isIPv6 } from 'node:net';

export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;
export const ACCOUNT_FAILURE_LIMIT = 5;
export const ADDRESS_FAILURE_LIMIT = 10;

export interface FailureCounter {
  failures: number;
  lastFailureAt: string | null;
  lockedUntil: string | null;
}

export const NO_FAILURES: FailureCounter = { failures: 0, lastFailureAt: null, lockedUntil: null };

export function isLocked(counter: FailureCounter, now: Date): boolean {
  return counter.lockedUntil !== null && counter.lockedUntil > now.toISOString();
}

/** The counter after one more failure at `now`. A locked counter is left as it is: no lock extension. */
export function afterFailure(counter: FailureCounter, now: Date, limit: number): FailureCounter {
  if (isLocked(counter, now)) return counter;
  const quiet =
    counter.lastFailureAt === null || now.getTime() - Date.parse(counter.lastFailureAt) >= THROTTLE_WINDOW_MS;
  const failures = (quiet ? 0 : counter.failures) + 1;
  if (failures >= limit) {
    return { failures: 0, lastFailureAt: null, lockedUntil: new Date(now.getTime() + LOCK_MS).toISOString() };
  }
  return { failures, lastFailureAt: now.toISOString(), lockedUntil: null };
}

/**
 * The key an address is counted under: an IPv6 address by its /64, since one host or subscriber
 * commonly holds the whole /64 and could otherwise walk through it; IPv4 (and IPv4-mapped IPv6) as is.
 */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped) return mapped[1]!;
  if (!isIPv6(a)) return a.slice(0, 64);
  const groups = expandIPv6(a);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const withoutZone = address.split('%')[0]!;
  const [head = '', tail] = withoutZone.split('::');
  const parse = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => (g.includes('.') ? ipv4Groups(g) : [g.padStart(4, '0')]));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => '0000');
  return [...left, ...zeros, ...right];
}

function ipv4Groups(dotted: string): string[] {
  const b = dotted.split('.').map((n) => Number(n));
  return [((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16)].map((g) =>
    g.padStart(4, '0'),
  );
}
