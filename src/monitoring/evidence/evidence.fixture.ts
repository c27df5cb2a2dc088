/**
 * Test files built from scratch: TIFF/EXIF structures, JPEGs carrying them, PNGs, multipart bodies,
 * and a tar reader to check exports with. Used by the evidence tests only.
 */
import { crc32, deflateSync } from 'node:zlib';

export interface TiffEntry {
  tag: number;
  /** 1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 7 UNDEFINED, 10 SRATIONAL */
  type: 1 | 2 | 3 | 4 | 5 | 7 | 10;
  /** ASCII text, or numbers (rationals as numerator, denominator pairs). */
  value: string | number[];
}

const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 10: 8 };

function count(e: TiffEntry): number {
  if (typeof e.value === 'string') return e.value.length + 1;
  return e.type === 5 || e.type === 10 ? e.value.length / 2 : e.value.length;
}

function encode(e: TiffEntry, little: boolean): Uint8Array {
  const n = count(e);
  const out = new Uint8Array(SIZES[e.type]! * n);
  const v = new DataView(out.buffer);
  if (typeof e.value === 'string') {
    for (let i = 0; i < e.value.length; i++) out[i] = e.value.charCodeAt(i);
    return out;
  }
  e.value.forEach((x, i) => {
    if (e.type === 1 || e.type === 7) out[i] = x;
    else if (e.type === 3) v.setUint16(2 * i, x, little);
    else if (e.type === 4 || e.type === 5) v.setUint32(4 * i, x, little);
    else v.setInt32(4 * i, x, little);
  });
  return out;
}

/** A TIFF structure: IFD0 (with pointers to the Exif and GPS IFDs when given), then IFD1 with a thumbnail. */
export function buildTiff(o: {
  little: boolean;
  ifd0: TiffEntry[];
  exif?: TiffEntry[];
  gps?: TiffEntry[];
  thumbnail?: Uint8Array;
}): Uint8Array {
  const ifd0 = [...o.ifd0];
  if (o.exif) ifd0.push({ tag: 0x8769, type: 4, value: [0] });
  if (o.gps) ifd0.push({ tag: 0x8825, type: 4, value: [0] });
  const ifd1: TiffEntry[] | undefined = o.thumbnail
    ? [
        { tag: 0x0201, type: 4, value: [0] },
        { tag: 0x0202, type: 4, value: [o.thumbnail.length] },
      ]
    : undefined;
  const ifds = [ifd0, o.exif, o.gps, ifd1].filter((x): x is TiffEntry[] => x !== undefined);
  const offsets: number[] = [];
  let at = 8;
  for (const ifd of ifds) {
    offsets.push(at);
    at += 2 + 12 * ifd.length + 4;
  }
  // Point the pointer entries at the IFDs laid out above.
  let next = 1;
  if (o.exif) ifd0.find((e) => e.tag === 0x8769)!.value = [offsets[next++]!];
  if (o.gps) ifd0.find((e) => e.tag === 0x8825)!.value = [offsets[next++]!];
  const data: number[] = [];
  const dataStart = at;
  const thumbAt = () => dataStart + data.length;
  const bytes = new Uint8Array(65536 * 4);
  const view = new DataView(bytes.buffer);
  const le = o.little;
  bytes.set(le ? [0x49, 0x49, 42, 0] : [0x4d, 0x4d, 0, 42]);
  view.setUint32(4, 8, le);
  ifds.forEach((ifd, k) => {
    const base = offsets[k]!;
    view.setUint16(base, ifd.length, le);
    ifd.forEach((e, i) => {
      const p = base + 2 + 12 * i;
      const value = encode(e, le);
      view.setUint16(p, e.tag, le);
      view.setUint16(p + 2, e.type, le);
      view.setUint32(p + 4, count(e), le);
      if (value.length <= 4) bytes.set(value, p + 8);
      else {
        view.setUint32(p + 8, dataStart + data.length, le);
        data.push(...value);
        if (data.length % 2) data.push(0);
      }
    });
    // IFD0 links to IFD1; the others end the chain.
    const isIfd0 = k === 0;
    view.setUint32(base + 2 + 12 * ifd.length, isIfd0 && ifd1 ? offsets[ifds.length - 1]! : 0, le);
  });
  bytes.set(data, dataStart);
  let end = dataStart + data.length;
  if (o.thumbnail && ifd1) {
    const t = thumbAt();
    const base = offsets[ifds.length - 1]!;
    view.setUint32(base + 2 + 8, t, le);
    bytes.set(o.thumbnail, t);
    end = t + o.thumbnail.length;
  }
  return bytes.slice(0, end);
}

/** A JPEG: SOI, an APP1 Exif segment with the TIFF, then the rest of `jpeg` after its own SOI. */
export function jpegWithExif(tiff: Uint8Array, jpeg: Uint8Array): Uint8Array {
  const payload = new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]);
  const length = payload.length + 2;
  return new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xe1,
    length >> 8,
    length & 0xff,
    ...payload,
    ...jpeg.subarray(2),
  ]);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  const typed = new Uint8Array([...Buffer.from(type, 'latin1'), ...data]);
  out.set(typed, 4);
  v.setUint32(8 + data.length, crc32(typed));
  return out;
}

/** A real, decodable RGB PNG of the given size, optionally with an eXIf chunk. */
export function png(width = 4, height = 3, exif?: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = new Uint8Array(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < 3 * width; x++) raw[y * (1 + 3 * width) + 1 + x] = (x * 40 + y * 70) & 0xff;
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(exif ? [chunk('eXIf', exif)] : []),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export type Part =
  | { name: string; value: string }
  | { name: string; filename?: string; type?: string; data: Uint8Array };

/** A multipart/form-data body and its content type. */
export function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----guarantor-test-${Math.random().toString(16).slice(2)}`;
  const pieces: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if ('data' in p) {
      if (p.filename !== undefined) head += `; filename="${p.filename}"`;
      head += `\r\nContent-Type: ${p.type ?? 'application/octet-stream'}`;
      pieces.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(p.data), Buffer.from('\r\n'));
    } else {
      pieces.push(Buffer.from(`${head}\r\n\r\n${p.value}\r\n`));
    }
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(pieces), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface TarEntry {
  name: string;
  mode: number;
  data: Buffer;
}

/** Reads a ustar archive, checking every header's checksum and the two-block end. */
export function readTar(tar: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let at = 0;
  for (;;) {
    if (at + 512 > tar.length) throw new Error('archive ends without its end blocks');
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) {
      if (!tar.subarray(at + 512, at + 1024).every((b) => b === 0) || at + 1024 !== tar.length) {
        throw new Error('bad end of archive');
      }
      return out;
    }
    const field = (from: number, width: number) =>
      h
        .subarray(from, from + width)
        .toString('latin1')
        .replace(/\0.*$/s, '');
    const sum = Number.parseInt(field(148, 8).trim(), 8);
    let actual = 0;
    for (let i = 0; i < 512; i++) actual += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== actual) throw new Error(`bad checksum at ${at}`);
    if (field(257, 6) !== 'ustar') throw new Error('not ustar');
    const size = Number.parseInt(field(124, 12), 8);
    out.push({
      name: field(0, 100),
      mode: Number.parseInt(field(100, 8), 8),
      data: tar.subarray(at + 512, at + 512 + size),
    });
    at += 512 + Math.ceil(size / 512) * 512;
  }
}
