/**
 * The monitoring API under /api/v1: reports and their import, incidents and the analyst's actions,
 * publications and compliance, and the ceasefire's geometry.
 */
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorName, readerFor } from '../access/http-auth.ts';
import { type RouteSpec, route } from '../kernel/http/api.ts';
import { Problem } from '../kernel/http/errors.ts';
import { pageQuery } from '../kernel/http/paging.ts';
import type { Store } from '../kernel/store/store.ts';
import { reliableCeasefireRuleSchema } from './compliance.ts';
import { dailyCsv, dailyHtml } from './daily-report-render.ts';
import { type DeviceService, deviceInputSchema, revokeInputSchema } from './devices/device-service.ts';
import { oblastBoundaries } from './geo/oblasts.ts';
import type { GeographyService } from './geography-service.ts';
import { formatFromContentType } from './import/detect.ts';
import { columnMappingSchema } from './import/mapping.ts';
import { importOutcome } from './import/summary.ts';
import type { Incident } from './incident-model.ts';
import type { IncidentService } from './incident-service.ts';
import { mergeInputSchema, splitInputSchema, transitionInputSchema } from './incident-status.ts';
import { compliance, dailyReport, dailySummaries, spotReportFor } from './publication-service.ts';
import { bbox, csvEnum, day, oblastCode, time } from './query-params.ts';
import { getReport, listReports, supersededBy } from './report-repository.ts';
import { EVENT_TYPES, reportInputSchema, SOURCE_KINDS } from './report-schema.ts';
import type { ReportService } from './report-service.ts';
import { spotHtml } from './spot-report-render.ts';
import { INCIDENT_STATUSES } from './types.ts';
import { sectorInputSchema, zoneInputSchema } from './zones.ts';

export interface MonitoringServices {
  store: Store;
  geography: GeographyService;
  incidents: IncidentService;
  reports: ReportService;
  devices: DeviceService;
}

const idParams = z.object({ id: z.uuid('an id is a UUID') });
const anyId = z.object({ id: z.string().min(1).max(200) });
const IMPORT_TYPES = ['application/x-ndjson', 'text/csv', 'application/geo+json'];
/** An import body larger than this is refused; split it into several files. */
export const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

function accepts(req: FastifyRequest, type: string): boolean {
  return (req.headers.accept ?? '').split(',').some((t) => t.trim().split(';')[0] === type);
}

function incidentFeatures(items: Incident[]) {
  return {
    type: 'FeatureCollection',
    features: items.map((i) => ({
      type: 'Feature',
      id: i.id,
      geometry: { type: 'Point', coordinates: [i.lon, i.lat] },
      properties: { ...i, lon: undefined, lat: undefined },
    })),
  };
}

