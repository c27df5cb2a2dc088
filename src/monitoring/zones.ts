/**
 * Zones the ceasefire defines and sectors of monitoring responsibility: the schemas clients send them in,
 * and the pure rules that place an estimated event against them (distance to the contact line, buffer
 * zone, withdrawal-line violations, sector).
 */
import { z } from 'zod';
import type { PolygonalGeometry } from './geo/geodesy.ts';
import { IndexedLines, IndexedPolygon } from './geo/indexed.ts';
import { type EventType, WEAPON_CLASSES, type WeaponClass } from './report-schema.ts';
import {
  type Sector,
  type WithdrawalViolation,
  ZONE_KINDS,
  type Zone,
  type ZoneAssessment,
  type ZoneKind,
} from './types.ts';

// ---------------------------------------------------------------------------------------------------------
// Schemas

/** Kinds drawn as lines; every other kind is an area. */
export const LINE_ZONE_KINDS: readonly ZoneKind[] = ['contact_line', 'withdrawal_line'];
/** Areas a place can be inside of (reported in `ZoneAssessment.zoneIds`). */
export const POLYGON_ZONE_KINDS: readonly ZoneKind[] = ['buffer_zone', 'holding_area', 'storage_site'];

/** Bounds the work one geometry can cause; a contact line digitised every 100 m along 1,500 km fits. */
export const MAX_POSITIONS = 50_000;
/** Withdrawal distances in the Minsk package went up to 140 km (MLRS); leave room above that. */
export const MAX_WITHDRAWAL_KM = 500;

const longitude = z.number().finite().min(-180).max(180);
const latitude = z.number().finite().min(-90).max(90);

/** RFC 7946 position: [lon, lat] with an optional altitude, which the rules ignore. */
const position = z
  .tuple([longitude, latitude], z.number().finite())
  .refine((p) => p.length <= 3, { message: 'a position is [lon, lat] or [lon, lat, altitude]' });

const line = z.array(position).min(2, { message: 'a line needs at least 2 positions' });

const ring = z
  .array(position)
  .min(4, { message: 'a polygon ring needs at least 4 positions' })
  .refine((r) => samePosition(r[0]!, r[r.length - 1]!), {
    message: 'a polygon ring is closed: its last position repeats its first',
  });

const polygonRings = z.array(ring).min(1, { message: 'a polygon needs an outer ring' });

function samePosition(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const lineStringSchema = z.object({ type: z.literal('LineString'), coordinates: line });
const multiLineStringSchema = z.object({
  type: z.literal('MultiLineString'),
  coordinates: z.array(line).min(1, { message: 'at least one line' }),
});
const polygonSchema = z.object({ type: z.literal('Polygon'), coordinates: polygonRings });
const multiPolygonSchema = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(polygonRings).min(1, { message: 'at least one polygon' }),
});

function countPositions(g: { type: string; coordinates: unknown }): number {
  let n = 0;
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number') n++;
    else for (const x of c) walk(x);
  };
  walk(g.coordinates);
  return n;
}

const notTooLarge = {
  message: `a geometry has at most ${MAX_POSITIONS} positions`,
  path: ['coordinates'],
};

/** A GeoJSON (RFC 7946) line or area geometry; unknown members such as `bbox` are dropped. */
export const zoneGeometrySchema = z
  .discriminatedUnion('type', [lineStringSchema, multiLineStringSchema, polygonSchema, multiPolygonSchema])
  .refine((g) => countPositions(g) <= MAX_POSITIONS, notTooLarge);

/** A GeoJSON Polygon or MultiPolygon. */
export const polygonalGeometrySchema = z
  .discriminatedUnion('type', [polygonSchema, multiPolygonSchema])
  .refine((g) => countPositions(g) <= MAX_POSITIONS, notTooLarge);

const name = z.string().trim().min(1).max(200);

/** A zone as a client sends it (the server gives it its id). */
export const zoneInputSchema = z
  .object({
    kind: z.enum(ZONE_KINDS),
    name,
    /** The weapon classes a withdrawal line keeps back, or a holding area or storage site holds. */
    weaponClasses: z.array(z.enum(WEAPON_CLASSES)).max(WEAPON_CLASSES.length).default([]),
    /** Withdrawal lines only: how far from the contact line the listed classes must stay, km. */
    distanceKm: z.number().finite().nullable().default(null),
    geometry: zoneGeometrySchema,
  })
  .strict()
  .superRefine((zone, ctx) => {
    const lineKind = LINE_ZONE_KINDS.includes(zone.kind);
    const lineGeometry = zone.geometry.type === 'LineString' || zone.geometry.type === 'MultiLineString';
    if (lineKind !== lineGeometry) {
      ctx.addIssue({
        code: 'custom',
        message: lineKind
          ? `a ${zone.kind} is a LineString or MultiLineString`
          : `a ${zone.kind} is a Polygon or MultiPolygon`,
        path: ['geometry', 'type'],
      });
    }
    if (new Set(zone.weaponClasses).size !== zone.weaponClasses.length) {
      ctx.addIssue({ code: 'custom', message: 'a weapon class is listed twice', path: ['weaponClasses'] });
    }
    if (zone.kind === 'withdrawal_line') {
      if (zone.distanceKm === null || zone.distanceKm <= 0 || zone.distanceKm > MAX_WITHDRAWAL_KM) {
        ctx.addIssue({
          code: 'custom',
          message: `a withdrawal line needs distanceKm, more than 0 and at most ${MAX_WITHDRAWAL_KM}`,
          path: ['distanceKm'],
        });
      }
      if (zone.weaponClasses.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: 'a withdrawal line lists the weapon classes it applies to',
          path: ['weaponClasses'],
        });
      }
    } else if (zone.distanceKm !== null) {
      ctx.addIssue({
        code: 'custom',
        message: 'only a withdrawal line has distanceKm',
        path: ['distanceKm'],
      });
    }
  });

