/**
 * A private key kept in a file: created once, with mode 0600, and never readable by others. The log's
 * signing key and a witness's cosigning key are both kept this way.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The file's text. When it does not exist, `create` makes the key text and the file is written
 * exclusively ('wx'), so two processes starting at once cannot both write one: the loser reads the
 * winner's. `refuse` makes the error thrown for a file that others can read.
 */
export function readOrCreateKeyFile(
  file: string,
  create: () => string,
  refuse: (message: string) => Error,
): string {
  mkdirSync(dirname(file), { recursive: true });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const created = create();
    try {
      writeFileSync(file, `${created}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    } catch (w) {
      if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw w;
    }
    text = readFileSync(file, 'utf8');
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw refuse(`${file} is readable by others; run chmod 600 ${file}`);
  }
  return text;
}
