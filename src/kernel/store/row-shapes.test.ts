import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectOfValues, valuesOfRows } from './row-shapes.ts';

describe('rows between objects and flat values', () => {
  it('gives back the rows it flattened, whatever the column names', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', '"', "a'b", '\\')), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat({ max: 5 }),
        (columns, n) => {
          const rows = Array.from({ length: n }, (_, r) =>
            Object.fromEntries(columns.map((c, i) => [c, r * 100 + i])),
          );
          const values = valuesOfRows(columns)(rows);
          expect(values).toHaveLength(n * columns.length);
          const object = objectOfValues(columns);
          const back = rows.map((_, r) => object(values.slice(r * columns.length, (r + 1) * columns.length)));
          expect(back).toEqual(rows);
          for (const row of back) expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
        },
      ),
    );
  });
});
