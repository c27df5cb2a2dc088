/**
 * The few XMP properties that say when, where and with what: read from the packet's text with
 * patterns rather than an XML parser, since we need a handful of simple properties, written either as
 * attributes (`exif:DateTimeOriginal="..."`) or as elements (`<exif:DateTimeOriginal>...</...>`).
 * Pure: runs in the browser too.
 */
import { withoutControlCharacters } from './media-type.ts';

export interface XmpFields {
  /** ISO 8601 as written (XMP dates carry their zone when the writer knew it). */
  dateTimeOriginal?: string;
  createDate?: string;
  latitude?: number;
  longitude?: number;
  altitudeM?: number;
  make?: string;
  model?: string;
  serialNumber?: string;
  creatorTool?: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_, e: string) => {
    if (e.startsWith('#x')) return safeCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return safeCodePoint(Number.parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? '';
  });
}

function safeCodePoint(n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
}

function property(xmp: string, name: string): string | undefined {
  const escaped = name.replace('.', '\\.');
  const attr = new RegExp(`\\s${escaped}\\s*=\\s*(?:"([^"]{0,500})"|'([^']{0,500})')`).exec(xmp);
  const elem = attr
    ? null
    : new RegExp(`<${escaped}(?:\\s[^>]{0,200})?>([^<]{0,500})</${escaped}>`).exec(xmp);
  const raw = attr ? (attr[1] ?? attr[2]) : elem?.[1];
  if (raw === undefined) return undefined;
  const value = withoutControlCharacters(decodeXml(raw)).trim();
  return value === '' ? undefined : value;
}

/** XMP GPS coordinates: `DDD,MM,SSk` or `DDD,MM.mmk`, k one of N S E W. */
export function xmpCoordinate(value: string | undefined, negative: 'S' | 'W'): number | undefined {
  const m = value?.match(/^(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])$/);
  if (!m) return undefined;
  const deg = Number(m[1]) + Number(m[2]) / 60 + (m[3] ? Number(m[3]) / 60 / 60 : 0);
  return m[4] === negative ? -deg : deg;
}

function rational(value: string | undefined): number | undefined {
  const m = value?.match(/^(\d+)\/(\d+)$/);
  if (!m || Number(m[2]) === 0) return undefined;
  return Number(m[1]) / Number(m[2]);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function readXmp(xmp: string): XmpFields {
  const out: XmpFields = {};
  const dto = property(xmp, 'exif:DateTimeOriginal') ?? property(xmp, 'photoshop:DateCreated');
  if (dto && ISO_DATE.test(dto)) out.dateTimeOriginal = dto;
  const created = property(xmp, 'xmp:CreateDate');
  if (created && ISO_DATE.test(created)) out.createDate = created;
  const lat = xmpCoordinate(property(xmp, 'exif:GPSLatitude'), 'S');
  const lon = xmpCoordinate(property(xmp, 'exif:GPSLongitude'), 'W');
  if (lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    out.latitude = lat;
    out.longitude = lon;
    const alt = rational(property(xmp, 'exif:GPSAltitude'));
    if (alt !== undefined) out.altitudeM = property(xmp, 'exif:GPSAltitudeRef') === '1' ? -alt : alt;
  }
  const make = property(xmp, 'tiff:Make');
  if (make) out.make = make;
  const model = property(xmp, 'tiff:Model');
  if (model) out.model = model;
  const serial = property(xmp, 'exifEX:BodySerialNumber') ?? property(xmp, 'aux:SerialNumber');
  if (serial) out.serialNumber = serial;
  const tool = property(xmp, 'xmp:CreatorTool');
  if (tool) out.creatorTool = tool;
  return out;
}
