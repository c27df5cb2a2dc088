import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractMetadata } from './capture-metadata.ts';
import { buildTiff, jpegWithExif, png, type TiffEntry } from './evidence.fixture.ts';
import { readExif } from './exif.ts';
import { readXmp, xmpCoordinate } from './xmp.ts';

const plainJpeg = readFileSync('test/fixtures/vectors/c2pa/C.jpg');
const thumb = new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 1, 2, 3, 4, 0xff, 0xd9]);

/** A rational as a numerator/denominator pair, to 1e-6. */
const r = (x: number) => [Math.round(x * 1e6), 1e6];
const dms = (deg: number) => {
  const d = Math.floor(deg);
  const m = Math.floor((deg - d) * 60);
  const s = (deg - d - m / 60) * 3600;
  return [d, 1, m, 1, ...r(s)];
};

function cameraTiff(o: { little: boolean; lat: number; lon: number; make: string; model: string }) {
  const ifd0: TiffEntry[] = [
    { tag: 0x010f, type: 2, value: o.make },
    { tag: 0x0110, type: 2, value: o.model },
  ];
  const exif: TiffEntry[] = [
    { tag: 0x9003, type: 2, value: '2025:03:14 09:26:53' },
    { tag: 0x9011, type: 2, value: '+02:00' },
    { tag: 0xa431, type: 2, value: 'SN-0042' },
  ];
  const gps: TiffEntry[] = [
    { tag: 1, type: 2, value: o.lat < 0 ? 'S' : 'N' },
    { tag: 2, type: 5, value: dms(Math.abs(o.lat)) },
    { tag: 3, type: 2, value: o.lon < 0 ? 'W' : 'E' },
    { tag: 4, type: 5, value: dms(Math.abs(o.lon)) },
    { tag: 5, type: 1, value: [0] },
    { tag: 6, type: 5, value: [2125, 10] },
    { tag: 7, type: 5, value: [7, 1, 26, 1, 53, 1] },
    { tag: 0x1d, type: 2, value: '2025:03:14' },
    { tag: 0x1f, type: 5, value: [12, 1] },
  ];
  return buildTiff({ little: o.little, ifd0, exif, gps, thumbnail: thumb });
}

