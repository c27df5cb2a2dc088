/**
 * Report intake for the API and the CLI: single submissions with idempotency, and bulk imports that
 * validate each row with the shared schema, land the good rows and account for every bad one.
 */
import { type ErrorCode, Problem } from '../kernel/http/errors.ts';
import type { Store, Tx } from '../kernel/store/store.ts';
import type { Geography } from './enrich.ts';
import type { GeographyService } from './geography-service.ts';
import type { ImportFormat } from './import/detect.ts';
import type { ImportOptions } from './import/parse.ts';
import { type PreparedBatch, prepareSlices } from './import/prepare.ts';
import { prepareUpload } from './import/prepared-upload.ts';
import type { ImportItem } from './import/rows.ts';
import type { ImportChunk } from './import/stream.ts';
import { type ImportSummary, MAX_LISTED_ERRORS } from './import/summary.ts';
import { ALLOW_UNSIGNED, ingestReports, landReports, type SignaturePolicy } from './ingest.ts';
import { type Report, reportFromRow } from './report-model.ts';
import type { RowRejection } from './report-preparation.ts';
import type { ReportInput } from './report-schema.ts';

/** Row refusals a single submission answers with their own code; the rest are 422 unprocessable. */
const PASSED_THROUGH = new Set<string>(['idempotency_conflict', 'invalid_signature', 'signature_required']);

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

  /** Imports parsed rows batch by batch, prepared on this thread; `allOrNothing` runs everything in one transaction. */
  async import(
    batches: AsyncIterable<ImportItem[]>,
    options: { allOrNothing: boolean },
  ): Promise<ImportSummary> {
    const geography = await this.geography.current();
    async function* prepared(): AsyncGenerator<PreparedBatch> {
      for await (const batch of batches) yield* prepareSlices(batch, geography);
    }
    return this.land(prepared(), geography, options);
  }

  /**
   * Imports an upload (NDJSON, CSV or GeoJSON) as it streams in; a large one is parsed and prepared
   * on a worker thread while this one lands what is ready.
   */
  async importUpload(
    format: ImportFormat,
    chunks: AsyncIterable<ImportChunk> | Iterable<ImportChunk>,
    options: ImportOptions & { allOrNothing: boolean; pieceChars?: number },
  ): Promise<ImportSummary> {
    const { allOrNothing, ...upload } = options;
    const geography = await this.geography.current();
    return this.land(prepareUpload(format, chunks, { ...upload, geography }), geography, { allOrNothing });
  }

  private async land(
    batches: AsyncIterable<PreparedBatch>,
    geography: Geography,
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
    const reject = (r: RowRejection) => {
      summary.rejected++;
      if (summary.errors.length < MAX_LISTED_ERRORS) summary.errors.push(r);
      else summary.errorsTruncated = true;
    };
    const count = (batch: PreparedBatch) => {
      for (const r of batch.rejected) reject(r);
      if (batch.stoppedAtLine !== null) summary.stoppedAtLine = batch.stoppedAtLine;
    };
    const landBatch = async (trx: Tx, batch: PreparedBatch) => {
      count(batch);
      if (batch.reports.length === 0) return;
      const outcome = await landReports(trx, batch.reports, geography, this.policy);
      summary.accepted += outcome.created.length;
      summary.duplicates += outcome.duplicates.length;
      for (const r of outcome.rejected) reject(r);
    };

    if (options.allOrNothing) {
      try {
        await this.store.transaction(async (trx) => {
          for await (const batch of batches) await landBatch(trx, batch);
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

    for await (const batch of batches) {
      if (batch.reports.length === 0) count(batch);
      else await this.store.transaction((trx) => landBatch(trx, batch));
    }
    return summary;
  }
}
