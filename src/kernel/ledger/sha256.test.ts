import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from './bytes.ts';
import { sha256 } from './sha256.ts';

const nodeSha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sha256', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(toHex(sha256())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(utf8('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(toHex(sha256(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto at every length around the block and padding boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 255);
      expect(toHex(sha256(data)), `length ${n}`).toBe(nodeSha(data));
    }
  });

  it('agrees with node:crypto on random input split into random parts', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 150 }), { maxLength: 6 }), (parts) => {
        const joined = Uint8Array.from(parts.flatMap((p) => [...p]));
        expect(toHex(sha256(...parts))).toBe(nodeSha(joined));
      }),
      { numRuns: 500 },
    );
  });

  it('streams a 1 MiB message block by block', () => {
    const data = new Uint8Array(1 << 20).fill(0x61);
    expect(toHex(sha256(data))).toBe(nodeSha(data));
  });
});
