import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_FAILURE_LIMIT,
  ADDRESS_FAILURE_LIMIT,
  addressKey,
  afterFailure,
  type FailureCounter,
  isLocked,
  LOCK_MS,
  NO_FAILURES,
  THROTTLE_WINDOW_MS,
} from './throttle.ts';

const T0 = Date.parse('2026-11-30T08:00:00.000Z');

/** Runs failures at the given gaps (ms); returns, per failure, whether it was counted and whether it locked. */
function run(gaps: number[], limit: number) {
  let c: FailureCounter = NO_FAILURES;
  let t = T0;
  const steps: { at: number; counted: boolean; locked: boolean }[] = [];
  for (const gap of gaps) {
    t += gap;
    const now = new Date(t);
    const counted = !isLocked(c, now);
    c = afterFailure(c, now, limit);
    steps.push({ at: t, counted, locked: isLocked(c, now) });
  }
  return steps;
}

describe('sign-in throttle', () => {
  const gaps = fc.array(fc.integer({ min: 0, max: 2 * THROTTLE_WINDOW_MS }), { maxLength: 60 });
  const limits = fc.constantFrom(ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT);

  it('locks by the limit-th counted failure within any 15 minutes', () => {
    fc.assert(
      fc.property(gaps, limits, (g, limit) => {
        const steps = run(g, limit);
        const counted = steps.filter((s) => s.counted);
        for (let i = 0; i + limit - 1 < counted.length; i++) {
          const first = counted[i]!;
          const last = counted[i + limit - 1]!;
          if (last.at - first.at < THROTTLE_WINDOW_MS) {
            // Some failure from the first to the last of these locked the counter.
            const span = steps.filter((s) => s.at >= first.at && s.at <= last.at);
            expect(span.some((s) => s.locked)).toBe(true);
          }
        }
      }),
    );
  });

  it('never locks before the limit, and a lock lasts exactly 15 minutes without being extended', () => {
    fc.assert(
      fc.property(gaps, limits, (g, limit) => {
        let c: FailureCounter = NO_FAILURES;
        let t = T0;
        for (const gap of g) {
          t += gap;
          const now = new Date(t);
          const before = c;
          c = afterFailure(c, now, limit);
          if (isLocked(before, now)) expect(c).toEqual(before);
          else if (c.lockedUntil !== null) {
            expect(Date.parse(c.lockedUntil) - t).toBe(LOCK_MS);
            expect(isLocked(c, new Date(t + LOCK_MS - 1))).toBe(true);
            expect(isLocked(c, new Date(t + LOCK_MS))).toBe(false);
          } else expect(c.failures).toBeLessThan(limit);
        }
      }),
    );
  });

  it('forgets failures after 15 quiet minutes', () => {
    let c = NO_FAILURES;
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT - 1; i++) c = afterFailure(c, new Date(T0 + i * 1000), 5);
    c = afterFailure(c, new Date(T0 + 3000 + THROTTLE_WINDOW_MS), 5);
    expect(c.failures).toBe(1);
    expect(isLocked(c, new Date(T0 + 3000 + THROTTLE_WINDOW_MS))).toBe(false);
  });
});

describe('addressKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6 and cuts IPv6 to its /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:0db8:0001:0002::/64');
    expect(addressKey('2001:DB8:1:2::99')).toBe('2001:0db8:0001:0002::/64');
    expect(addressKey('::1')).toBe('0000:0000:0000:0000::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0000:0000:0000::/64');
  });

  it('puts every address of one /64 under one key', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const key = addressKey(ip);
        expect(key).toMatch(/^([0-9a-f]{4}:){4}:\/64$|^\d+\.\d+\.\d+\.\d+$/);
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }),
        (a, tail) => {
          const one = a.map((g) => g.toString(16)).join(':');
          const other = [...a.slice(0, 4), ...tail].map((g) => g.toString(16)).join(':');
          fc.pre(!one.startsWith('0:0:0:0:0:ffff:'));
          expect(addressKey(one)).toBe(addressKey(other));
        },
      ),
    );
  });
});
