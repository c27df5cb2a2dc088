/**
 * Report intake for the API and the CLI: single submissions with idempotency, and bulk imports that
 * validate each row with the shared schema, land the good rows and account for every bad one.
 */
import { type ErrorCode, Problem } from '../kernel/http/errors.ts';
import { fieldErrors } from '../kernel/http/validate.ts';
import type { Store } from '../kernel/store/store.ts';
import type { GeographyService } from './geography-service.ts';
import type { ImportItem } from './import/rows.ts';
import {
  ALLOW_UNSIGNED,
  type IngestItem,
  ingestReports,
  type RowRejection,
  type SignaturePolicy,
} from './ingest.ts';
import { type Report, reportFromRow } from './report-model.ts';
import { type ReportInput, reportInputSchema } from './report-schema.ts';

export interface ImportSummary {
  accepted: number;
  rejected: number;
  duplicates: number;
  /** Every rejected row with its line and field; at most `MAX_LISTED_ERRORS` are listed. */
  errors: RowRejection[];
  errorsTruncated: boolean;
  /** With all-or-nothing, any rejection rolls the whole import back. */
  rolledBack: boolean;
  /** The input could not be read past this point (for example a CSV with a broken quote). */
  stoppedAtLine: number | null;
}

export const MAX_LISTED_ERRORS = 1000;
/** Row refusals a single submission answers with their own code; the rest are 422 unprocessable. */
const PASSED_THROUGH = new Set<string>(['idempotency_conflict', 'invalid_signature', 'signature_required']);
/** Rows per transaction when an import is not all-or-nothing: large enough to be fast, small enough to lose little. */
const BATCH_ROWS = 2000;

class RollBack extends Error {}

export class ReportService {
  constructor(
    private readonly store: Store,
    private readonly geography: GeographyService,
    private readonly policy: SignaturePolicy = ALLOW_UNSIGNED,
  ) {}

  /** One report: `created` false means the same key and body were seen before and this is the first result. */
  async submit(input: ReportInput, raw?: unknown): Promise<{ created: boolean; report: Report }> {
    const geography = await this.geography.current();
    const outcome = await this.store.transaction((trx) =>
      ingestReports(trx, [{ line: 1, input, raw }], geography, undefined, this.policy),
    );
    const rejected = outcome.rejected[0];
    if (rejected) {
      const code = PASSED_THROUGH.has(rejected.code) ? (rejected.code as ErrorCode) : 'unprocessable';
      throw new Problem(code, rejected.message, rejected.field ? { field: rejected.field } : {});
    }
    const created = outcome.created[0];
    if (created) return { created: true, report: reportFromRow(created.row) };
    return { created: false, report: outcome.duplicates[0]!.report };
  }

  /** Imports parsed rows batch by batch; `allOrNothing` runs everything in one transaction. */
  async import(
    batches: AsyncIterable<ImportItem[]>,
    options: { allOrNothing: boolean },
  ): Promise<ImportSummary> {
    const summary: ImportSummary = {
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      errors: [],
      errorsTruncated: false,
      rolledBack: false,
      stoppedAtLine: null,
    };
    const geography = await this.geography.current();
    const reject = (r: RowRejection) => {
      summary.rejected++;
      if (summary.errors.length < MAX_LISTED_ERRORS) summary.errors.push(r);
      else summary.errorsTruncated = true;
    };
    const validate = (batch: ImportItem[]): IngestItem[] => {
      const good: IngestItem[] = [];
      for (const item of batch) {
        if ('error' in item) {
          reject({
            line: item.line,
            code: item.error.code,
            message: item.error.message,
            ...(item.error.field ? { field: item.error.field } : {}),
          });
          if (item.error.fatal) summary.stoppedAtLine = item.line;
          continue;
        }
        const parsed = reportInputSchema.safeParse(item.value);
        if (parsed.success) good.push({ line: item.line, input: parsed.data, raw: item.value });
        else
          for (const e of fieldErrors(parsed.error))
            reject({ line: item.line, field: e.field, code: 'validation_failed', message: e.message });
      }
      return good;
    };
    const land = (outcome: Awaited<ReturnType<typeof ingestReports>>) => {
      summary.accepted += outcome.created.length;
      summary.duplicates += outcome.duplicates.length;
      for (const r of outcome.rejected) reject(r);
    };

    if (options.allOrNothing) {
      try {
        await this.store.transaction(async (trx) => {
          for await (const batch of rebatch(batches)) {
            const outcome = await ingestReports(trx, validate(batch), geography, undefined, this.policy);
            land(outcome);
          }
          if (summary.rejected > 0) throw new RollBack();
        });
      } catch (e) {
        if (!(e instanceof RollBack)) throw e;
        summary.rolledBack = true;
        summary.accepted = 0;
        summary.duplicates = 0;
      }
      return summary;
    }

    for await (const batch of rebatch(batches)) {
      const items = validate(batch);
      if (items.length === 0) continue;
      land(
        await this.store.transaction((trx) => ingestReports(trx, items, geography, undefined, this.policy)),
      );
    }
    return summary;
  }
}

/** Regroups the parser's batches into transaction-sized ones. */
async function* rebatch(batches: AsyncIterable<ImportItem[]>): AsyncIterable<ImportItem[]> {
  let pending: ImportItem[] = [];
  for await (const batch of batches) {
    for (const item of batch) pending.push(item);
    if (pending.length >= BATCH_ROWS) {
      yield pending;
      pending = [];
    }
  }
  if (pending.length) yield pending;
}
