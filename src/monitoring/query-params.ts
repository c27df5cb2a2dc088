/** Query-string pieces shared by the monitoring list routes. */
import { z } from 'zod';
import { utc } from './report-model.ts';
import { rfc3339 } from './report-schema.ts';

export const time = rfc3339.transform((t) => utc(t));

export const bbox = z
  .string()
  .transform((s, ctx) => {
    const parts = s.split(',').map(Number);
    const [w, s_, e, n] = parts;
    if (
      parts.length !== 4 ||
      parts.some((p) => !Number.isFinite(p)) ||
      w! < -180 ||
      e! > 180 ||
      s_! < -90 ||
      n! > 90 ||
      w! > e! ||
      s_! > n!
    ) {
      ctx.addIssue({ code: 'custom', message: 'bbox is west,south,east,north in degrees (WGS 84)' });
      return z.NEVER;
    }
    return parts as [number, number, number, number];
  })
  .describe('west,south,east,north (WGS 84 degrees)');

const FIRST_DAY = '1970-01-01';
const LAST_DAY = '9999-12-30';

export const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD')
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'not a calendar day',
  )
  // A day's report reads the day after it too; after 9999-12-30 that day has no four-digit year.
  .refine((d) => d >= FIRST_DAY && d <= LAST_DAY, `a day from ${FIRST_DAY} to ${LAST_DAY}`);

export const oblastCode = z.string().regex(/^UA-\d{2}$/, 'an ISO 3166-2 code such as UA-14');

/** Comma-separated list of enum values (`?status=verified,triaged`). */
export function csvEnum<T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1));
}
