/**
 * Evidence and its chain of custody. An upload is streamed to disk while hashed, typed from its
 * bytes, read for capture metadata and C2PA content credentials, and kept under its SHA-256; the
 * item, its custody events and any derived copy are recorded in one transaction with their ledger
 * leaves. Reading the original and exporting it are custody events too, recorded before any byte
 * leaves the server, and only after the stored file has been checked against its recorded hash.
 */

import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { Problem } from '../../kernel/http/errors.ts';
import { decodeCursor, type Page, pageOf } from '../../kernel/http/paging.ts';
import { uuid7 } from '../../kernel/ids/uuid7.ts';
import { appendLeaves } from '../../kernel/ledger/append.ts';
import type { LedgerEntry } from '../../kernel/ledger/leaf.ts';
import type { Store, Tx } from '../../kernel/store/store.ts';
import { utc } from '../report-model.ts';
import { pastTime } from '../report-schema.ts';
import { extractMetadata } from './capture-metadata.ts';
import { checkContentCredentials, loadTrustAnchors, type TrustAnchors } from './content-credentials.ts';
import { EvidenceFiles } from './evidence-files.ts';
import {
  type CustodyEvent,
  type CustodyEventKind,
  custodyFromRow,
  custodyLeafContent,
  custodyToRow,
  type DerivationFailure,
  type DerivedCopy,
  derivedFromRow,
  derivedLeafContent,
  derivedToRow,
  type EvidenceItem,
  failureFromRow,
  failureLeafContent,
  failureToRow,
  itemFromRow,
  itemLeafContent,
  itemToRow,
  LEAF_KINDS,
} from './evidence-model.ts';
import { evidenceDb } from './evidence-schema.ts';
import { buildExport } from './export.ts';
import {
  claimMismatch,
  classifyText,
  type EvidenceMediaType,
  sniffHead,
  withoutControlCharacters,
} from './media-type.ts';
import { receiveUpload } from './multipart.ts';
import { canRender, isImageType, makeThumbnail, THUMBNAIL_METHOD } from './thumbnail.ts';

export const DEFAULT_MAX_EVIDENCE_BYTES = 200 * 1024 * 1024;
/** Sizes are stored in 32-bit integer columns. */
const MAX_CONFIGURABLE_BYTES = 2 ** 31 - 1;
/** Room for the multipart framing and the text fields around the file. */
const MULTIPART_OVERHEAD = 1024 * 1024;

export interface EvidenceOptions {
  /** Where originals and derived copies are kept: `<data dir>/evidence`. */
  dir: string;
  /** Largest accepted file, in bytes; default 200 MiB. */
  maxBytes?: number;
  /**
   * A PEM file of C2PA trust anchors (`GUARANTOR_C2PA_TRUST_ANCHORS`); read once here, so a bad file
   * stops the server at start. Without it every valid signer is shown as untrusted.
   */
  c2paTrustAnchors?: string;
}

export interface LedgerRef {
  idx: number;
  kind: string;
  recordId: string;
  leafHash: string;
}

/**
 * Whether the item has a thumbnail to show, and if not, why: `not_an_image` (video, audio, documents,
 * sensor files), `failed` (an image the renderer could not draw; `detail` has its reason), `not_made`
 * (an image type it does not draw, or an item stored before thumbnails were rendered).
 */
export type ThumbnailStatus =
  | { available: true; url: string; derivedId: string; sha256: string; width?: number; height?: number }
  | { available: false; reason: 'not_an_image' | 'failed' | 'not_made'; detail: string };

export interface EvidenceDetail extends EvidenceItem {
  custody: CustodyEvent[];
  derived: DerivedCopy[];
  /** Copies that could not be made, with the reason. */
  derivationFailures: DerivationFailure[];
  thumbnail: ThumbnailStatus;
  /** The ledger leaves of the item, its custody events, its derived copies and failed derivations. */
  ledger: LedgerRef[];
}

const actorSchema = z.string().trim().min(1).max(200);

/** The text fields an upload may carry besides the file: who collected it in the field, and when. */
export const uploadFieldsSchema = z.object({
  collectedBy: actorSchema.optional(),
  collectedAt: pastTime.transform((t) => utc(t)).optional(),
  note: z.string().max(2000).optional(),
});

