import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from './bytes.ts';
import { canonicalJson } from './canonical.ts';
import { commitmentOf, leafData, leafHash } from './leaf.ts';
import { leafHash as portableLeafHash } from './merkle.ts';

// What a member's verifier recomputes from a released record: these must never drift.
describe('leaf bytes', () => {
  it('writes leaf data exactly as the canonical JSON of its fields', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (kind, id, at, commitment) => {
        expect(leafData(kind, id, at, commitment)).toBe(
          canonicalJson({ v: 1, kind, id: id, at, commitment }),
        );
      }),
    );
  });

  it('hashes a leaf as RFC 9162 does, the same as the portable verifier', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (data) => {
        expect(leafHash(data)).toBe(toHex(portableLeafHash(utf8(data))));
      }),
    );
  });

  it('commits to the salt followed by the canonical content', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.jsonValue(), (salt, content) => {
        const hex = Buffer.from(salt).toString('hex');
        const expected = createHash('sha256')
          .update(salt)
          .update(canonicalJson(content), 'utf8')
          .digest('hex');
        expect(commitmentOf(hex, content)).toBe(expected);
      }),
    );
  });
});
