import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canTransition, TRANSITIONS, transitionInputSchema } from './incident-status.ts';
import { INCIDENT_STATUSES } from './types.ts';

describe('incident workflow', () => {
  it('lets a new incident be triaged, investigated and verified', () => {
    expect(canTransition('received', 'triaged')).toBe(true);
    expect(canTransition('triaged', 'under_investigation')).toBe(true);
    expect(canTransition('under_investigation', 'verified')).toBe(true);
  });

  it('never changes one verdict straight into another', () => {
    expect(canTransition('verified', 'rejected')).toBe(false);
    expect(canTransition('rejected', 'verified')).toBe(false);
    expect(canTransition('received', 'verified')).toBe(false);
  });

  it('can reach every status from received, and get back to review from every status', () => {
    const reachable = new Set(['received']);
    let grew = true;
    while (grew) {
      grew = false;
      for (const s of [...reachable]) {
        for (const t of TRANSITIONS[s as keyof typeof TRANSITIONS]) {
          if (!reachable.has(t)) {
            reachable.add(t);
            grew = true;
          }
        }
      }
    }
    expect([...reachable].sort()).toEqual([...INCIDENT_STATUSES].sort());
    fc.assert(
      fc.property(fc.constantFrom(...INCIDENT_STATUSES), (s) => {
        expect(TRANSITIONS[s].length).toBeGreaterThan(0);
        expect(TRANSITIONS[s]).not.toContain(s);
      }),
    );
  });

  it('requires a reason and keeps attribution to verification', () => {
    expect(transitionInputSchema.safeParse({ to: 'triaged', reason: '', actor: 'a' }).success).toBe(false);
    const withAttribution = {
      to: 'rejected',
      reason: 'not a violation',
      actor: 'analyst',
      attribution: { party: 'X', confidence: 'low', basis: ['imagery'] },
    };
    const r = transitionInputSchema.safeParse(withAttribution);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['attribution']);
  });
});
