/**
 * What an evidence file is, decided from its bytes. A file's name and the type its sender declared
 * are claims, not facts: they are compared with what the content says and a disagreement refuses the
 * upload, so nothing is ever stored, or later served, under a type its bytes do not have.
 * Pure: runs in the browser too.
 */

export const EVIDENCE_MEDIA_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/heic',
  'image/heif',
  'video/mp4',
  'video/quicktime',
  'audio/wav',
  'audio/mpeg',
  'application/pdf',
  'text/csv',
  'application/json',
  'application/x-ndjson',
] as const;

export type EvidenceMediaType = (typeof EVIDENCE_MEDIA_TYPES)[number];

/** What the first bytes say: a binary type, plausible text (decided on the whole file), or nothing known. */
export type HeadVerdict =
  | { kind: 'binary'; mediaType: EvidenceMediaType }
  | { kind: 'text' }
  | { kind: 'unknown' };

/** Enough bytes for every signature below and for a first look at text. */
export const HEAD_BYTES = 4096;

const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2']);
const MP4_BRANDS = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'iso7',
  'iso8',
  'iso9',
  'mp41',
  'mp42',
  'mp71',
  'avc1',
  'M4V ',
  'M4VH',
  'M4VP',
  'dash',
  'msnv',
  'MSNV',
  'mmp4',
  'f4v ',
  '3gp4',
  '3gp5',
  '3gp6',
  '3g2a',
  'XAVC',
]);
// QuickTime files older than the ftyp box begin straight with one of these atoms.
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'pnot']);

function ascii(b: Uint8Array, from: number, length: number): string {
  let s = '';
  for (let i = from; i < from + length && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  return sig.every((v, i) => b[at + i] === v);
}

function isoBmffType(b: Uint8Array): EvidenceMediaType | undefined {
  if (ascii(b, 4, 4) !== 'ftyp') {
    return QUICKTIME_ATOMS.has(ascii(b, 4, 4)) ? 'video/quicktime' : undefined;
  }
  const boxSize = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const major = ascii(b, 8, 4);
  const brands = [major];
  for (let at = 16; at + 4 <= Math.min(boxSize, b.length); at += 4) brands.push(ascii(b, at, 4));
  if (major === 'qt  ') return 'video/quicktime';
  if (HEIC_BRANDS.has(major)) return 'image/heic';
  if (HEIF_BRANDS.has(major)) return brands.some((x) => HEIC_BRANDS.has(x)) ? 'image/heic' : 'image/heif';
  if (MP4_BRANDS.has(major)) return 'video/mp4';
  if (brands.some((x) => x === 'qt  ')) return 'video/quicktime';
  if (brands.some((x) => MP4_BRANDS.has(x))) return 'video/mp4';
  return undefined;
}

// MPEG-1/2/2.5 Layer III frame header: 11 sync bits, a valid version, layer III, a bitrate that is
// neither "free" nor "bad", and a real sample rate. Stricter than the sync word alone, so random
// binary rarely passes as MP3.
function isMp3Frame(b: Uint8Array): boolean {
  if (b.length < 4 || b[0] !== 0xff || (b[1]! & 0xe0) !== 0xe0) return false;
  const version = (b[1]! >> 3) & 3;
  const layer = (b[1]! >> 1) & 3;
  const bitrate = b[2]! >> 4;
  const rate = (b[2]! >> 2) & 3;
  return version !== 1 && layer === 1 && bitrate !== 0 && bitrate !== 15 && rate !== 3;
}

/** The binary types from their signatures; text is only called plausible here. */
export function sniffHead(head: Uint8Array): HeadVerdict {
  const binary = (mediaType: EvidenceMediaType): HeadVerdict => ({ kind: 'binary', mediaType });
  if (startsWith(head, [0xff, 0xd8, 0xff])) return binary('image/jpeg');
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return binary('image/png');
  if (ascii(head, 0, 4) === 'RIFF') {
    const form = ascii(head, 8, 4);
    if (form === 'WEBP') return binary('image/webp');
    if (form === 'WAVE') return binary('audio/wav');
    return { kind: 'unknown' };
  }
  if (ascii(head, 0, 5) === '%PDF-') return binary('application/pdf');
  if (ascii(head, 0, 3) === 'ID3' || isMp3Frame(head)) return binary('audio/mpeg');
  const bmff = head.length >= 12 ? isoBmffType(head) : undefined;
  if (bmff) return binary(bmff);
  return looksLikeText(head) ? { kind: 'text' } : { kind: 'unknown' };
}

const utf8 = (fatal: boolean) => new TextDecoder('utf-8', { fatal, ignoreBOM: false });

function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

/** No control characters but tab, line feed, carriage return and form feed. */
export function isPlainText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isControl(c) && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) return false;
  }
  return true;
}

