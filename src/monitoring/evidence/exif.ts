/**
 * A small EXIF reader: the TIFF structure inside a JPEG APP1 segment (or a PNG eXIf / WebP EXIF
 * chunk), walked through IFD0, the Exif IFD, the GPS IFD and IFD1 for the few fields that say when,
 * where and with what a picture was taken, and where the camera's own thumbnail is.
 *
 * Every offset in the file is untrusted: each read is bounds-checked, IFDs are visited at most once
 * and entry counts are capped, so a hostile file yields fewer fields, never a crash or a long loop.
 * Pure: runs in the browser too.
 */

export interface ExifFields {
  make?: string;
  model?: string;
  software?: string;
  serialNumber?: string;
  /** `YYYY:MM:DD HH:MM:SS` as the camera wrote it (its clock, zone unknown unless offsetTime is set). */
  dateTimeOriginal?: string;
  /** `+03:00`: the zone of dateTimeOriginal, when the camera recorded it. */
  offsetTimeOriginal?: string;
  subSecTimeOriginal?: string;
  /** Degrees, negative for south and west. */
  gpsLatitude?: number;
  gpsLongitude?: number;
  gpsAltitudeM?: number;
  gpsHPositioningErrorM?: number;
  /** RFC 3339 UTC from GPSDateStamp and GPSTimeStamp, when both are present and sane. */
  gpsTime?: string;
  /** Where IFD1's JPEG thumbnail lies, as offsets into the TIFF bytes. */
  thumbnail?: { offset: number; length: number };
}

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8 };
const MAX_ENTRIES = 1000;

const TAG = {
  make: 0x010f,
  model: 0x0110,
  software: 0x0131,
  exifIfd: 0x8769,
  gpsIfd: 0x8825,
  thumbOffset: 0x0201,
  thumbLength: 0x0202,
  dateTimeOriginal: 0x9003,
  offsetTimeOriginal: 0x9011,
  subSecTimeOriginal: 0x9291,
  bodySerialNumber: 0xa431,
  gpsLatitudeRef: 1,
  gpsLatitude: 2,
  gpsLongitudeRef: 3,
  gpsLongitude: 4,
  gpsAltitudeRef: 5,
  gpsAltitude: 6,
  gpsTimeStamp: 7,
  gpsDateStamp: 0x1d,
  gpsHPositioningError: 0x1f,
} as const;

interface Entry {
  type: number;
  count: number;
  /** Offset of the value (inline or pointed to), already bounds-checked. */
  at: number;
}

class Tiff {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly little: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u16(at: number): number | undefined {
    return at >= 0 && at + 2 <= this.bytes.length ? this.view.getUint16(at, this.little) : undefined;
  }

  u32(at: number): number | undefined {
    return at >= 0 && at + 4 <= this.bytes.length ? this.view.getUint32(at, this.little) : undefined;
  }

  /** The entries of the IFD at `offset`, and the offset of the next IFD (0 when none). */
  ifd(offset: number): { entries: Map<number, Entry>; next: number } | undefined {
    const n = this.u16(offset);
    if (n === undefined || n > MAX_ENTRIES) return undefined;
    const entries = new Map<number, Entry>();
    for (let i = 0; i < n; i++) {
      const at = offset + 2 + 12 * i;
      const tag = this.u16(at);
      const type = this.u16(at + 2);
      const count = this.u32(at + 4);
      if (tag === undefined || type === undefined || count === undefined) break;
      const size = TYPE_SIZES[type];
      if (size === undefined) continue;
      const total = size * count;
      const valueAt = total <= 4 ? at + 8 : this.u32(at + 8);
      if (valueAt === undefined || valueAt + total > this.bytes.length) continue;
      if (!entries.has(tag)) entries.set(tag, { type, count, at: valueAt });
    }
    return { entries, next: this.u32(offset + 2 + 12 * n) ?? 0 };
  }

