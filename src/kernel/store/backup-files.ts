/**
 * File work for backup and restore: hashing while copying (one read per file), and walking the
 * evidence folder. Evidence files are immutable and content-addressed, so a plain copy of the tree
 * is consistent as long as it is taken after the database copy: a database row can only name a file
 * that was written before the row committed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BackupFile } from './backup-manifest.ts';

/** Copies `from` to `to` (creating its folder) and returns the copy's SHA-256 and size. */
export async function copyHashed(from: string, to: string, path: string, mode?: number): Promise<BackupFile> {
  mkdirSync(dirname(to), { recursive: true });
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    createReadStream(from),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        bytes += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(to, { flags: 'wx', ...(mode === undefined ? {} : { mode }) }),
  );
  return { path, sha256: hash.digest('hex'), bytes };
}

export async function hashFile(file: string, path: string): Promise<BackupFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { path, sha256: hash.digest('hex'), bytes };
}

/**
 * Every regular file under `root`, as paths relative to it with forward slashes, sorted. Anything
 * else (a symbolic link, a socket) is reported, not followed: a backup must not leave the folder.
 */
export function listFiles(root: string): { files: string[]; skipped: string[] } {
  const files: string[] = [];
  const skipped: string[] = [];
  if (!existsSync(root)) return { files, skipped };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(rel);
      else skipped.push(rel);
    }
  };
  walk(root);
  files.sort();
  return { files, skipped };
}
