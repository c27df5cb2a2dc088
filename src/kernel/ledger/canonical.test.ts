import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by code unit and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], '\u20ac': 1, '\r': 2 })).toBe(
      '{"\\r":2,"a":[true,null,"x"],"b":1,"€":1}',
    );
  });

  it('writes numbers as ECMAScript does (RFC 8785 appendix B samples)', () => {
    expect(canonicalJson([1e21, 1e-7, -0, 333333333.3333333, 4.5])).toBe(
      '[1e+21,1e-7,0,333333333.3333333,4.5]',
    );
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson({ a: () => 1 })).toThrow();
  });

  it('writes objects JSON.stringify would write otherwise by their own members, in order or not', () => {
    // JSON.stringify would call toJSON or unbox; the canonical form has only the own enumerable members.
    const instance = new (class {
      b = 2;
      a = 1;
    })();
    const inOrder = new (class {
      a = 1;
      b = 2;
    })();
    expect(canonicalJson({ at: new Date(0), n: Object(1), s: Object('x') })).toBe(
      '{"at":{},"n":{},"s":{"0":"x"}}',
    );
    expect(canonicalJson([instance, inOrder])).toBe('[{"a":1,"b":2},{"a":1,"b":2}]');
    expect(() => canonicalJson({ a: 1, toJSON: () => 'x' })).toThrow();
    expect(() => canonicalJson({ a: [1, Number.POSITIVE_INFINITY] })).toThrow();
    expect(() => canonicalJson({ a: 1n })).toThrow();
    expect(() => canonicalJson(undefined)).toThrow();
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
    expect(canonicalJson({ 1: 'x', 10: 'y', 2: 'z' })).toBe('{"1":"x","10":"y","2":"z"}');
  });

  it('is independent of key insertion order and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalJson(v);
        expect(canonicalJson(JSON.parse(c))).toBe(c);
        const reversed = JSON.parse(c, (_k, val) => {
          if (val && typeof val === 'object' && !Array.isArray(val)) {
            return Object.fromEntries(Object.entries(val).reverse());
          }
          return val;
        });
        expect(canonicalJson(reversed)).toBe(c);
      }),
    );
  });

  it('agrees with a slow, obviously right reference on any JSON value', () => {
    // Keys sorted by code unit, each value written by JSON.stringify. (An object cannot be used to sort
    // keys: JavaScript enumerates integer-like keys first whatever order they were added in.)
    const reference = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o).sort();
        return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`;
      }
      return JSON.stringify(v);
    };
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 500 },
    );
  });
});
