/**
 * The evidence API: upload to a report, list a report's evidence, read one item's record and custody
 * log, fetch the original (a custody event), fetch a derived copy or the thumbnail, export (a custody
 * event), and report custody events that happened outside Guarantor (collection in the field, copies
 * handed on).
 */
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type RouteSpec, route } from '../../kernel/http/api.ts';
import { pageQuery } from '../../kernel/http/paging.ts';
import { custodyInputSchema, type EvidenceService } from './evidence-service.ts';
import { type EvidenceMediaType, EXTENSION_OF } from './media-type.ts';
import { THUMBNAIL_LONG_EDGE, THUMBNAIL_MEDIA_TYPE } from './thumbnail.ts';

export interface EvidenceRouteOptions {
  /**
   * Who is acting, for the custody log. Until sign-in exists this is the `X-Guarantor-Actor` header
   * (or `anonymous`); the access layer replaces it with the signed-in account.
   */
  actorOf?: (req: FastifyRequest) => string;
  /**
   * Throws not_found when the caller may not read the report (by its label): evidence is released
   * exactly as far as the report it supports. Absent only in tests of these routes alone.
   */
  reportReadable?: (req: FastifyRequest, reportId: string) => Promise<void>;
}

const idParams = z.object({ id: z.uuid('an id is a UUID') });
const derivedParams = z.object({ id: z.uuid('an id is a UUID'), derivedId: z.uuid('an id is a UUID') });

export function headerActor(req: FastifyRequest): string {
  const raw = req.headers['x-guarantor-actor'];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  return /^[\x20-\x7e]{1,200}$/.test(value) ? value : 'anonymous';
}

/** RFC 6266: an ASCII fallback name, and the real one percent-encoded for clients that read it. */
function attachment(fallback: string, name: string | null): string {
  const encoded = name
    ? `; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, percentEncode)}`
    : '';
  return `attachment; filename="${fallback}"${encoded}`;
}

function percentEncode(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
}

function reprDigest(sha256: string): string {
  return `sha-256=:${Buffer.from(sha256, 'hex').toString('base64')}:`;
}