/** The text with every control character removed, for names and values shown to people. */
export function withoutControlCharacters(s: string): string {
  let out = '';
  for (const ch of s) if (!isControl(ch.charCodeAt(0))) out += ch;
  return out;
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  // The head may end inside a multi-byte character; decode in streaming mode so that is not an error.
  try {
    return isPlainText(utf8(true).decode(head, { stream: true }));
  } catch {
    return false;
  }
}

/** Counts fields in one CSV line, honouring double quotes. */
function fieldCount(line: string, delimiter: string): number {
  let n = 1;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === delimiter && !quoted) n++;
  }
  return n;
}

/**
 * The type of a whole text file: JSON when it parses as JSON, NDJSON when every non-blank line
 * does, CSV when its first lines split into the same number (more than one) of fields on one of the
 * usual delimiters. Anything else is not a sensor file we accept.
 */
export function classifyText(text: string): EvidenceMediaType | undefined {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  const first = body.trimStart()[0];
  if (first === '{' || first === '[') {
    try {
      JSON.parse(body);
      return 'application/json';
    } catch {
      const lines = body.split(/\r?\n/).filter((l) => l.trim() !== '');
      try {
        for (const l of lines) JSON.parse(l);
        return 'application/x-ndjson';
      } catch {
        return undefined;
      }
    }
  }
  const lines = body.split(/\r?\n/, 6).filter((l) => l.trim() !== '');
  const sample = lines.length > 5 ? lines.slice(0, 5) : lines;
  if (sample.length === 0) return undefined;
  for (const delimiter of [',', ';', '\t', '|']) {
    const counts = sample.map((l) => fieldCount(l, delimiter));
    if (counts[0]! > 1 && counts.every((c) => c === counts[0])) return 'text/csv';
  }
  return undefined;
}

/** Types the content may be and still match a claim; a QuickTime file is often sent as MP4, and so on. */
const FAMILIES: Record<EvidenceMediaType, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heif',
  'image/heif': 'heif',
  'video/mp4': 'video',
  'video/quicktime': 'video',
  'audio/wav': 'wav',
  'audio/mpeg': 'mp3',
  'application/pdf': 'pdf',
  'text/csv': 'text',
  'application/json': 'text',
  'application/x-ndjson': 'text',
};

const DECLARED: Record<string, string> = {
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heif',
  'image/heif': 'heif',
  'image/heic-sequence': 'heif',
  'image/heif-sequence': 'heif',
  'video/mp4': 'video',
  'video/quicktime': 'video',
  'video/x-m4v': 'video',
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/vnd.wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'application/pdf': 'pdf',
  'text/csv': 'text',
  'text/plain': 'text',
  'application/csv': 'text',
  'application/json': 'text',
  'application/x-ndjson': 'text',
  'application/jsonl': 'text',
};

const EXTENSIONS: Record<string, string> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  png: 'png',
  webp: 'webp',
  heic: 'heif',
  heif: 'heif',
  hif: 'heif',
  mp4: 'video',
  m4v: 'video',
  mov: 'video',
  qt: 'video',
  wav: 'wav',
  wave: 'wav',
  mp3: 'mp3',
  pdf: 'pdf',
  csv: 'text',
  tsv: 'text',
  txt: 'text',
  json: 'text',
  ndjson: 'text',
  jsonl: 'text',
};

/** The usual file extension, for names the server makes up (exports). */
export const EXTENSION_OF: Record<EvidenceMediaType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'audio/wav': 'wav',
  'audio/mpeg': 'mp3',
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
};

/**
 * Why the sender's claims disagree with the content, or undefined when they agree. A claim we do
 * not recognise (no extension, `application/octet-stream`, an unusual name) says nothing and is not
 * held against the file; a recognised claim of another kind is.
 */
export function claimMismatch(
  detected: EvidenceMediaType,
  claims: { declaredType?: string | undefined; fileName?: string | undefined },
): string | undefined {
  const family = FAMILIES[detected];
  const declared = claims.declaredType?.split(';')[0]?.trim().toLowerCase();
  const declaredFamily = declared ? DECLARED[declared] : undefined;
  if (declaredFamily && declaredFamily !== family) {
    return `declared as ${declared} but the content is ${detected}`;
  }
  const ext = claims.fileName?.match(/\.([A-Za-z0-9]{1,8})$/)?.[1]?.toLowerCase();
  const extFamily = ext ? EXTENSIONS[ext] : undefined;
  if (extFamily && extFamily !== family) {
    return `named .${ext} but the content is ${detected}`;
  }
  return undefined;
}
