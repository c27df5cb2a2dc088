/**
 * Capture metadata of an evidence file: when, where and with what device it says it was recorded,
 * from its EXIF and XMP. These are the file's own claims (a camera's clock and GPS can be wrong or
 * forged); they are shown as such beside the report, never used to overwrite it.
 *
 * Where the metadata sits: JPEG APP1 segments; PNG eXIf and iTXt chunks; WebP EXIF and XMP chunks.
 * For the other types (HEIC, MP4/MOV, PDF, ...) the file is searched for an embedded TIFF header
 * behind `Exif\0\0` and for an uncompressed XMP packet, which finds them where most writers put them.
 * Pure: runs in the browser too.
 */
import { type ExifFields, exifDateToIso, readExif } from './exif.ts';
import type { EvidenceMediaType } from './media-type.ts';
import { readXmp, type XmpFields } from './xmp.ts';

export interface CaptureMetadata {
  /**
   * RFC 3339 when the file recorded its zone; otherwise the device's wall-clock time without a zone
   * (`2024-05-01T14:03:07`), because the zone the device's clock was set to is unknown.
   */
  capturedAt?: string;
  capturedAtHasZone?: boolean;
  /** UTC time from the GPS receiver, independent of the device clock. */
  gpsTime?: string;
  position?: { lon: number; lat: number; altitudeM?: number; errorM?: number };
  device?: { make?: string; model?: string; serialNumber?: string; software?: string };
  /** Which embedded records the fields came from. */
  sources: ('exif' | 'xmp')[];
}

export interface ExtractedMetadata {
  capture: CaptureMetadata;
  /** The device's own JPEG thumbnail (EXIF IFD1), a view into the file's bytes. */
  thumbnail?: Uint8Array;
}

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const XMP_NS = 'http://ns.adobe.com/xap/1.0/\0';
const MAX_XMP = 512 * 1024;

