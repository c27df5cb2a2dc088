/**
 * Just enough POSIX ustar to write an evidence export: regular files with short ASCII names. Tar
 * rather than ZIP because it needs no compression code and no central directory, so an export of a
 * large original streams straight from disk with nothing held in memory, and every system can open it.
 * Pure: runs in the browser too.
 */

export const BLOCK = 512;

/** Two zero blocks end an archive. */
export const TAR_END = new Uint8Array(2 * BLOCK);

function writeString(block: Uint8Array, at: number, width: number, value: string): void {
  for (let i = 0; i < value.length && i < width; i++) block[at + i] = value.charCodeAt(i);
}

function writeOctal(block: Uint8Array, at: number, width: number, value: number): void {
  // width - 1 octal digits and a NUL terminator.
  writeString(block, at, width, `${value.toString(8).padStart(width - 1, '0')}\0`);
}

/** The 512-byte header of one regular file. Names are at most 100 printable ASCII characters. */
export function tarHeader(name: string, size: number, mtime: Date): Uint8Array {
  if (!/^[\x21-\x7e][\x20-\x7e]{0,99}$/.test(name)) throw new Error(`tar name not allowed: ${name}`);
  if (!Number.isSafeInteger(size) || size < 0 || size >= 8 ** 11)
    throw new Error(`tar size out of range: ${size}`);
  const h = new Uint8Array(BLOCK);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, 0o444);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, Math.max(0, Math.floor(mtime.getTime() / 1000)));
  h[156] = 0x30; // '0': regular file
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  // The checksum is computed with its own field read as eight spaces.
  writeString(h, 148, 8, '        ');
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** Zero bytes that round a file's data up to a whole block. */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

/** A whole in-memory file: header, data, padding. */
export function tarFile(name: string, data: Uint8Array, mtime: Date): Uint8Array[] {
  return [tarHeader(name, data.length, mtime), data, tarPadding(data.length)];
}
