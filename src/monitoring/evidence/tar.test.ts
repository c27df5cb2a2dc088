import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTar } from './evidence.fixture.ts';
import { TAR_END, tarFile, tarHeader } from './tar.ts';

const at = new Date('2025-03-01T12:00:00Z');

describe('tar', () => {
  it('writes archives a ustar reader reads back, file for file and byte for byte', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            name: fc.stringMatching(/^[a-z0-9][a-z0-9._/-]{0,60}$/),
            data: fc.uint8Array({ maxLength: 1500 }),
          }),
          { selector: (f) => f.name, maxLength: 5 },
        ),
        (files) => {
          const tar = Buffer.concat([...files.flatMap((f) => tarFile(f.name, f.data, at)), TAR_END]);
          expect(tar.length % 512).toBe(0);
          const read = readTar(tar);
          expect(read.map((e) => e.name)).toEqual(files.map((f) => f.name));
          read.forEach((e, i) => {
            expect(Buffer.compare(e.data, Buffer.from(files[i]!.data))).toBe(0);
            expect(e.mode).toBe(0o444);
          });
        },
      ),
    );
  });

  it('refuses names and sizes ustar cannot hold', () => {
    expect(() => tarHeader('x'.repeat(101), 0, at)).toThrow(/name/);
    expect(() => tarHeader('ok\nname', 0, at)).toThrow(/name/);
    expect(() => tarHeader('big', 8 ** 11, at)).toThrow(/size/);
  });
});
