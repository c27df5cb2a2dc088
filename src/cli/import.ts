import { createReadStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createServices } from '../app.ts';
import { loadConfig } from '../kernel/config/config.ts';
import { parseOr400 } from '../kernel/http/validate.ts';
import { openStore, storeOptionsFor } from '../kernel/store/store.ts';
import { formatFromFileName, type ImportFormat } from '../monitoring/import/detect.ts';
import { columnMappingSchema } from '../monitoring/import/mapping.ts';
import { type ImportSummary, importSummaryIn } from '../monitoring/import/summary.ts';

const CONTENT_TYPES: Record<ImportFormat, string> = {
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
  geojson: 'application/geo+json',
};

export async function importCommand(
  file: string,
  flags: {
    mapping?: string;
    allOrNothing?: boolean;
    format?: ImportFormat;
    url?: string;
    /** An API token with report:import; default GUARANTOR_TOKEN. */
    token?: string;
    json?: boolean;
    data?: string;
    databaseUrl?: string;
  },
): Promise<void> {
  const format = flags.format ?? formatFromFileName(file);
  if (!format) {
    fail(`cannot tell the format of ${basename(file)} from its extension; use --format ndjson|csv|geojson`);
  }
  let mappingText: string | undefined;
  let mapping: ReturnType<typeof columnMappingSchema.parse> | undefined;
  if (flags.mapping && format !== 'csv') fail('a column mapping reads CSV files only');
  if (flags.mapping) {
    mappingText = readFileSync(flags.mapping, 'utf8');
    try {
      mapping = parseOr400(columnMappingSchema, JSON.parse(mappingText));
    } catch (e) {
      fail(`the mapping file ${flags.mapping} is not valid: ${(e as Error).message}`);
    }
  }

  let summary: ImportSummary;
  if (flags.url) {
    const url = new URL('/api/v1/reports/import', flags.url);
    if (flags.allOrNothing) url.searchParams.set('allOrNothing', 'true');
    if (mappingText) url.searchParams.set('mapping', JSON.stringify(JSON.parse(mappingText)));
    const token = flags.token ?? process.env.GUARANTOR_TOKEN;
    if (!token)
      fail('importing through a server needs an API token with report:import: --token or GUARANTOR_TOKEN');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': CONTENT_TYPES[format], authorization: `Bearer ${token}` },
      body: readFileSync(file),
    }).catch((e: Error) =>
      fail(`cannot reach ${url.origin}: ${(e.cause as Error | undefined)?.message ?? e.message}`, 1),
    );
    const text = await res.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      fail(`the server answered ${res.status} with something other than JSON: ${text.slice(0, 200)}`, 1);
    }
    const answered = importSummaryIn(answer);
    if (!answered) {
      const detail = (answer as { detail?: unknown } | null)?.detail;
      fail(
        `the server refused the import (${res.status})${typeof detail === 'string' ? `: ${detail}` : ''}`,
        1,
      );
    }
    summary = answered;
  } else {
    const config = loadConfig(process.env, { dataDir: flags.data, databaseUrl: flags.databaseUrl });
    const store = await openStore(storeOptionsFor(config));
    try {
      const services = createServices(store, config);
      summary = await services.reports.importUpload(format, createReadStream(file), {
        ...(mapping ? { mapping } : {}),
        allOrNothing: !!flags.allOrNothing,
      });
    } finally {
      await store.close();
    }
  }

  if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else printSummary(file, summary);
  process.exitCode = summary.rolledBack || summary.stoppedAtLine !== null ? 1 : 0;
}

function printSummary(file: string, s: ImportSummary): void {
  const out = process.stdout;
  out.write(`${basename(file)}: ${s.accepted} accepted, ${s.rejected} rejected, ${s.duplicates} duplicates`);
  out.write(s.rolledBack ? ' — rolled back, nothing imported (--all-or-nothing)\n' : '\n');
  for (const e of s.errors)
    out.write(`  line ${e.line}${e.field ? ` ${e.field}` : ''}: ${e.message} [${e.code}]\n`);
  if (s.errorsTruncated) out.write(`  ... and more; the first ${s.errors.length} are listed\n`);
  if (s.stoppedAtLine !== null)
    out.write(`  reading stopped at line ${s.stoppedAtLine}: fix the file and import it again\n`);
}

/** Exits 2 when the command was used wrongly, 1 when the server could not be reached or refused. */
function fail(message: string, exitCode: 1 | 2 = 2): never {
  process.stderr.write(`guarantor import: ${message}\n`);
  process.exit(exitCode);
}