export const custodyInputSchema = z.object({
  /** Events that happen outside Guarantor and are reported to it; the others it records itself. */
  event: z.enum(['collected', 'copied']),
  at: pastTime.transform((t) => utc(t)).optional(),
  note: z.string().max(2000).optional(),
  /** To whom or where a copy went. */
  recipient: z.string().trim().min(1).max(200).optional(),
});

export class EvidenceService {
  readonly files: EvidenceFiles;
  readonly maxBytes: number;
  readonly trustAnchors: TrustAnchors | undefined;

  constructor(
    private readonly store: Store,
    options: EvidenceOptions,
  ) {
    this.files = new EvidenceFiles(options.dir);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_EVIDENCE_BYTES;
    this.trustAnchors = options.c2paTrustAnchors ? loadTrustAnchors(options.c2paTrustAnchors) : undefined;
    if (!Number.isSafeInteger(this.maxBytes) || this.maxBytes < 1 || this.maxBytes > MAX_CONFIGURABLE_BYTES) {
      throw new Error(`evidence size limit must be 1 to ${MAX_CONFIGURABLE_BYTES} bytes`);
    }
  }

  /** Receives one upload for a report. Uploading the same bytes to the same report again returns the first item. */
  async upload(
    reportId: string,
    body: Readable,
    headers: IncomingHttpHeaders,
    actor: string,
  ): Promise<{ created: boolean; item: EvidenceDetail }> {
    const report = await this.store.db
      .selectFrom('reports')
      .select('id')
      .where('id', '=', reportId)
      .executeTakeFirst();
    if (!report) throw new Problem('not_found', `no report ${reportId}`);
    const declaredLength = Number(headers['content-length']);
    if (Number.isFinite(declaredLength) && declaredLength > this.maxBytes + MULTIPART_OVERHEAD) {
      throw new Problem('payload_too_large', `an evidence file is at most ${this.maxBytes} bytes`);
    }

    const upload = await receiveUpload(body, headers, this.files, {
      maxBytes: this.maxBytes,
      checkHead: (head, claims) => {
        const verdict = sniffHead(head);
        if (verdict.kind === 'unknown') throw unsupported('the content is not a type accepted as evidence');
        if (verdict.kind === 'binary') {
          const mismatch = claimMismatch(verdict.mediaType, claims);
          if (mismatch) throw unsupported(mismatch);
        }
      },
    });
    const { file } = upload;
    try {
      const fields = uploadFieldsSchema.safeParse(upload.fields);
      if (!fields.success) {
        const issue = fields.error.issues[0];
        throw new Problem('validation_failed', issue?.message ?? 'bad field', {
          field: String(issue?.path[0] ?? ''),
        });
      }
      const bytes = await readFile(file.tmpPath);
      const mediaType = this.mediaTypeOf(bytes, file.head, file.isText);
      const mismatch = claimMismatch(mediaType, {
        declaredType: upload.declaredType,
        fileName: upload.fileName,
      });
      if (mismatch) throw unsupported(mismatch);
      // A retried upload needs none of the work below; the check inside the transaction still decides.
      const earlier = await this.existingItem(this.store.db, reportId, file.sha256);
      if (earlier) return { created: false, item: await this.detail(this.store.db, earlier) };

      const extracted = extractMetadata(bytes, mediaType);
      const c2pa = await checkContentCredentials(bytes, mediaType, this.trustAnchors);
      const rendered = await makeThumbnail(bytes, mediaType);
      await this.files.keep(file.tmpPath, file.sha256);
      const thumbnailSha = extracted.thumbnail ? await this.files.keepBytes(extracted.thumbnail) : undefined;
      const renderedSha = rendered?.made ? await this.files.keepBytes(rendered.thumbnail.bytes) : undefined;

      return await this.store.transaction(async (trx) => {
        const existing = await this.existingItem(trx, reportId, file.sha256);
        if (existing) return { created: false, item: await this.detail(trx, existing) };

        const at = new Date().toISOString();
        const item: EvidenceItem = {
          id: uuid7(),
          reportId,
          sha256: file.sha256,
          size: file.size,
          mediaType,
          originalName: sanitiseName(upload.fileName),
          capture: extracted.capture,
          c2pa,
          createdAt: at,
          uploadedBy: actor,
        };
        await trx.insertInto('evidence_items').values(itemToRow(item)).execute();
        const leaves: LedgerEntry[] = [
          { kind: LEAF_KINDS.item, recordId: item.id, content: itemLeafContent(item), at },
        ];
        const { collectedBy, collectedAt, note } = fields.data;
        if (collectedBy || collectedAt) {
          leaves.push(
            await this.insertCustody(trx, item, 'collected', collectedBy ?? actor, collectedAt ?? at, {
              ...(note ? { note } : {}),
              reportedBy: actor,
            }),
          );
        }
        leaves.push(
          await this.insertCustody(trx, item, 'received', actor, at, {
            sha256: item.sha256,
            size: item.size,
            mediaType,
            ...(upload.declaredType ? { declaredType: upload.declaredType } : {}),
            ...(item.originalName ? { originalName: item.originalName } : {}),
          }),
        );
        if (extracted.thumbnail && thumbnailSha) {
          const copy: DerivedCopy = {
            id: uuid7(),
            evidenceId: item.id,
            purpose: 'thumbnail',
            method: 'exif-embedded',
            sha256: thumbnailSha,
            size: extracted.thumbnail.length,
            mediaType: 'image/jpeg',
            createdAt: at,
          };
          leaves.push(...(await this.insertDerived(trx, item, copy)));
        }
        if (rendered?.made && renderedSha) {
          const t = rendered.thumbnail;
          const copy: DerivedCopy = {
            id: uuid7(),
            evidenceId: item.id,
            purpose: 'thumbnail',
            method: t.method,
            sha256: renderedSha,
            size: t.bytes.length,
            mediaType: t.mediaType,
            createdAt: at,
            width: t.width,
            height: t.height,
            params: { ...t.params },
          };
          leaves.push(...(await this.insertDerived(trx, item, copy)));
        } else if (rendered && !rendered.made) {
          const failure: DerivationFailure = {
            id: uuid7(),
            evidenceId: item.id,
            purpose: 'thumbnail',
            method: THUMBNAIL_METHOD,
            reason: rendered.reason,
            createdAt: at,
          };
          await evidenceDb(trx)
            .insertInto('evidence_derivation_failures')
            .values(failureToRow(failure))
            .execute();
          leaves.push({
            kind: LEAF_KINDS.notDerived,
            recordId: failure.id,
            content: failureLeafContent(failure, item.sha256),
            at,
          });
        }
        await appendLeaves(trx, leaves);
        return { created: true, item: await this.detail(trx, item.id) };
      });
    } finally {
      // Kept files were moved already; this removes the temporary file only when something failed.
      await this.files.discard(file.tmpPath);
    }
  }

