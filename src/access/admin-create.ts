/**
 * `guarantor admin create`: the first administrator of a fresh data directory, and any later one. A
 * fresh deployment has no account at all, so nothing is open until someone with access to the server
 * runs this. The password comes from a file (or standard input with `-`) or a prompt that does not
 * echo, never from the command line, where it would be kept in shell history and shown by `ps`.
 */
import { readFileSync } from 'node:fs';
import type { Io } from '../cli/io.ts';
import { isProblem } from '../kernel/http/errors.ts';
import type { Store } from '../kernel/store/store.ts';
import { DEFAULT_CLEARANCE, isClearance } from './account-model.ts';
import { AccountService } from './account-service.ts';
import { CLASSIFICATIONS } from './labels.ts';
import { PASSWORD_PROBLEMS, passwordProblem } from './password.ts';
import { cleanText } from './sanitize.ts';

export interface AdminCreateOptions {
  username: string;
  participant: string;
  displayName?: string;
  /** The highest classification the administrator may read and give; default CONFIDENTIAL. */
  clearance?: string;
  /** A file holding the password (one trailing newline is dropped), or `-` for standard input. */
  passwordFile?: string;
}

export interface AdminCreateDeps {
  /** Asks for a secret without echoing it; required when no password file is given. */
  promptSecret?: (question: string) => Promise<string>;
  readStdin?: () => string;
}

function dropTrailingNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readPassword(
  options: AdminCreateOptions,
  deps: AdminCreateDeps,
  io: Io,
): Promise<string | undefined> {
  if (options.passwordFile === '-')
    return dropTrailingNewline((deps.readStdin ?? (() => readFileSync(0, 'utf8')))());
  if (options.passwordFile !== undefined)
    return dropTrailingNewline(readFileSync(options.passwordFile, 'utf8'));
  if (!deps.promptSecret) {
    io.err('no terminal to ask for the password on: give --password-file <file> (or - for standard input)');
    return undefined;
  }
  const first = await deps.promptSecret('Password for the new administrator: ');
  const problem = passwordProblem(first, options.username);
  if (problem) {
    io.err(PASSWORD_PROBLEMS[problem]);
    return undefined;
  }
  const again = await deps.promptSecret('The same password again: ');
  if (again !== first) {
    io.err('the two passwords differ');
    return undefined;
  }
  return first;
}

/** Creates the administrator; returns the exit code (0 made, 1 refused). */
export async function adminCreate(
  store: Store,
  options: AdminCreateOptions,
  io: Io,
  deps: AdminCreateDeps = {},
): Promise<number> {
  const clearance = options.clearance ?? DEFAULT_CLEARANCE;
  if (!isClearance(clearance)) {
    io.err(`refused: clearance: one of ${CLASSIFICATIONS.join(', ')}`);
    return 1;
  }
  const accounts = new AccountService(store);
  if (await accounts.findAccount(options.username)) {
    io.err(`an account named ${cleanText(options.username, 64)} exists already; nothing was changed`);
    return 1;
  }
  let password: string | undefined;
  try {
    password = await readPassword(options, deps, io);
  } catch (e) {
    io.err(`could not read the password: ${cleanText((e as Error).message)}`);
    return 1;
  }
  if (password === undefined) return 1;
  try {
    const account = await accounts.createAccount(
      {
        username: options.username,
        participant: options.participant,
        displayName: options.displayName ?? options.username,
        roles: ['administrator'],
        clearance,
        password,
      },
      'system:cli',
    );
    io.out(
      `created administrator ${account.username} (${account.participant}), cleared to ${account.clearance}, id ${account.id}`,
    );
    io.out('at first sign-in, set up an authenticator app: administrators need a TOTP code');
    return 0;
  } catch (e) {
    if (!isProblem(e)) throw e;
    const fields = e.errors?.map((f) => `${f.field}: ${f.message}`).join('; ');
    io.err(`refused: ${cleanText(fields || e.message)}`);
    return 1;
  }
}