describe('EXIF', () => {
  it('reads time, zone, place, altitude, GPS time, device and thumbnail in both byte orders', () => {
    for (const little of [true, false]) {
      const tiff = cameraTiff({ little, lat: 48.0159, lon: 37.8028, make: 'Canon', model: 'EOS R6' });
      const { capture, thumbnail } = extractMetadata(jpegWithExif(tiff, plainJpeg), 'image/jpeg');
      expect(capture.capturedAt).toBe('2025-03-14T09:26:53+02:00');
      expect(capture.capturedAtHasZone).toBe(true);
      expect(capture.gpsTime).toBe('2025-03-14T07:26:53.000Z');
      expect(capture.position?.lat).toBeCloseTo(48.0159, 6);
      expect(capture.position?.lon).toBeCloseTo(37.8028, 6);
      expect(capture.position?.altitudeM).toBeCloseTo(212.5);
      expect(capture.position?.errorM).toBe(12);
      expect(capture.device).toEqual({ make: 'Canon', model: 'EOS R6', serialNumber: 'SN-0042' });
      expect(capture.sources).toContain('exif');
      expect(thumbnail && Array.from(thumbnail)).toEqual(Array.from(thumb));
    }
  });

  it('gives back any position and device it was given (property)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.double({ min: -89.999, max: 89.999, noNaN: true }),
        fc.double({ min: -179.999, max: 179.999, noNaN: true }),
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 -]{0,20}[A-Za-z0-9]$/),
        (little, lat, lon, make) => {
          const tiff = cameraTiff({ little, lat, lon, make, model: 'M' });
          const { capture } = extractMetadata(png(2, 2, tiff), 'image/png');
          expect(capture.position?.lat).toBeCloseTo(lat, 5);
          expect(capture.position?.lon).toBeCloseTo(lon, 5);
          expect(capture.device?.make).toBe(make);
        },
      ),
    );
  });

  it('reads a real camera file: the c2pa-rs sample without a manifest', () => {
    const file = readFileSync('test/fixtures/vectors/c2pa/no_manifest.jpg');
    const { capture, thumbnail } = extractMetadata(file, 'image/jpeg');
    expect(capture.sources).toEqual(['exif', 'xmp']);
    expect(capture.capturedAt).toBe('2022-11-07T14:20:13-08:00');
    expect(capture.device?.software).toMatch(/^Adobe Photoshop 24\.1/);
    expect(thumbnail?.[0]).toBe(0xff);
    expect(thumbnail?.[1]).toBe(0xd8);
  });

  it('leaves out time fields that are not well formed instead of guessing', () => {
    const tiff = buildTiff({
      little: true,
      ifd0: [],
      exif: [
        { tag: 0x9003, type: 2, value: '0000:00:00 00:00:00' },
        { tag: 0x9011, type: 2, value: 'local' },
      ],
    });
    expect(extractMetadata(jpegWithExif(tiff, plainJpeg), 'image/jpeg').capture.capturedAt).toBeUndefined();
    const noZone = buildTiff({
      little: false,
      ifd0: [],
      exif: [{ tag: 0x9003, type: 2, value: '2025:01:02 03:04:05' }],
    });
    const c = extractMetadata(jpegWithExif(noZone, plainJpeg), 'image/jpeg').capture;
    expect(c).toMatchObject({ capturedAt: '2025-01-02T03:04:05', capturedAtHasZone: false });
  });

  it('survives any corruption of the TIFF bytes: fewer fields, never an exception or a hang', () => {
    const tiff = cameraTiff({ little: true, lat: 48, lon: 37, make: 'X', model: 'Y' });
    const stub = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(tiff.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }),
        fc.nat(tiff.length),
        (flips, cut) => {
          const bad = tiff.slice(0, Math.max(cut, 8));
          for (const [at, v] of flips) if (at < bad.length) bad[at] = v;
          readExif(bad);
          extractMetadata(jpegWithExif(bad, stub), 'image/jpeg');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not follow IFD pointers in a loop', () => {
    const tiff = buildTiff({ little: true, ifd0: [{ tag: 0x010f, type: 2, value: 'Loop' }] });
    // Point IFD0's next-IFD link back at IFD0.
    new DataView(tiff.buffer).setUint32(8 + 2 + 12, 8, true);
    expect(readExif(tiff)?.make).toBe('Loop');
  });
});

describe('XMP', () => {
  it('reads attribute and element forms, and its GPS coordinate notation', () => {
    const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description
      exif:DateTimeOriginal="2025-02-01T10:00:00+02:00" tiff:Make="DJI"
      exif:GPSLatitude="47,50.5N" exif:GPSLongitude="35,10,30W">
      <tiff:Model>Mavic &amp; 3</tiff:Model></rdf:Description></rdf:RDF></x:xmpmeta>`;
    expect(readXmp(xmp)).toEqual({
      dateTimeOriginal: '2025-02-01T10:00:00+02:00',
      make: 'DJI',
      model: 'Mavic & 3',
      latitude: 47 + 50.5 / 60,
      longitude: -(35 + 10 / 60 + 30 / 3600),
    });
    expect(xmpCoordinate('48.5N', 'S')).toBeUndefined();
    const offTheMap = readXmp('<x:xmpmeta exif:GPSLatitude="91,0N" exif:GPSLongitude="30,0E"/>');
    expect(offTheMap.latitude).toBeUndefined();
  });

  it('is found in containers it has no reader for (here: a PDF)', () => {
    const pdf = Buffer.from(
      '%PDF-1.7\n1 0 obj<</Type/Metadata>>stream\n<x:xmpmeta><rdf:Description xmp:CreateDate="2024-12-31T23:59:00Z" xmp:CreatorTool="Scanner 2"/></x:xmpmeta>\nendstream\n',
    );
    const { capture } = extractMetadata(pdf, 'application/pdf');
    expect(capture).toMatchObject({
      capturedAt: '2024-12-31T23:59:00Z',
      capturedAtHasZone: true,
      device: { software: 'Scanner 2' },
      sources: ['xmp'],
    });
  });
});