  private async existingItem(db: Store['db'] | Tx, reportId: string, sha256: string) {
    const row = await db
      .selectFrom('evidence_items')
      .select('id')
      .where('report_id', '=', reportId)
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row?.id;
  }

  /** A derived copy's row, its leaf, and the `derived` custody event of the item it came from. */
  private async insertDerived(trx: Tx, item: EvidenceItem, copy: DerivedCopy): Promise<LedgerEntry[]> {
    await evidenceDb(trx).insertInto('evidence_derived').values(derivedToRow(copy)).execute();
    return [
      {
        kind: LEAF_KINDS.derived,
        recordId: copy.id,
        content: derivedLeafContent(copy, item.sha256),
        at: copy.createdAt,
      },
      await this.insertCustody(trx, item, 'derived', 'guarantor', copy.createdAt, {
        derivedId: copy.id,
        purpose: copy.purpose,
        method: copy.method,
        sourceSha256: item.sha256,
        sha256: copy.sha256,
      }),
    ];
  }

  private mediaTypeOf(bytes: Uint8Array, head: Uint8Array, isText: boolean): EvidenceMediaType {
    const verdict = sniffHead(head);
    if (verdict.kind === 'binary') return verdict.mediaType;
    const type = isText ? classifyText(new TextDecoder().decode(bytes)) : undefined;
    if (!type) throw unsupported('the text is neither CSV nor JSON, or it is not plain UTF-8 text');
    return type;
  }

  private async insertCustody(
    trx: Tx,
    item: EvidenceItem,
    event: CustodyEventKind,
    actor: string,
    at: string,
    details: Record<string, unknown> | null,
  ): Promise<LedgerEntry> {
    const e: CustodyEvent = { id: uuid7(), evidenceId: item.id, event, actor, at, details };
    await trx.insertInto('evidence_custody').values(custodyToRow(e)).execute();
    return {
      kind: LEAF_KINDS.custody,
      recordId: e.id,
      content: custodyLeafContent(e, item.sha256),
      at: e.at,
    };
  }

