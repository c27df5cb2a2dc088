import { describe, expect, it } from 'vitest';
import { TRANSITIONS } from '../../src/monitoring/incident-status.ts';
import { ApiError } from './api.ts';
import { checkMerge, checkSplit, checkTransition, nextStatuses, parseIdList } from './verification.ts';
import { problemErrors } from './views/forms.ts';

const form = {
  to: 'triaged' as const,
  reason: 'Corroborated',
  party: '',
  confidence: 'medium',
  basis: [],
};
const ID = '01a22b4e-fb3e-702e-8f41-07745f360aa9';

describe('verification actions', () => {
  it('offers the workflow’s next statuses', () => {
    expect(nextStatuses('received')).toEqual(['triaged', 'under_investigation', 'rejected', 'duplicate']);
    expect(nextStatuses('verified')).toEqual(['under_investigation']);
    expect(nextStatuses('duplicate')).toBe(TRANSITIONS.duplicate);
  });

  it('asks for a reason before sending, and never for a name: the server records who signed in', () => {
    expect(checkTransition({ ...form, reason: ' ab ' }).errors).toEqual({
      reason: expect.stringContaining('at least 3'),
    });
    expect(checkTransition(form).body).toEqual({ to: 'triaged', reason: 'Corroborated' });
    // A name left over from an older form is not passed on.
    const stale = { ...form, actor: 'Ana' } as typeof form;
    expect(checkTransition(stale).body).not.toHaveProperty('actor');
    const staleMerge = { ids: '01a22b4e-fb3e-702d-8a91-8135cb0974f0', reason: 'same', actor: 'Ana' };
    expect(checkMerge(staleMerge as Parameters<typeof checkMerge>[0], ID).body).not.toHaveProperty('actor');
  });

  it('sends an assessed attribution only when verifying, and only with a basis', () => {
    expect(checkTransition({ ...form, party: 'Party A' }).body).toEqual({
      to: 'triaged',
      reason: 'Corroborated',
    });
    const verify = { ...form, to: 'verified' as const, party: ' Party A ' };
    expect(checkTransition(verify).errors['attribution.basis']).toMatch(/at least one/);
    expect(checkTransition({ ...verify, basis: ['imagery', 'made_up'] }).body).toEqual({
      to: 'verified',
      reason: 'Corroborated',
      attribution: { party: 'Party A', confidence: 'medium', basis: ['imagery'] },
    });
    expect(checkTransition({ ...verify, party: '' }).body?.attribution).toBeUndefined();
  });

  it('checks a merge’s ids and a split’s selection', () => {
    expect(parseIdList(` ${ID}, ${ID}\nabc;def `)).toEqual([ID, 'abc', 'def']);
    expect(checkMerge({ ids: 'abc', reason: 'same event' }, ID).errors.incidentIds).toMatch(
      /Not an incident id/,
    );
    expect(checkMerge({ ids: ID, reason: 'same event' }, ID).errors.incidentIds).toMatch(/itself/);
    const other = '01a22b4e-fb3e-702d-8a91-8135cb0974f0';
    expect(checkMerge({ ids: other, reason: 'same event' }, ID).body).toEqual({
      incidentIds: [other],
      reason: 'same event',
    });
    expect(
      checkSplit({ reportIds: [], reportCount: 3, reason: 'two events' }).errors.reportIds,
    ).toBeDefined();
    expect(
      checkSplit({ reportIds: ['a', 'b'], reportCount: 2, reason: 'two events' }).errors.reportIds,
    ).toMatch(/at least one/);
    expect(checkSplit({ reportIds: ['a'], reportCount: 2, reason: 'two events' }).body?.reportIds).toEqual([
      'a',
    ]);
  });

  it('places the server’s problem details next to the field they name', () => {
    const listed = new ApiError(400, {
      detail: 'reason: say why',
      errors: [{ field: 'attribution.basis', message: 'too few' }],
    });
    expect(problemErrors(listed, ['reason', 'attribution.basis'])).toEqual({
      errors: { 'attribution.basis': 'too few' },
    });
    const named = new ApiError(422, { detail: 'a split must leave a report', field: 'reportIds' });
    expect(problemErrors(named, ['reportIds', 'reason'])).toEqual({
      errors: { reportIds: 'a split must leave a report' },
    });
    const conflict = new ApiError(409, {
      detail: 'cannot go from verified to triaged',
      code: 'state_conflict',
    });
    expect(problemErrors(conflict, ['reason'])).toEqual({
      errors: {},
      leftover: 'cannot go from verified to triaged',
    });
  });
});