export function evidenceRoutes(s: EvidenceService, options: EvidenceRouteOptions = {}): RouteSpec[] {
  const actorOf = options.actorOf ?? headerActor;
  const reportReadable = options.reportReadable ?? (async () => {});
  // One row is enough to know the item's report; the full detail is built only where it is answered.
  const itemReadable = async (req: FastifyRequest, id: string) => {
    await reportReadable(req, (await s.item(id)).reportId);
  };
  return [
    route({
      method: 'POST',
      url: '/api/v1/reports/:id/evidence',
      operationId: 'uploadEvidence',
      summary: 'Attach an evidence file to a report',
      description: `multipart/form-data with one part \`file\` (at most ${s.maxBytes} bytes) and optional fields \`collectedBy\`, \`collectedAt\` (RFC 3339) and \`note\`, which record who collected it in the field. The type is taken from the content (JPEG, PNG, WebP, HEIC, MP4/MOV, WAV, MP3, PDF, CSV, JSON); a file name or declared type that says otherwise is refused with 415. The same bytes sent to the same report again answer 200 with the first item.`,
      tags: ['evidence'],
      params: idParams,
      streamBody: { contentTypes: ['multipart/form-data'], description: 'The file and its fields' },
      responses: {
        201: { description: 'Stored, with its custody log and ledger leaves' },
        200: { description: 'These bytes were already attached to this report' },
      },
      errors: ['validation_failed', 'not_found', 'payload_too_large', 'unsupported_media_type'],
      async handler({ params, req, reply }) {
        await reportReadable(req, params.id);
        const { created, item } = await s.upload(params.id, req.body as Readable, req.headers, actorOf(req));
        reply.status(created ? 201 : 200).header('location', `/api/v1/evidence/${item.id}`);
        return item;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/reports/:id/evidence',
      operationId: 'listReportEvidence',
      summary: "A report's evidence items, oldest first",
      tags: ['evidence'],
      params: idParams,
      query: z.object(pageQuery),
      responses: { 200: { description: '{ items, nextCursor, total }' } },
      errors: ['validation_failed', 'not_found', 'invalid_cursor'],
      async handler({ params, query, req }) {
        await reportReadable(req, params.id);
        return s.list(params.id, query);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/evidence/:id',
      operationId: 'getEvidence',
      summary:
        'One evidence item: hash, type, capture metadata, content credentials, custody log, ledger leaves',
      tags: ['evidence'],
      params: idParams,
      responses: { 200: { description: 'The item' } },
      errors: ['validation_failed', 'not_found'],
      async handler({ params, req }) {
        const detail = await s.get(params.id);
        await reportReadable(req, detail.reportId);
        return detail;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/evidence/:id/content',
      operationId: 'getEvidenceContent',
      summary: 'The original file, byte for byte (recorded as a `viewed` custody event)',
      tags: ['evidence'],
      params: idParams,
      responses: { 200: { description: 'The original', contentTypes: ['application/octet-stream'] } },
      errors: ['validation_failed', 'not_found', 'evidence_damaged'],
      async handler({ params, req, reply }) {
        await itemReadable(req, params.id);
        const { item, body } = await s.openOriginal(params.id, actorOf(req), req.method !== 'HEAD');
        const ext = EXTENSION_OF[item.mediaType as EvidenceMediaType] ?? 'bin';
        reply
          .type(item.mediaType)
          .header('content-length', item.size)
          .header(
            'content-disposition',
            attachment(`evidence-${item.sha256.slice(0, 16)}.${ext}`, item.originalName),
          )
          .header('x-content-type-options', 'nosniff')
          .header('repr-digest', reprDigest(item.sha256))
          .header('etag', `"sha256-${item.sha256}"`)
          .header('cache-control', 'private, no-store');
        return body;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/evidence/:id/derived/:derivedId',
      operationId: 'getEvidenceDerived',
      summary: 'A derived copy (thumbnail) of an evidence item',
      tags: ['evidence'],
      params: derivedParams,
      responses: { 200: { description: 'The copy', contentTypes: ['image/jpeg'] } },
      errors: ['validation_failed', 'not_found', 'evidence_damaged'],
      async handler({ params, req, reply }) {
        await itemReadable(req, params.id);
        const { copy, body } = await s.openDerived(params.id, params.derivedId);
        reply
          .type(copy.mediaType)
          .header('content-length', copy.size)
          .header('x-content-type-options', 'nosniff')
          .header('repr-digest', reprDigest(copy.sha256))
          .header('cache-control', 'private, no-store');
        return body;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/evidence/:id/thumbnail',
      operationId: 'getEvidenceThumbnail',
      summary: `A thumbnail of image evidence (JPEG, at most ${THUMBNAIL_LONG_EDGE} px on its longest edge)`,
      description:
        "Rendered by Guarantor from the stored original, which it never changes; how it was made is in the item's `derived` list, and the item's `thumbnail` says whether there is one. Not a custody event. Without a thumbnail the 404 carries a `reason`: `not_an_image` (video, audio, documents, sensor files), `failed` (an image that could not be drawn; `detail` gives why) or `not_made`.",
      tags: ['evidence'],
      params: idParams,
      responses: { 200: { description: 'The thumbnail', contentTypes: [THUMBNAIL_MEDIA_TYPE] } },
      errors: ['validation_failed', 'not_found', 'evidence_damaged'],
      async handler({ params, req, reply }) {
        await itemReadable(req, params.id);
        const { copy, body } = await s.openThumbnail(params.id);
        reply
          .type(copy.mediaType)
          .header('content-length', copy.size)
          .header('x-content-type-options', 'nosniff')
          .header('repr-digest', reprDigest(copy.sha256))
          .header('etag', `"sha256-${copy.sha256}"`)
          .header('cache-control', 'private, no-store');
        return body;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/evidence/:id/export',
      operationId: 'exportEvidence',
      summary:
        'A tar of the original, its derived copies, a manifest with hashes, custody log and ledger leaves',
      description:
        'Recorded as an `exported` custody event before the archive is sent, so the manifest inside already lists it. Check with `tar -xf` then `sha256sum -c SHA256SUMS`.',
      tags: ['evidence'],
      params: idParams,
      responses: { 200: { description: 'The archive', contentTypes: ['application/x-tar'] } },
      errors: ['validation_failed', 'not_found', 'evidence_damaged'],
      async handler({ params, req, reply }) {
        await itemReadable(req, params.id);
        const { fileName, body } = await s.export(params.id, actorOf(req));
        reply
          .type('application/x-tar')
          .header('content-disposition', attachment(fileName, null))
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-store');
        return body;
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/evidence/:id/custody',
      operationId: 'recordEvidenceCustody',
      summary: 'Record a custody event that happened outside Guarantor (collected, copied)',
      tags: ['evidence'],
      params: idParams,
      body: custodyInputSchema,
      responses: { 201: { description: 'The recorded event' } },
      errors: ['validation_failed', 'malformed_json', 'not_found'],
      async handler({ params, body, req, reply }) {
        await itemReadable(req, params.id);
        const details: Record<string, unknown> = {};
        if (body.note) details.note = body.note;
        if (body.recipient) details.recipient = body.recipient;
        const event = await s.recordCustody(
          params.id,
          body.event,
          actorOf(req),
          Object.keys(details).length ? details : null,
          body.at,
        );
        reply.status(201);
        return event;
      },
    }),
  ];
}