  /** Records a custody event in its own transaction, with its leaf. */
  async recordCustody(
    id: string,
    event: CustodyEventKind,
    actor: string,
    details: Record<string, unknown> | null,
    at = new Date().toISOString(),
  ): Promise<CustodyEvent> {
    return this.store.transaction(async (trx) => {
      const item = await getItem(trx, id);
      const leaf = await this.insertCustody(trx, item, event, actor, at, details);
      await appendLeaves(trx, [leaf]);
      return custodyFromRow(
        await trx
          .selectFrom('evidence_custody')
          .selectAll()
          .where('id', '=', leaf.recordId)
          .executeTakeFirstOrThrow(),
      );
    });
  }

  async get(id: string): Promise<EvidenceDetail> {
    return this.detail(this.store.db, id);
  }

  /** The item alone, without its custody log, copies and leaves. */
  async item(id: string): Promise<EvidenceItem> {
    return getItem(this.store.db, id);
  }

  async list(reportId: string, page: { limit: number; cursor?: string }): Promise<Page<EvidenceItem>> {
    const db = this.store.db;
    const report = await db.selectFrom('reports').select('id').where('id', '=', reportId).executeTakeFirst();
    if (!report) throw new Problem('not_found', `no report ${reportId}`);
    let q = db.selectFrom('evidence_items').selectAll().where('report_id', '=', reportId);
    if (page.cursor) q = q.where('id', '>', String(decodeCursor(page.cursor, 1)[0]));
    const rows = await q
      .orderBy('id')
      .limit(page.limit + 1)
      .execute();
    const total = await db
      .selectFrom('evidence_items')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    return { ...pageOf(rows, page.limit, itemFromRow, (i) => [i.id]), total: Number(total.n) };
  }

  /**
   * The original, for reading: checked against its hash, then a `viewed` event recorded, then
   * streamed. `record: false` serves a HEAD request, which shows no content and so is no viewing.
   */
  async openOriginal(
    id: string,
    actor: string,
    record = true,
  ): Promise<{ item: EvidenceItem; body: Readable }> {
    const item = await getItem(this.store.db, id);
    await this.assertIntact(item.sha256);
    if (record) await this.recordCustody(id, 'viewed', actor, { sha256: item.sha256 });
    return { item, body: this.files.stream(item.sha256) };
  }

  /**
   * A derived copy (thumbnail). Not a custody event of the original: the copy's own derivation is
   * recorded, and a list of thumbnails would otherwise bury real viewings of the evidence.
   */
  async openDerived(id: string, derivedId: string): Promise<{ copy: DerivedCopy; body: Readable }> {
    const row = await evidenceDb(this.store.db)
      .selectFrom('evidence_derived')
      .selectAll()
      .where('id', '=', derivedId)
      .where('evidence_id', '=', id)
      .executeTakeFirst();
    if (!row) throw new Problem('not_found', `no derived copy ${derivedId} of evidence ${id}`);
    const copy = derivedFromRow(row);
    await this.assertIntact(copy.sha256);
    return { copy, body: this.files.stream(copy.sha256) };
  }

  /**
   * The thumbnail rendered here from the original (never the device's embedded one, which may show
   * the picture as it was before an edit). Like any derived copy, serving it is no custody event.
   * Without one, a 404 whose `reason` says why (see {@link ThumbnailStatus}).
   */
  async openThumbnail(id: string): Promise<{ copy: DerivedCopy; body: Readable }> {
    const [item, derived, failures] = await Promise.all([
      this.item(id),
      this.derivedOf(this.store.db, id),
      this.failuresOf(this.store.db, id),
    ]);
    const status = thumbnailStatus(item, derived, failures);
    if (!status.available) {
      throw new Problem('not_found', `evidence ${id} has no thumbnail: ${status.detail}`, {
        extensions: { reason: status.reason },
      });
    }
    return this.openDerived(id, status.derivedId);
  }

  /**
   * A tar of the original, its derived copies, a manifest (hashes, custody log including this
   * export, ledger leaves) and a SHA256SUMS file. The `exported` event is recorded first, so the
   * log the recipient gets already shows that they got it.
   */
  async export(id: string, actor: string): Promise<{ item: EvidenceItem; fileName: string; body: Readable }> {
    const item = await getItem(this.store.db, id);
    await this.assertIntact(item.sha256);
    const derived = await evidenceDb(this.store.db)
      .selectFrom('evidence_derived')
      .select('sha256')
      .where('evidence_id', '=', id)
      .orderBy('id')
      .execute();
    for (const d of derived) await this.assertIntact(d.sha256);
    await this.recordCustody(id, 'exported', actor, { format: 'tar', sha256: item.sha256 });
    const detail = await this.get(id);
    const body = Readable.from(buildExport(detail, actor, this.files));
    return { item, fileName: `evidence-${item.id}.tar`, body };
  }

