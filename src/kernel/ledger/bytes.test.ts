import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, fromBase64, fromHex, fromUtf8, toBase64, toHex } from './bytes.ts';

describe('hex and base64', () => {
  it('round-trip any bytes and agree with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
        expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
        expect(bytesEqual(fromHex(toHex(bytes)), bytes)).toBe(true);
        expect(bytesEqual(fromBase64(toBase64(bytes)), bytes)).toBe(true);
      }),
    );
  });

  it('refuse anything but the one canonical encoding', () => {
    for (const bad of ['YQ', 'YQ=', 'YR==', 'YWI=a', 'Y Q==', 'YQ=\n', '====', 'Y===', "ThisIsn'tBase64"]) {
      expect(() => fromBase64(bad), bad).toThrow(TypeError);
    }
    expect(() => fromBase64('YWJ=')).toThrow(/non-canonical/);
    expect(() => fromHex('abc')).toThrow(TypeError);
    expect(() => fromHex('zz')).toThrow(TypeError);
  });

  it('refuses invalid UTF-8 rather than replacing it', () => {
    expect(() => fromUtf8(new Uint8Array([0xff, 0x41]))).toThrow();
    expect(fromUtf8(new Uint8Array([0xe2, 0x80, 0x94]))).toBe('\u2014');
  });
});