export function monitoringRoutes(s: MonitoringServices): RouteSpec[] {
  const db = s.store.db;
  return [
    route({
      method: 'POST',
      url: '/api/v1/reports',
      operationId: 'submitReport',
      summary: 'Submit one report',
      description:
        'Idempotent on clientInstanceId: the same key with the same body answers 200 with the first result; with another body 409.',
      tags: ['reports'],
      body: reportInputSchema,
      responses: { 201: { description: 'Stored' }, 200: { description: 'Seen before: the first result' } },
      errors: [
        'validation_failed',
        'malformed_json',
        'idempotency_conflict',
        'unprocessable',
        'payload_too_large',
        'unsupported_media_type',
      ],
      async handler({ body, req, reply }) {
        const { created, report } = await s.reports.submit(body, req.body);
        reply.status(created ? 201 : 200).header('location', `/api/v1/reports/${report.id}`);
        return report;
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/reports/import',
      operationId: 'importReports',
      summary: 'Bulk import reports (NDJSON, CSV or GeoJSON)',
      description:
        'Good rows land, bad rows are listed with line and field. `allOrNothing=true` rolls everything back on any error. `mapping` (URL-encoded JSON column mapping) reads a foreign CSV layout.',
      tags: ['reports'],
      streamBody: { contentTypes: IMPORT_TYPES, description: 'The file, by content type' },
      query: z.object({
        allOrNothing: z
          .enum(['true', 'false'])
          .default('false')
          .transform((v) => v === 'true'),
        mapping: z
          .string()
          .max(100_000)
          .transform((m, ctx) => {
            try {
              return JSON.parse(m) as unknown;
            } catch {
              ctx.addIssue({ code: 'custom', message: 'mapping is not JSON' });
              return z.NEVER;
            }
          })
          .pipe(columnMappingSchema)
          .optional(),
      }),
      responses: {
        200: { description: 'Import summary' },
        422: { description: 'Rolled back (all-or-nothing); the problem’s `summary` lists the rows refused' },
      },
      errors: ['validation_failed', 'unsupported_media_type', 'payload_too_large', 'import_rejected'],
      async handler({ query, req }) {
        const format = formatFromContentType(req.headers['content-type'] ?? '');
        if (!format) throw new Problem('unsupported_media_type', `send one of ${IMPORT_TYPES.join(', ')}`);
        if (query.mapping && format !== 'csv') {
          throw new Problem('validation_failed', 'a column mapping reads CSV only', { field: 'mapping' });
        }
        const body = req.body as Readable;
        const summary = await s.reports.importUpload(format, limitBytes(body, MAX_IMPORT_BYTES), {
          ...(query.mapping ? { mapping: query.mapping } : {}),
          allOrNothing: query.allOrNothing,
        });
        if (summary.rolledBack)
          throw new Problem('import_rejected', importOutcome(summary), { extensions: { summary } });
        return summary;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/reports/:id',
      operationId: 'getReport',
      summary: 'One report, with the incident it belongs to',
      tags: ['reports'],
      params: idParams,
      responses: { 200: { description: 'The report' } },
      errors: ['not_found', 'validation_failed'],
      async handler({ params, req }) {
        const reader = readerFor(req);
        const report = await getReport(db, params.id, reader);
        return { ...report, supersededBy: await supersededBy(db, report.id, reader) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/reports',
      operationId: 'listReports',
      summary: 'Reports, newest first',
      tags: ['reports'],
      query: z.object({
        ...pageQuery,
        from: time.optional(),
        to: time.optional(),
        incidentId: z.uuid().optional(),
        type: z.enum(EVENT_TYPES).optional(),
        sourceKind: z.enum(SOURCE_KINDS).optional(),
        participant: z.string().max(20).optional(),
        oblast: oblastCode.optional(),
        sectorId: z.string().max(200).optional(),
        bbox: bbox.optional(),
      }),
      responses: { 200: { description: 'A page of reports' } },
      errors: ['validation_failed', 'invalid_cursor'],
      async handler({ query, req }) {
        return listReports(db, query, readerFor(req));
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/incidents',
      operationId: 'listIncidents',
      summary: 'Incidents, newest first; GeoJSON with Accept: application/geo+json',
      tags: ['incidents'],
      query: z.object({
        ...pageQuery,
        from: time.optional(),
        to: time.optional(),
        bbox: bbox.optional(),
        oblast: oblastCode.optional(),
        sectorId: z.string().max(200).optional(),
        type: z.enum(EVENT_TYPES).optional(),
        status: csvEnum(INCIDENT_STATUSES).optional(),
      }),
      responses: {
        200: {
          description: 'A page of incidents',
          contentTypes: ['application/json', 'application/geo+json'],
        },
      },
      errors: ['validation_failed', 'invalid_cursor'],
      async handler({ query, req, reply }) {
        const page = await s.incidents.list(query, readerFor(req));
        if (accepts(req, 'application/geo+json')) {
          reply.type('application/geo+json');
          return { ...incidentFeatures(page.items), nextCursor: page.nextCursor };
        }
        return page;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/incidents/:id',
      operationId: 'getIncident',
      summary: 'One incident with its reports and history',
      tags: ['incidents'],
      params: idParams,
      responses: { 200: { description: 'The incident' } },
      errors: ['not_found', 'validation_failed'],
      async handler({ params, req }) {
        return s.incidents.get(params.id, readerFor(req));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/incidents/:id/transitions',
      operationId: 'transitionIncident',
      summary:
        'Change an incident’s verification status, with a reason (and assessed attribution when verifying)',
      tags: ['incidents'],
      params: idParams,
      body: transitionInputSchema,
      responses: { 200: { description: 'The incident after the change' } },
      errors: ['not_found', 'validation_failed', 'state_conflict'],
      async handler({ params, body, req }) {
        return s.incidents.transition(params.id, { ...body, actor: actorName(req) }, readerFor(req));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/incidents/:id/split',
      operationId: 'splitIncident',
      summary: 'Move some of an incident’s reports into a new incident',
      tags: ['incidents'],
      params: idParams,
      body: splitInputSchema,
      responses: { 200: { description: 'Both incidents after the split' } },
      errors: ['not_found', 'validation_failed', 'state_conflict', 'unprocessable'],
      async handler({ params, body, req }) {
        return s.incidents.split(params.id, { ...body, actor: actorName(req) }, readerFor(req));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/incidents/:id/merge',
      operationId: 'mergeIncidents',
      summary: 'Merge other incidents into this one',
      tags: ['incidents'],
      params: idParams,
      body: mergeInputSchema,
      responses: { 200: { description: 'The incident after the merge' } },
      errors: ['not_found', 'validation_failed', 'state_conflict', 'unprocessable'],
      async handler({ params, body, req }) {
        return s.incidents.merge(params.id, { ...body, actor: actorName(req) }, readerFor(req));
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/incidents/:id/spot-report',
      operationId: 'getSpotReport',
      summary: 'Spot report for one incident (JSON, or printable HTML with format=html or Accept: text/html)',
      tags: ['publications'],
      params: idParams,
      query: z.object({ format: z.enum(['json', 'html']).optional() }),
      responses: { 200: { description: 'The spot report', contentTypes: ['application/json', 'text/html'] } },
      errors: ['not_found', 'validation_failed'],
      async handler({ params, query, req, reply }) {
        const spot = await spotReportFor(db, params.id, readerFor(req));
        if (query.format === 'html' || (!query.format && accepts(req, 'text/html'))) {
          return reply.type('text/html; charset=utf-8').send(spotHtml(spot));
        }
        return spot;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/daily-reports/:date',
      operationId: 'getDailyReport',
      summary: 'Daily report for one UTC day (JSON, CSV or printable HTML)',
      tags: ['publications'],
      params: z.object({ date: day }),
      query: z.object({ format: z.enum(['json', 'csv', 'html']).optional() }),
      responses: {
        200: { description: 'The daily report', contentTypes: ['application/json', 'text/csv', 'text/html'] },
      },
      errors: ['validation_failed'],
      async handler({ params, query, req, reply }) {
        const report = await dailyReport(db, params.date, readerFor(req));
        const format =
          query.format ?? (accepts(req, 'text/csv') ? 'csv' : accepts(req, 'text/html') ? 'html' : 'json');
        if (format === 'csv') {
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="guarantor-daily-${params.date}.csv"`)
            .send(dailyCsv(report));
        }
        if (format === 'html') return reply.type('text/html; charset=utf-8').send(dailyHtml(report));
        return report;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/daily-summaries',
      operationId: 'listDailySummaries',
      summary:
        'Headline figures per UTC day over a period (default: the last 30 days), as the daily reports count them',
      tags: ['publications'],
      query: z
        .object({ from: day.optional(), to: day.optional() })
        .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from is after to', path: ['from'] }),
      responses: { 200: { description: 'One entry per day' } },
      errors: ['validation_failed'],
      async handler({ query, req }) {
        const to = query.to ?? new Date().toISOString().slice(0, 10);
        const from = query.from ?? addDaysIso(to, -29);
        if (Date.parse(to) - Date.parse(from) > 366 * 86_400_000) {
          throw new Problem('validation_failed', 'ask for at most 366 days at a time', { field: 'from' });
        }
        return { items: await dailySummaries(db, from, to, readerFor(req)), nextCursor: null };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/compliance',
      operationId: 'getCompliance',
      summary: 'Compliance per sector and day, and the reliable-ceasefire determination with its evidence',
      tags: ['publications'],
      query: z
        .object({
          from: day.optional(),
          to: day.optional(),
          consecutiveDays: z.coerce.number().int().min(1).max(365).optional(),
          maxVerifiedPerSectorDay: z.coerce.number().int().min(0).max(10_000).optional(),
          maxWeaponViolationsPerSectorDay: z.coerce.number().int().min(0).max(10_000).optional(),
          countUnverified: z
            .enum(['true', 'false'])
            .transform((v) => v === 'true')
            .optional(),
        })
        .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from is after to', path: ['from'] }),
      responses: { 200: { description: 'Sector-days and the determination' } },
      errors: ['validation_failed'],
      async handler({ query, req }) {
        const { from, to, ...ruleParts } = query;
        const rule = reliableCeasefireRuleSchema.parse(
          Object.fromEntries(Object.entries(ruleParts).filter(([, v]) => v !== undefined)),
        );
        const end = to ?? new Date().toISOString().slice(0, 10);
        const start = from ?? addDaysIso(end, -(rule.consecutiveDays + 15));
        if (Date.parse(end) - Date.parse(start) > 366 * 86_400_000) {
          throw new Problem('validation_failed', 'ask for at most 366 days at a time', { field: 'from' });
        }
        return compliance(db, { from: start, to: end, rule }, readerFor(req));
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/zones',
      operationId: 'listZones',
      summary: 'The ceasefire’s zones (GeoJSON with Accept: application/geo+json)',
      tags: ['geography'],
      responses: {
        200: { description: 'All zones', contentTypes: ['application/json', 'application/geo+json'] },
      },
      errors: [],
      async handler({ req, reply }) {
        const zones = await s.geography.listZones();
        if (accepts(req, 'application/geo+json')) {
          reply.type('application/geo+json');
          return {
            type: 'FeatureCollection',
            features: zones.map(({ geometry, ...properties }) => ({
              type: 'Feature',
              id: properties.id,
              geometry,
              properties,
            })),
          };
        }
        return { items: zones, nextCursor: null, total: zones.length };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/zones',
      operationId: 'createZone',
      summary: 'Add a zone; new reports are assessed against it',
      tags: ['geography'],
      body: zoneInputSchema,
      responses: { 201: { description: 'The zone' } },
      errors: ['validation_failed'],
      async handler({ body, reply }) {
        const zone = await s.geography.saveZone(body);
        reply.status(201).header('location', `/api/v1/zones/${zone.id}`);
        return zone;
      },
    }),
    route({
      method: 'PUT',
      url: '/api/v1/zones/:id',
      operationId: 'updateZone',
      summary: 'Replace a zone',
      tags: ['geography'],
      params: anyId,
      body: zoneInputSchema,
      responses: { 200: { description: 'The zone' } },
      errors: ['validation_failed', 'not_found'],
      async handler({ params, body }) {
        return s.geography.saveZone(body, params.id);
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/zones/:id',
      operationId: 'deleteZone',
      summary: 'Remove a zone',
      tags: ['geography'],
      params: anyId,
      responses: { 204: { description: 'Removed' } },
      errors: ['not_found'],
      async handler({ params, reply }) {
        await s.geography.deleteZone(params.id);
        return reply.status(204).send();
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/sectors',
      operationId: 'listSectors',
      summary: 'Sectors of monitoring responsibility',
      tags: ['geography'],
      responses: {
        200: { description: 'All sectors', contentTypes: ['application/json', 'application/geo+json'] },
      },
      errors: [],
      async handler({ req, reply }) {
        const sectors = await s.geography.listSectors();
        if (accepts(req, 'application/geo+json')) {
          reply.type('application/geo+json');
          return {
            type: 'FeatureCollection',
            features: sectors.map(({ geometry, ...properties }) => ({
              type: 'Feature',
              id: properties.id,
              geometry,
              properties,
            })),
          };
        }
        return { items: sectors, nextCursor: null, total: sectors.length };
      },
    }),
    route({
      method: 'PUT',
      url: '/api/v1/sectors/:id',
      operationId: 'saveSector',
      summary: 'Create or replace a sector',
      tags: ['geography'],
      params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _') }),
      body: sectorInputSchema,
      responses: { 200: { description: 'The sector' } },
      errors: ['validation_failed'],
      async handler({ params, body }) {
        return s.geography.saveSector({ ...body, id: params.id });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/devices',
      operationId: 'listDevices',
      summary: 'Enrolled devices and sensors with their public keys',
      tags: ['devices'],
      responses: { 200: { description: 'All devices, revoked ones included' } },
      errors: [],
      async handler() {
        const items = await s.devices.list();
        return { items, nextCursor: null, total: items.length };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/devices',
      operationId: 'enrolDevice',
      summary: 'Enrol a device with its Ed25519 public key (small-order and non-canonical keys are refused)',
      tags: ['devices'],
      body: deviceInputSchema,
      responses: { 201: { description: 'The device' } },
      errors: ['validation_failed', 'unprocessable', 'state_conflict'],
      async handler({ body, reply }) {
        const device = await s.devices.enrol(body);
        reply.status(201).header('location', `/api/v1/devices/${device.id}`);
        return device;
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/devices/:id/revoke',
      operationId: 'revokeDevice',
      summary: 'Revoke a device: its later signatures no longer verify',
      tags: ['devices'],
      params: idParams,
      body: revokeInputSchema,
      responses: { 200: { description: 'The device' } },
      errors: ['validation_failed', 'not_found', 'state_conflict'],
      async handler({ params, body }) {
        return s.devices.revoke(params.id, body.reason);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/oblasts',
      operationId: 'listOblasts',
      summary: 'Ukraine’s oblasts (ISO 3166-2) as GeoJSON, for offline maps',
      tags: ['geography'],
      responses: { 200: { description: 'FeatureCollection', contentTypes: ['application/geo+json'] } },
      errors: [],
      async handler({ reply }) {
        reply.type('application/geo+json').header('cache-control', 'public, max-age=86400');
        return oblastBoundaries();
      },
    }),
  ];
}

function addDaysIso(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Passes a request body through, failing with 413 once it exceeds `max` bytes. */
async function* limitBytes(body: Readable, max: number): AsyncIterable<Uint8Array> {
  let seen = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    seen += chunk.length;
    if (seen > max)
      throw new Problem('payload_too_large', `an import is at most ${max} bytes; split the file`);
    yield chunk;
  }
}