  ascii(e: Entry | undefined): string | undefined {
    if (!e || (e.type !== 2 && e.type !== 7)) return undefined;
    let s = '';
    for (let i = 0; i < e.count; i++) {
      const c = this.bytes[e.at + i]!;
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    // EXIF says ASCII; cameras pad with spaces. Drop what is not printable so it cannot mislead a reader.
    const clean = s.replace(/[^\x20-\x7e]/g, '').trim();
    return clean === '' ? undefined : clean;
  }

  /** SHORT or LONG values as numbers. */
  ints(e: Entry | undefined): number[] {
    if (!e) return [];
    const out: number[] = [];
    for (let i = 0; i < Math.min(e.count, 16); i++) {
      const v = e.type === 3 ? this.u16(e.at + 2 * i) : e.type === 4 ? this.u32(e.at + 4 * i) : undefined;
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  byte(e: Entry | undefined): number | undefined {
    return e && (e.type === 1 || e.type === 7) && e.count >= 1 ? this.bytes[e.at] : undefined;
  }

  /** RATIONAL (or SRATIONAL) values; a zero denominator gives NaN, which callers refuse. */
  rationals(e: Entry | undefined): number[] {
    if (!e || (e.type !== 5 && e.type !== 10)) return [];
    const out: number[] = [];
    for (let i = 0; i < Math.min(e.count, 16); i++) {
      const num = this.u32(e.at + 8 * i);
      const den = this.u32(e.at + 8 * i + 4);
      if (num === undefined || den === undefined) break;
      const n = e.type === 10 ? num | 0 : num;
      const d = e.type === 10 ? den | 0 : den;
      out.push(d === 0 ? Number.NaN : n / d);
    }
    return out;
  }
}

function degrees(dms: number[], ref: string | undefined, negative: string): number | undefined {
  if (dms.length < 1 || dms.some((x) => !Number.isFinite(x) || x < 0)) return undefined;
  const [d = 0, m = 0, s = 0] = dms;
  const value = d + m / 60 + s / 3600;
  return ref?.toUpperCase() === negative ? -value : value;
}

function gpsTime(date: string | undefined, hms: number[]): string | undefined {
  const d = date?.match(/^(\d{4}):(\d{2}):(\d{2})$/);
  if (!d || hms.length !== 3 || hms.some((x) => !Number.isFinite(x) || x < 0)) return undefined;
  const [h = 0, m = 0, s = 0] = hms;
  if (h >= 24 || m >= 60 || s >= 61) return undefined;
  const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), h, m, 0) + Math.round(s * 1000);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Reads the fields above from TIFF bytes (starting at `II*\0` or `MM\0*`); undefined when it is not TIFF. */
export function readExif(tiffBytes: Uint8Array): ExifFields | undefined {
  if (tiffBytes.length < 8) return undefined;
  const order = String.fromCharCode(tiffBytes[0]!, tiffBytes[1]!);
  if (order !== 'II' && order !== 'MM') return undefined;
  const t = new Tiff(tiffBytes, order === 'II');
  if (t.u16(2) !== 42) return undefined;
  const ifd0At = t.u32(4);
  if (ifd0At === undefined) return undefined;

  const seen = new Set<number>();
  const visit = (at: number | undefined) => {
    if (at === undefined || at === 0 || seen.has(at)) return undefined;
    seen.add(at);
    return t.ifd(at);
  };

  const out: ExifFields = {};
  const ifd0 = visit(ifd0At);
  if (!ifd0) return out;
  const e0 = ifd0.entries;
  const set = <K extends keyof ExifFields>(key: K, value: ExifFields[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('make', t.ascii(e0.get(TAG.make)));
  set('model', t.ascii(e0.get(TAG.model)));
  set('software', t.ascii(e0.get(TAG.software)));

  const exif = visit(t.ints(e0.get(TAG.exifIfd))[0]);
  if (exif) {
    const e = exif.entries;
    const dto = t.ascii(e.get(TAG.dateTimeOriginal));
    if (dto && /^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}$/.test(dto)) out.dateTimeOriginal = dto;
    const offset = t.ascii(e.get(TAG.offsetTimeOriginal));
    if (offset && /^[+-]\d{2}:\d{2}$/.test(offset)) out.offsetTimeOriginal = offset;
    const subSec = t.ascii(e.get(TAG.subSecTimeOriginal));
    if (subSec && /^\d{1,9}$/.test(subSec)) out.subSecTimeOriginal = subSec;
    set('serialNumber', t.ascii(e.get(TAG.bodySerialNumber)));
  }

  const gps = visit(t.ints(e0.get(TAG.gpsIfd))[0]);
  if (gps) {
    const g = gps.entries;
    const lat = degrees(t.rationals(g.get(TAG.gpsLatitude)), t.ascii(g.get(TAG.gpsLatitudeRef)), 'S');
    const lon = degrees(t.rationals(g.get(TAG.gpsLongitude)), t.ascii(g.get(TAG.gpsLongitudeRef)), 'W');
    if (lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      out.gpsLatitude = lat;
      out.gpsLongitude = lon;
      const alt = t.rationals(g.get(TAG.gpsAltitude))[0];
      if (alt !== undefined && Number.isFinite(alt)) {
        out.gpsAltitudeM = t.byte(g.get(TAG.gpsAltitudeRef)) === 1 ? -alt : alt;
      }
      const err = t.rationals(g.get(TAG.gpsHPositioningError))[0];
      if (err !== undefined && Number.isFinite(err) && err >= 0) out.gpsHPositioningErrorM = err;
    }
    set('gpsTime', gpsTime(t.ascii(g.get(TAG.gpsDateStamp)), t.rationals(g.get(TAG.gpsTimeStamp))));
  }

  const ifd1 = visit(ifd0.next);
  if (ifd1) {
    const offset = t.ints(ifd1.entries.get(TAG.thumbOffset))[0];
    const length = t.ints(ifd1.entries.get(TAG.thumbLength))[0];
    if (
      offset !== undefined &&
      length !== undefined &&
      length > 2 &&
      offset + length <= tiffBytes.length &&
      tiffBytes[offset] === 0xff &&
      tiffBytes[offset + 1] === 0xd8
    ) {
      out.thumbnail = { offset, length };
    }
  }
  return out;
}

/** dateTimeOriginal as ISO 8601: RFC 3339 with the recorded offset, or local time without a zone. */
export function exifDateToIso(fields: ExifFields): { value: string; hasZone: boolean } | undefined {
  const m = fields.dateTimeOriginal?.match(/^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23)
    return undefined;
  if (Number(mi) > 59 || Number(s) > 60) return undefined;
  const frac = fields.subSecTimeOriginal ? `.${fields.subSecTimeOriginal}` : '';
  const local = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}`;
  const offset = fields.offsetTimeOriginal;
  return offset ? { value: `${local}${offset}`, hasZone: true } : { value: local, hasZone: false };
}