  private async assertIntact(sha256: string): Promise<void> {
    if (!(await this.files.intact(sha256))) {
      throw new Problem(
        'evidence_damaged',
        `the stored file ${sha256} is missing or no longer matches its hash`,
      );
    }
  }

  private async derivedOf(db: Store['db'] | Tx, id: string): Promise<DerivedCopy[]> {
    const rows = await evidenceDb(db)
      .selectFrom('evidence_derived')
      .selectAll()
      .where('evidence_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map(derivedFromRow);
  }

  private async failuresOf(db: Store['db'] | Tx, id: string) {
    const rows = await evidenceDb(db)
      .selectFrom('evidence_derivation_failures')
      .selectAll()
      .where('evidence_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map(failureFromRow);
  }

  private async detail(db: Store['db'] | Tx, id: string): Promise<EvidenceDetail> {
    const item = await getItem(db, id);
    const custody = await db
      .selectFrom('evidence_custody')
      .selectAll()
      .where('evidence_id', '=', id)
      .orderBy('id')
      .execute();
    const derived = await this.derivedOf(db, id);
    const failures = await this.failuresOf(db, id);
    const ids = [id, ...custody.map((c) => c.id), ...derived.map((d) => d.id), ...failures.map((f) => f.id)];
    const leaves = await db
      .selectFrom('ledger_leaves')
      .select(['idx', 'kind', 'record_id', 'leaf_hash'])
      .where('kind', 'in', Object.values(LEAF_KINDS))
      .where('record_id', 'in', ids)
      .orderBy('idx')
      .execute();
    return {
      ...item,
      custody: custody.map(custodyFromRow),
      derived,
      derivationFailures: failures,
      thumbnail: thumbnailStatus(item, derived, failures),
      ledger: leaves.map((l) => ({
        idx: Number(l.idx),
        kind: l.kind,
        recordId: l.record_id,
        leafHash: l.leaf_hash,
      })),
    };
  }
}

function thumbnailStatus(
  item: EvidenceItem,
  derived: DerivedCopy[],
  failures: DerivationFailure[],
): ThumbnailStatus {
  const copy = derived.filter((d) => d.purpose === 'thumbnail' && d.method === THUMBNAIL_METHOD).at(-1);
  if (copy) {
    return {
      available: true,
      url: `/api/v1/evidence/${item.id}/thumbnail`,
      derivedId: copy.id,
      sha256: copy.sha256,
      ...(copy.width === undefined ? {} : { width: copy.width }),
      ...(copy.height === undefined ? {} : { height: copy.height }),
    };
  }
  if (!isImageType(item.mediaType)) {
    return { available: false, reason: 'not_an_image', detail: `${item.mediaType} is not an image` };
  }
  const failed = failures.filter((f) => f.purpose === 'thumbnail').at(-1);
  if (failed) return { available: false, reason: 'failed', detail: failed.reason };
  return {
    available: false,
    reason: 'not_made',
    detail: canRender(item.mediaType)
      ? 'it was stored before thumbnails were rendered'
      : `no thumbnail is rendered of ${item.mediaType}`,
  };
}

async function getItem(db: Store['db'] | Tx, id: string): Promise<EvidenceItem> {
  const row = await db.selectFrom('evidence_items').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new Problem('not_found', `no evidence ${id}`);
  return itemFromRow(row);
}

function unsupported(detail: string): Problem {
  return new Problem(
    'unsupported_media_type',
    `${detail}; accepted: JPEG, PNG, WebP, HEIC, MP4/MOV, WAV, MP3, PDF, CSV, JSON`,
    {
      field: 'file',
    },
  );
}

/** The sender's file name, kept for the record only: no path, no control characters, bounded. */
function sanitiseName(name: string | undefined): string | null {
  if (!name) return null;
  const base = withoutControlCharacters(name.split(/[\\/]/).pop() ?? '').trim();
  return base === '' ? null : base.slice(0, 255);
}

export function evidenceDir(dataDir: string): string {
  return join(dataDir, 'evidence');
}