export type ZoneInput = z.infer<typeof zoneInputSchema>;

/** A sector as a client sends it. */
export const sectorInputSchema = z.object({ name, geometry: polygonalGeometrySchema }).strict();

export type SectorInput = z.infer<typeof sectorInputSchema>;

// ---------------------------------------------------------------------------------------------------------
// Rules

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function linesOf(geometry: Zone['geometry']): number[][][] {
  switch (geometry.type) {
    case 'LineString':
      return [geometry.coordinates];
    case 'MultiLineString':
      return geometry.coordinates;
    // A contact line stored as an area still has a boundary to measure to.
    case 'Polygon':
      return geometry.coordinates;
    case 'MultiPolygon':
      return geometry.coordinates.flat();
  }
}

function isPolygonal(g: Zone['geometry']): g is PolygonalGeometry {
  return g.type === 'Polygon' || g.type === 'MultiPolygon';
}

/**
 * Zones indexed for many assessments: every report of a day is assessed against the same zones. Build
 * once with `prepareZones` and rebuild when the zones change.
 */
export class PreparedZones {
  /** All contact lines together; null when none is defined. */
  readonly contactLines: IndexedLines | null;
  /** Area zones in id order. */
  readonly areas: readonly { zone: Zone; index: IndexedPolygon }[];
  /** Withdrawal lines in id order. */
  readonly withdrawalLines: readonly Zone[];

  constructor(zones: readonly Zone[]) {
    const sorted = [...zones].sort(byId);
    const lines = sorted.filter((z) => z.kind === 'contact_line').flatMap((z) => linesOf(z.geometry));
    const contactLines = new IndexedLines(lines);
    this.contactLines = contactLines.empty ? null : contactLines;
    this.areas = sorted.flatMap((zone) =>
      POLYGON_ZONE_KINDS.includes(zone.kind) && isPolygonal(zone.geometry)
        ? [{ zone, index: new IndexedPolygon(zone.geometry) }]
        : [],
    );
    this.withdrawalLines = sorted.filter((z) => z.kind === 'withdrawal_line' && z.distanceKm !== null);
  }
}

export function prepareZones(zones: readonly Zone[]): PreparedZones {
  return new PreparedZones(zones);
}

/**
 * What the zones say about one estimated place.
 *
 * A withdrawal violation is only assessed for weapon sightings (a weapon seen in place; a shot or an
 * explosion says where a round landed, not where the weapon stood) and only when a contact line is
 * defined. It applies on either side of the line, since both sides withdraw. When several withdrawal lines
 * are broken, the one with the largest shortfall is reported (ties: the lowest zone id).
 */
export function assessZones(
  place: { lon: number; lat: number },
  weaponClass: WeaponClass,
  type: EventType,
  zones: readonly Zone[] | PreparedZones,
): ZoneAssessment {
  const prepared = zones instanceof PreparedZones ? zones : new PreparedZones(zones);
  const { lon, lat } = place;
  const contactLineKm = prepared.contactLines ? prepared.contactLines.distanceM(lon, lat) / 1000 : null;

  let inBufferZone = false;
  const zoneIds: string[] = [];
  for (const { zone, index } of prepared.areas) {
    if (!index.contains(lon, lat)) continue;
    zoneIds.push(zone.id);
    if (zone.kind === 'buffer_zone') inBufferZone = true;
  }

  let withdrawalViolation: WithdrawalViolation | null = null;
  if (type === 'weapon_sighting' && contactLineKm !== null) {
    for (const zone of prepared.withdrawalLines) {
      const requiredKm = zone.distanceKm!;
      if (!zone.weaponClasses.includes(weaponClass) || requiredKm <= contactLineKm) continue;
      if (withdrawalViolation && requiredKm <= withdrawalViolation.requiredKm) continue;
      withdrawalViolation = {
        zoneId: zone.id,
        zoneName: zone.name,
        weaponClass,
        requiredKm,
        actualKm: contactLineKm,
      };
    }
  }
  return { contactLineKm, inBufferZone, zoneIds, withdrawalViolation };
}

/** Sectors indexed for many lookups, in id order. */
export class PreparedSectors {
  readonly sectors: readonly { sector: Sector; index: IndexedPolygon }[];

  constructor(sectors: readonly Sector[]) {
    this.sectors = [...sectors]
      .sort(byId)
      .map((sector) => ({ sector, index: new IndexedPolygon(sector.geometry) }));
  }
}

export function prepareSectors(sectors: readonly Sector[]): PreparedSectors {
  return new PreparedSectors(sectors);
}

/**
 * The id of the sector responsible for a place: the first, in id order, whose area contains it, so that
 * overlapping sectors give the same answer everywhere; null outside every sector.
 */
export function sectorAt(
  lon: number,
  lat: number,
  sectors: readonly Sector[] | PreparedSectors,
): string | null {
  const prepared = sectors instanceof PreparedSectors ? sectors : new PreparedSectors(sectors);
  for (const { sector, index } of prepared.sectors) {
    if (index.contains(lon, lat)) return sector.id;
  }
  return null;
}
