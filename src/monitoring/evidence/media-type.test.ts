import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { png } from './evidence.fixture.ts';
import { claimMismatch, classifyText, sniffHead } from './media-type.ts';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? Array.from(Buffer.from(p, 'latin1')) : p)));
const ftyp = (major: string, ...compatible: string[]) => {
  const size = 16 + 4 * compatible.length;
  return bytes([0, 0, 0, size], 'ftyp', major, [0, 0, 0, 0], ...compatible, 'mdat');
};
const typeOf = (head: Uint8Array) => {
  const v = sniffHead(head);
  return v.kind === 'binary' ? v.mediaType : v.kind;
};

describe('sniffHead', () => {
  it('names each accepted binary type from its signature', () => {
    expect(typeOf(readFileSync('test/fixtures/vectors/c2pa/CA.jpg'))).toBe('image/jpeg');
    expect(typeOf(png())).toBe('image/png');
    expect(typeOf(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('image/webp');
    expect(typeOf(bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '))).toBe('audio/wav');
    expect(typeOf(bytes('%PDF-1.7\n'))).toBe('application/pdf');
    expect(typeOf(bytes('ID3', [4, 0, 0, 0, 0, 0, 0]))).toBe('audio/mpeg');
    expect(typeOf(bytes([0xff, 0xfb, 0x90, 0x64, 0, 0]))).toBe('audio/mpeg');
    expect(typeOf(ftyp('heic', 'mif1', 'heic'))).toBe('image/heic');
    expect(typeOf(ftyp('mif1', 'heic'))).toBe('image/heic');
    expect(typeOf(ftyp('mif1', 'mif1'))).toBe('image/heif');
    expect(typeOf(ftyp('isom', 'iso2', 'avc1', 'mp41'))).toBe('video/mp4');
    expect(typeOf(ftyp('qt  ', 'qt  '))).toBe('video/quicktime');
    expect(typeOf(bytes([0, 0, 0, 8], 'wide', [0, 0, 0, 0], 'mdat'))).toBe('video/quicktime');
  });

  it('refuses what is neither a known signature nor text', () => {
    expect(typeOf(bytes('RIFF', [1, 2, 3, 4], 'AVI LIST'))).toBe('unknown');
    expect(typeOf(ftyp('avif', 'avif'))).toBe('unknown');
    expect(typeOf(bytes([0x7f], 'ELF', [2, 1, 1, 0]))).toBe('unknown');
    expect(typeOf(bytes('PK', [3, 4, 20, 0]))).toBe('unknown');
    // AAC in ADTS has the MPEG sync word but layer 0: not MP3.
    expect(typeOf(bytes([0xff, 0xf1, 0x50, 0x80, 0, 0]))).toBe('unknown');
    expect(typeOf(new Uint8Array(0))).toBe('unknown');
  });

  it('calls plain UTF-8 plausible text, even when the head ends inside a character', () => {
    expect(typeOf(bytes('time,lat,lon\n2025-01-01T00:00:00Z,48.1,37.6\n'))).toBe('text');
    const cut = Buffer.from('name,place\nx,Донецьк', 'utf8');
    expect(typeOf(cut.subarray(0, cut.length - 1))).toBe('text');
    expect(typeOf(bytes('a,b\n', [0], 'c,d\n'))).toBe('unknown');
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(['unknown', 'text', 'binary']).toContain(sniffHead(b).kind);
      }),
    );
  });
});

describe('classifyText', () => {
  it('tells JSON, NDJSON and CSV apart and refuses other text', () => {
    expect(classifyText('{"sensor":"S-1","readings":[1,2,3]}')).toBe('application/json');
    expect(classifyText('\ufeff[1,2]')).toBe('application/json');
    expect(classifyText('{"t":1}\n{"t":2}\n')).toBe('application/x-ndjson');
    expect(classifyText('{"t":1}\n{"t":\n')).toBeUndefined();
    expect(classifyText('time;value\n1;2\n3;4\n')).toBe('text/csv');
    expect(classifyText('time,"note, quoted",v\n1,"a, b",2\n')).toBe('text/csv');
    expect(classifyText('Dear secretariat,\nplease find\n')).toBeUndefined();
    expect(classifyText('')).toBeUndefined();
  });

  it('reads any table of the same width per line as CSV', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(',', ';', '\t'),
        (cols, rows, delimiter) => {
          const line = (r: number) => Array.from({ length: cols }, (_, c) => `v${r}x${c}`).join(delimiter);
          const csv = `${Array.from({ length: rows }, (_, r) => line(r)).join('\n')}\n`;
          expect(classifyText(csv)).toBe('text/csv');
        },
      ),
    );
  });
});

describe('claimMismatch', () => {
  it('holds a recognised claim of another type against the file', () => {
    expect(claimMismatch('image/png', { fileName: 'photo.jpg' })).toMatch(/named \.jpg/);
    expect(claimMismatch('application/pdf', { declaredType: 'image/jpeg' })).toMatch(
      /declared as image\/jpeg/,
    );
    expect(claimMismatch('text/csv', { declaredType: 'application/pdf' })).toBeDefined();
  });

  it('accepts claims of the same kind, and says nothing about claims it does not know', () => {
    expect(
      claimMismatch('image/jpeg', { fileName: 'IMG_0001.JPEG', declaredType: 'image/jpg' }),
    ).toBeUndefined();
    expect(
      claimMismatch('video/quicktime', { fileName: 'clip.mp4', declaredType: 'video/mp4' }),
    ).toBeUndefined();
    expect(claimMismatch('text/csv', { fileName: 'log.txt', declaredType: 'text/plain' })).toBeUndefined();
    expect(
      claimMismatch('image/jpeg', { fileName: 'DSC_0001', declaredType: 'application/octet-stream' }),
    ).toBeUndefined();
    expect(claimMismatch('image/jpeg', { fileName: 'upload.data' })).toBeUndefined();
  });
});
