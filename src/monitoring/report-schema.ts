/**
 * The report a client submits: one observation by one source. Shared by the API,
 * the importer, the CLI and the web forms, so a report is judged by one rule everywhere.
 */
import { z } from 'zod';
import { labelSchema } from '../access/labels.ts';

export const SOURCE_KINDS = ['patrol', 'camera', 'uav', 'sensor', 'party', 'other'] as const;
export const TIME_PRECISIONS = ['exact', 'minute', 'hour', 'day', 'approximate'] as const;
export const GEO_PRECISIONS = ['exact', 'near', 'settlement', 'district', 'oblast'] as const;
export const EVENT_TYPES = [
  'explosion',
  'projectile',
  'muzzle_flash',
  'illumination_flare',
  'burst',
  'shot',
  'impact',
  'uav_flight',
  'weapon_sighting',
  'movement_restriction',
] as const;
export const WEAPON_CLASSES = [
  'small_arms',
  'heavy_machine_gun',
  'grenade_launcher',
  'mortar_under_120mm',
  'mortar_120mm',
  'artillery_under_100mm',
  'artillery_100mm_plus',
  'mlrs',
  'tank',
  'anti_tank',
  'air_defence',
  'uav',
  'missile',
  'undetermined',
] as const;
export const MEANS = ['heard', 'seen', 'camera', 'uav', 'acoustic', 'imagery', 'reported'] as const;

export type SourceKind = (typeof SOURCE_KINDS)[number];
export type EventType = (typeof EVENT_TYPES)[number];
export type WeaponClass = (typeof WEAPON_CLASSES)[number];

const participantCode = z
  .string()
  .regex(/^[A-Z]{3}$|^[A-Z][A-Z0-9-]{1,15}$/, 'a state as ISO 3166-1 alpha-3 (UKR) or an organisation code');

/** RFC 3339 with an explicit offset; stored and returned in UTC. */
export const rfc3339 = z.iso.datetime({ offset: true, message: 'an RFC 3339 date-time with offset' });

/** A few minutes of clock skew on a field device is normal; more is a wrong clock. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** A time something already happened at: no later than the server's clock allows for skew. */
export const pastTime = rfc3339.refine(
  (t) => Date.parse(t) <= Date.now() + CLOCK_SKEW_MS,
  'a time in the past (it is ahead of the server’s clock by more than 5 minutes)',
);

const longitude = z.number().finite().min(-180).max(180);
const latitude = z.number().finite().min(-90).max(90);

const estimate = z
  .object({
    low: z.number().int().min(0).max(100_000),
    best: z.number().int().min(0).max(100_000),
    high: z.number().int().min(0).max(100_000),
  })
  .strict()
  .refine((e) => e.low <= e.best && e.best <= e.high, { message: 'low <= best <= high' });

export const casualtiesSchema = z
  .object({
    civilian: estimate.optional(),
    military: estimate.optional(),
    unknown: estimate.optional(),
  })
  .strict();

export const observerSchema = z
  .object({
    lon: longitude,
    lat: latitude,
    accuracyM: z.number().finite().min(0).max(100_000).default(50),
  })
  .strict();

/**
 * The event's place: a point, or a bearing and distance range from the observer,
 * or only a distance range (heard, direction unknown).
 */
export const eventPlaceSchema = z
  .object({
    lon: longitude.optional(),
    lat: latitude.optional(),
    bearingDeg: z.number().finite().min(0).max(360).optional(),
    distanceKm: z
      .tuple([z.number().finite().min(0).max(100), z.number().finite().min(0).max(100)])
      .refine(([a, b]) => a <= b, { message: 'distanceKm is [min, max] with min <= max' })
      .optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const hasPoint = e.lon !== undefined || e.lat !== undefined;
    if (hasPoint && (e.lon === undefined || e.lat === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'a point needs both lon and lat',
        path: [e.lon === undefined ? 'lon' : 'lat'],
      });
    }
    if (!hasPoint && e.distanceKm === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'give the event as a point (lon, lat) or relative to the observer (bearingDeg, distanceKm)',
        path: ['distanceKm'],
      });
    }
    if (e.bearingDeg !== undefined && e.distanceKm === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a bearing needs a distance range', path: ['distanceKm'] });
    }
  });

/**
 * Text with no NUL: PostgreSQL cannot store one in a text column, and no observer means one; refusing
 * it here gives both databases the same answer (a 400 naming the field).
 */
const plainText = z.string().refine((s) => !s.includes('\u0000'), 'text may not contain the NUL character');

export const reportInputSchema = z
  .object({
    clientInstanceId: plainText.min(1).max(200),
    source: z
      .object({
        kind: z.enum(SOURCE_KINDS),
        id: plainText.min(1).max(200),
        participant: participantCode,
      })
      .strict(),
    observedFrom: rfc3339,
    observedTo: rfc3339,
    timePrecision: z.enum(TIME_PRECISIONS).default('minute'),
    observer: observerSchema,
    event: eventPlaceSchema,
    geoPrecision: z.enum(GEO_PRECISIONS).default('near'),
    type: z.enum(EVENT_TYPES),
    weaponClass: z.enum(WEAPON_CLASSES).default('undetermined'),
    count: z.number().int().min(1).max(100_000).default(1),
    countApproximate: z.boolean().default(false),
    means: z.enum(MEANS),
    claimedAttribution: plainText.min(1).max(200).optional(),
    casualties: casualtiesSchema.optional(),
    notes: plainText.max(10_000).optional(),
    lang: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as en or uk')
      .optional(),
    supersedes: z.uuid().optional(),
    /** Who may read this report (see access/labels.ts); RESTRICTED REL TO COALITION when left out. */
    label: labelSchema.optional(),
    /**
     * The source device's Ed25519 signature over the canonical JSON (RFC 8785) of this report as
     * sent, without the `signature` member; verified against the key enrolled for the source.
     */
    signature: z
      .object({
        value: z
          .base64('the signature in base64')
          .refine((v) => v.length === 88, 'an Ed25519 signature is 64 bytes'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const from = Date.parse(r.observedFrom);
    const to = Date.parse(r.observedTo);
    if (to < from)
      ctx.addIssue({ code: 'custom', message: 'observedTo is before observedFrom', path: ['observedTo'] });
    const latest = Date.now() + CLOCK_SKEW_MS;
    if (from > latest)
      ctx.addIssue({ code: 'custom', message: 'observedFrom is in the future', path: ['observedFrom'] });
    if (to > latest)
      ctx.addIssue({ code: 'custom', message: 'observedTo is in the future', path: ['observedTo'] });
    if (to - from > 7 * 86_400_000) {
      ctx.addIssue({ code: 'custom', message: 'an observation spans at most 7 days', path: ['observedTo'] });
    }
  });

export type ReportInput = z.infer<typeof reportInputSchema>;
