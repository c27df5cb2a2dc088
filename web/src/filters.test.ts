import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/monitoring/report-schema.ts';
import { INCIDENT_STATUSES } from '../../src/monitoring/types.ts';
import { filtersFromQuery, filtersToQuery } from './filters.ts';

describe('operations room filters in the address', () => {
  it('starts with every status, every place and the last 7 days', () => {
    const f = filtersFromQuery('');
    expect(f).toEqual({
      statuses: [...INCIDENT_STATUSES],
      type: '',
      oblast: '',
      sectorId: '',
      window: { startAgo: 6, endAgo: 0 },
    });
    expect(filtersToQuery(f)).toBe('');
  });

  it('ignores values it does not know instead of sending them to the server', () => {
    const f = filtersFromQuery('?status=verified,bogus&type=nuke&oblast=XX-1&from=abc');
    expect(f.statuses).toEqual(['verified']);
    expect(f.type).toBe('');
    expect(f.oblast).toBe('');
    expect(f.window).toEqual({ startAgo: 6, endAgo: 0 });
  });

  it('reads back whatever it writes', () => {
    fc.assert(
      fc.property(
        fc.subarray([...INCIDENT_STATUSES], { minLength: 1 }),
        fc.constantFrom('', ...EVENT_TYPES),
        fc.constantFrom('', 'UA-14', 'UA-43'),
        fc.constantFrom('', 'S-1', 'S-4'),
        fc.integer({ min: 0, max: 29 }),
        fc.integer({ min: 0, max: 29 }),
        (statuses, type, oblast, sectorId, a, b) => {
          const f = {
            statuses: INCIDENT_STATUSES.filter((s) => statuses.includes(s)),
            type,
            oblast,
            sectorId,
            window: { startAgo: Math.max(a, b), endAgo: Math.min(a, b) },
          };
          expect(filtersFromQuery(filtersToQuery(f))).toEqual(f);
        },
      ),
    );
  });
});
