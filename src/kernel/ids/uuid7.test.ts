import { describe, expect, it } from 'vitest';
import { UUID_RE, uuid7 } from './uuid7.ts';

describe('uuid7', () => {
  it('makes version-7 RFC 9562 ids', () => {
    const id = uuid7();
    expect(id).toMatch(UUID_RE);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
  });

  it('sorts in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => uuid7(1_760_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('encodes the time', () => {
    const id = uuid7(Date.UTC(2030, 0, 1));
    const ms = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(Date.UTC(2030, 0, 1));
  });
});
