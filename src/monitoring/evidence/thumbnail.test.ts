import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { png } from './evidence.fixture.ts';
import { makeThumbnail, THUMBNAIL_LONG_EDGE, type ThumbnailOutcome } from './thumbnail.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function made(outcome: ThumbnailOutcome | undefined) {
  if (!outcome?.made) throw new Error(`no thumbnail: ${JSON.stringify(outcome)}`);
  return outcome.thumbnail;
}

/** A PNG whose header claims `width` × `height` pixels, with almost no data behind it. */
function claimedPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    typed.copy(out, 4);
    out.writeUInt32BE(crc32(typed), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('thumbnails of image evidence', () => {
  it('draws JPEG, PNG and WebP at most 320 px on the long edge, as a JPEG without metadata', async () => {
    const jpeg = readFileSync('test/fixtures/vectors/c2pa/no_manifest.jpg');
    const webp = await sharp({ create: { width: 400, height: 1200, channels: 3, background: '#336699' } })
      .webp()
      .toBuffer();
    for (const [bytes, type] of [
      [jpeg, 'image/jpeg'],
      [Buffer.from(png(1000, 500)), 'image/png'],
      [webp, 'image/webp'],
    ] as const) {
      const t = made(await makeThumbnail(bytes, type));
      expect(Math.max(t.width, t.height)).toBe(THUMBNAIL_LONG_EDGE);
      const meta = await sharp(t.bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', t.width, t.height]);
      // The camera's EXIF (make, GPS, ...) stays in the original only.
      expect(meta.exif).toBeUndefined();
      expect(t.params).toMatchObject({
        tool: 'sharp',
        version: sharp.versions.sharp,
        libvips: sharp.versions.vips,
      });
    }
    const tall = made(await makeThumbnail(webp, 'image/webp'));
    expect([tall.width, tall.height]).toEqual([107, 320]);
    expect(tall.params).toMatchObject({ sourceWidth: 400, sourceHeight: 1200 });
  });

  it('turns the picture the way its EXIF orientation says, and never enlarges a small one', async () => {
    const sideways = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#808080' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const t = made(await makeThumbnail(sideways, 'image/jpeg'));
    expect([t.width, t.height]).toEqual([160, 320]);
    const small = made(await makeThumbnail(png(12, 8), 'image/png'));
    expect([small.width, small.height]).toEqual([12, 8]);
  });

  it('draws transparency on white, since JPEG has none', async () => {
    const clear = await sharp({
      create: { width: 50, height: 50, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const t = made(await makeThumbnail(clear, 'image/png'));
    const { data } = await sharp(t.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(Math.min(...data)).toBeGreaterThan(250);
  });

  it('makes the same bytes from the same original, so a copy is stored once', async () => {
    const jpeg = readFileSync('test/fixtures/vectors/c2pa/CA.jpg');
    const a = made(await makeThumbnail(jpeg, 'image/jpeg'));
    const b = made(await makeThumbnail(jpeg, 'image/jpeg'));
    expect(sha(a.bytes)).toBe(sha(b.bytes));
  });

  it('leaves the bytes it is given as they were', async () => {
    const jpeg = readFileSync('test/fixtures/vectors/c2pa/CA.jpg');
    const before = sha(jpeg);
    made(await makeThumbnail(jpeg, 'image/jpeg'));
    expect(sha(jpeg)).toBe(before);
  });

  it('says why, instead of throwing, for a corrupt image, a decompression bomb or an undecodable HEIC', async () => {
    const corrupt = await makeThumbnail(
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(3000, 7)]),
      'image/jpeg',
    );
    expect(corrupt).toMatchObject({ made: false, reason: expect.stringMatching(/corrupt|premature/i) });
    const bomb = await makeThumbnail(claimedPng(60_000, 60_000), 'image/png');
    expect(bomb).toMatchObject({ made: false, reason: expect.stringMatching(/pixel limit/i) });
    const heic = await makeThumbnail(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic'), 'image/heic');
    expect(heic).toMatchObject({ made: false });
  });

  it('makes none of video, audio, documents and sensor files', async () => {
    for (const type of ['video/mp4', 'audio/wav', 'application/pdf', 'text/csv', 'application/json']) {
      expect(await makeThumbnail(Buffer.from('x'), type)).toBeUndefined();
    }
  });
});