function matchesAt(b: Uint8Array, at: number, sig: readonly number[]): boolean {
  if (at < 0 || at + sig.length > b.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

function indexOf(b: Uint8Array, sig: readonly number[], from = 0): number {
  const first = sig[0]!;
  for (let at = b.indexOf(first, from); at !== -1; at = b.indexOf(first, at + 1)) {
    if (matchesAt(b, at, sig)) return at;
  }
  return -1;
}

const bytesOf = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const XMP_START = bytesOf('<x:xmpmeta');
const XMP_END = bytesOf('</x:xmpmeta>');

interface Found {
  tiff?: Uint8Array;
  xmp?: string;
}

function utf8(b: Uint8Array): string {
  return new TextDecoder('utf-8').decode(b);
}

function fromJpeg(b: Uint8Array): Found {
  const found: Found = {};
  let at = 2;
  while (at + 4 <= b.length && b[at] === 0xff) {
    const marker = b[at + 1]!;
    // Fill bytes, and markers with no length (RSTn, TEM).
    if (marker === 0xff) {
      at++;
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // image data begins: metadata comes before it
    const length = (b[at + 2]! << 8) | b[at + 3]!;
    if (length < 2 || at + 2 + length > b.length) break;
    const payload = b.subarray(at + 4, at + 2 + length);
    if (marker === 0xe1) {
      if (!found.tiff && matchesAt(payload, 0, EXIF_HEADER)) found.tiff = payload.subarray(6);
      else if (!found.xmp && latin1(payload.subarray(0, XMP_NS.length)) === XMP_NS) {
        found.xmp = utf8(payload.subarray(XMP_NS.length));
      }
    }
    at += 2 + length;
  }
  return found;
}

function stripExifHeader(b: Uint8Array): Uint8Array {
  return matchesAt(b, 0, EXIF_HEADER) ? b.subarray(6) : b;
}

function fromPng(b: Uint8Array): Found {
  const found: Found = {};
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 8;
  while (at + 12 <= b.length) {
    const length = view.getUint32(at);
    const type = latin1(b.subarray(at + 4, at + 8));
    if (at + 12 + length > b.length) break;
    const data = b.subarray(at + 8, at + 8 + length);
    if (type === 'eXIf' && !found.tiff) found.tiff = stripExifHeader(data);
    if (type === 'iTXt' && !found.xmp) {
      // keyword\0 compressionFlag compressionMethod language\0 translated\0 text
      const key = data.indexOf(0);
      if (key > 0 && latin1(data.subarray(0, key)) === 'XML:com.adobe.xmp' && data[key + 1] === 0) {
        const lang = data.indexOf(0, key + 3);
        const translated = lang === -1 ? -1 : data.indexOf(0, lang + 1);
        if (translated !== -1) found.xmp = utf8(data.subarray(translated + 1));
      }
    }
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return found;
}

function fromWebp(b: Uint8Array): Found {
  const found: Found = {};
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 12;
  while (at + 8 <= b.length) {
    const type = latin1(b.subarray(at, at + 4));
    const length = view.getUint32(at + 4, true);
    if (at + 8 + length > b.length) break;
    const data = b.subarray(at + 8, at + 8 + length);
    if (type === 'EXIF' && !found.tiff) found.tiff = stripExifHeader(data);
    if (type === 'XMP ' && !found.xmp) found.xmp = utf8(data);
    at += 8 + length + (length % 2);
  }
  return found;
}

/** Any other container: the first `Exif\0\0` followed by a TIFF header, and the first XMP packet. */
function bySearch(b: Uint8Array): Found {
  const found: Found = {};
  for (let at = indexOf(b, EXIF_HEADER); at !== -1; at = indexOf(b, EXIF_HEADER, at + 1)) {
    const tiff = b.subarray(at + 6);
    if (matchesAt(tiff, 0, [0x49, 0x49, 42, 0]) || matchesAt(tiff, 0, [0x4d, 0x4d, 0, 42])) {
      found.tiff = tiff;
      break;
    }
  }
  const start = indexOf(b, XMP_START);
  if (start !== -1) {
    const end = indexOf(b.subarray(start, start + MAX_XMP), XMP_END);
    if (end !== -1) found.xmp = utf8(b.subarray(start, start + end + XMP_END.length));
  }
  return found;
}

function locate(bytes: Uint8Array, mediaType: EvidenceMediaType): Found {
  switch (mediaType) {
    case 'image/jpeg':
      return fromJpeg(bytes);
    case 'image/png':
      return fromPng(bytes);
    case 'image/webp':
      return fromWebp(bytes);
    case 'text/csv':
    case 'application/json':
    case 'application/x-ndjson':
      return {};
    default:
      return bySearch(bytes);
  }
}

/** Combines EXIF and XMP; EXIF wins where both speak, since it is what the device itself wrote. */
export function combine(exif: ExifFields | undefined, xmp: XmpFields | undefined): CaptureMetadata {
  const capture: CaptureMetadata = { sources: [] };
  if (exif && Object.keys(exif).some((k) => k !== 'thumbnail')) capture.sources.push('exif');
  if (xmp && Object.keys(xmp).length > 0) capture.sources.push('xmp');

  const exifTime = exif ? exifDateToIso(exif) : undefined;
  const xmpTime = xmp?.dateTimeOriginal ?? xmp?.createDate;
  if (exifTime) {
    capture.capturedAt = exifTime.value;
    capture.capturedAtHasZone = exifTime.hasZone;
  } else if (xmpTime) {
    capture.capturedAt = xmpTime;
    capture.capturedAtHasZone = /(Z|[+-]\d{2}:\d{2})$/.test(xmpTime);
  }
  if (exif?.gpsTime) capture.gpsTime = exif.gpsTime;

  if (exif?.gpsLatitude !== undefined && exif.gpsLongitude !== undefined) {
    capture.position = { lon: exif.gpsLongitude, lat: exif.gpsLatitude };
    if (exif.gpsAltitudeM !== undefined) capture.position.altitudeM = exif.gpsAltitudeM;
    if (exif.gpsHPositioningErrorM !== undefined) capture.position.errorM = exif.gpsHPositioningErrorM;
  } else if (xmp?.latitude !== undefined && xmp.longitude !== undefined) {
    capture.position = { lon: xmp.longitude, lat: xmp.latitude };
    if (xmp.altitudeM !== undefined) capture.position.altitudeM = xmp.altitudeM;
  }

  const device = {
    make: exif?.make ?? xmp?.make,
    model: exif?.model ?? xmp?.model,
    serialNumber: exif?.serialNumber ?? xmp?.serialNumber,
    software: exif?.software ?? xmp?.creatorTool,
  };
  const present = Object.fromEntries(Object.entries(device).filter(([, v]) => v !== undefined));
  if (Object.keys(present).length > 0) capture.device = present;
  return capture;
}

export function extractMetadata(bytes: Uint8Array, mediaType: EvidenceMediaType): ExtractedMetadata {
  const found = locate(bytes, mediaType);
  const exif = found.tiff ? readExif(found.tiff) : undefined;
  const xmp = found.xmp ? readXmp(found.xmp.slice(0, MAX_XMP)) : undefined;
  const out: ExtractedMetadata = { capture: combine(exif, xmp) };
  if (found.tiff && exif?.thumbnail) {
    out.thumbnail = found.tiff.subarray(exif.thumbnail.offset, exif.thumbnail.offset + exif.thumbnail.length);
  }
  return out;
}
