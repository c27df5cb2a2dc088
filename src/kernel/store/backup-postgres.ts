/**
 * PostgreSQL backups through the server's own tools: `pg_dump --format=custom` (one consistent
 * snapshot, taken while Guarantor keeps writing) and `pg_restore`. Before anything is restored,
 * the ledger tables are read straight out of the dump (pg_restore prints their COPY data), so a
 * tampered dump is refused without touching the target database.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';

export class PgToolError extends Error {
  override name = 'PgToolError';
}

/** Runs a PostgreSQL client tool; resolves when it exits 0, else rejects with its stderr. */
function run(tool: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 10_000) stderr += d.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new PgToolError(
          e.code === 'ENOENT' ? `${tool} is not on PATH; install the PostgreSQL client tools` : e.message,
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new PgToolError(`${tool} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

export async function pgToolsAvailable(): Promise<boolean> {
  try {
    await run('pg_dump', ['--version']);
    await run('pg_restore', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Dumps the database (or one schema of it) in pg_dump's custom format. */
export function pgDump(url: string, file: string, schema?: string): Promise<void> {
  return run('pg_dump', [
    '--format=custom',
    '--no-owner',
    '--no-privileges',
    `--file=${file}`,
    ...(schema ? [`--schema=${schema}`] : []),
    `--dbname=${url}`,
  ]);
}

/** Restores a dump; with `clean`, objects the dump holds are dropped first. */
export function pgRestore(url: string, file: string, clean: boolean): Promise<void> {
  return run('pg_restore', [
    '--no-owner',
    '--no-privileges',
    '--exit-on-error',
    '--single-transaction',
    ...(clean ? ['--clean', '--if-exists'] : []),
    `--dbname=${url}`,
    file,
  ]);
}

/** True when the database holds no table outside the system schemas. */
export async function pgIsEmpty(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query(
      `select count(*)::int as n from information_schema.tables
       where table_schema not in ('pg_catalog', 'information_schema')`,
    );
    return Number(r.rows[0]?.n ?? 0) === 0;
  } finally {
    await client.end();
  }
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** One field of PostgreSQL's COPY text format: `\N` is null, backslash escapes as documented. */
export function unescapeCopyField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(Number.parseInt(e, 8));
    return ESCAPES[e] ?? e;
  });
}

/**
 * Parses the COPY block of `table` from pg_restore's SQL output: rows as objects keyed by column.
 * Exported for tests; `dumpRows` feeds it from a dump file.
 */
export async function* copyRows(
  lines: AsyncIterable<string> | Iterable<string>,
  table: string,
): AsyncIterable<Record<string, string | null>> {
  const header = new RegExp(`^COPY (?:[\\w"]+\\.)?"?${table}"? \\(([^)]*)\\) FROM stdin;$`);
  let columns: string[] | undefined;
  for await (const line of lines) {
    if (columns === undefined) {
      const m = header.exec(line);
      if (m) columns = m[1]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
      continue;
    }
    if (line === '\\.') return;
    const fields = line.split('\t');
    const row: Record<string, string | null> = {};
    columns.forEach((c, i) => {
      row[c] = unescapeCopyField(fields[i] ?? '\\N');
    });
    yield row;
  }
}

/** The rows of one table inside a custom-format dump, streamed from `pg_restore --data-only`. */
export async function* dumpRows(file: string, table: string): AsyncIterable<Record<string, string | null>> {
  const child = spawn('pg_restore', ['--data-only', `--table=${table}`, '--file=-', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 10_000) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new PgToolError(e.code === 'ENOENT' ? 'pg_restore is not on PATH' : e.message)),
    );
    child.on('close', resolve);
  });
  exited.catch(() => undefined);
  try {
    yield* copyRows(createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }), table);
    // Drain whatever follows the block so the tool can exit.
    child.stdout.resume();
    const code = await exited;
    if (code !== 0)
      throw new PgToolError(`pg_restore could not read ${file} (exit ${code}): ${stderr.trim()}`);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
