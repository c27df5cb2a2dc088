/**
 * Zones and sectors: the ceasefire's geometry, stored as data and editable. Reports are assessed
 * against the geometry in force when they arrive, and keep that assessment as part of their record.
 */
import type { z } from 'zod';
import { Problem } from '../kernel/http/errors.ts';
import { uuid7 } from '../kernel/ids/uuid7.ts';
import { appendLeaves } from '../kernel/ledger/append.ts';
import type { SectorTable, ZoneTable } from '../kernel/store/schema.ts';
import type { Store, Tx } from '../kernel/store/store.ts';
import { type Geography, prepareGeography } from './enrich.ts';
import type { Sector, Zone } from './types.ts';
import type { sectorInputSchema, zoneInputSchema } from './zones.ts';

export type ZoneInput = z.output<typeof zoneInputSchema>;
export type SectorInput = z.output<typeof sectorInputSchema> & { id?: string };

export function zoneFromRow(r: ZoneTable): Zone & { createdAt: string; updatedAt: string } {
  return {
    id: r.id,
    kind: r.kind as Zone['kind'],
    name: r.name,
    weaponClasses: JSON.parse(r.weapon_classes),
    distanceKm: r.distance_km,
    geometry: JSON.parse(r.geometry),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function sectorFromRow(r: SectorTable): Sector {
  return { id: r.id, name: r.name, geometry: JSON.parse(r.geometry) };
}

export class GeographyService {
  private cached: Geography | undefined;

  constructor(private readonly store: Store) {}

  /** The prepared geometry used to assess new reports; rebuilt after any edit made through this service. */
  async current(): Promise<Geography> {
    if (!this.cached) {
      const [zones, sectors] = await Promise.all([this.listZones(), this.listSectors()]);
      this.cached = prepareGeography(zones, sectors);
    }
    return this.cached;
  }

  async listZones(): Promise<Zone[]> {
    const rows = await this.store.db.selectFrom('zones').selectAll().orderBy('id').execute();
    return rows.map(zoneFromRow);
  }

  async getZone(id: string): Promise<Zone> {
    const row = await this.store.db.selectFrom('zones').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new Problem('not_found', `no zone ${id}`);
    return zoneFromRow(row);
  }

  async listSectors(): Promise<Sector[]> {
    const rows = await this.store.db.selectFrom('sectors').selectAll().orderBy('id').execute();
    return rows.map(sectorFromRow);
  }

  async saveZone(input: ZoneInput, id?: string): Promise<Zone> {
    const now = new Date().toISOString();
    const zone = await this.store.transaction(async (trx) => {
      if (id) {
        const existing = await trx
          .selectFrom('zones')
          .select('created_at')
          .where('id', '=', id)
          .executeTakeFirst();
        if (!existing) throw new Problem('not_found', `no zone ${id}`);
        await trx
          .updateTable('zones')
          .set(zoneRow(input, id, existing.created_at, now))
          .where('id', '=', id)
          .execute();
      } else {
        id = uuid7();
        await trx
          .insertInto('zones')
          .values(zoneRow(input, id, now, now))
          .execute();
      }
      const saved = zoneFromRow(
        (await trx.selectFrom('zones').selectAll().where('id', '=', id).executeTakeFirst())!,
      );
      await appendLeaves(trx, [{ kind: 'zone', recordId: saved.id, content: saved, at: now }]);
      return saved;
    });
    this.cached = undefined;
    return zone;
  }

  async deleteZone(id: string): Promise<void> {
    await this.store.transaction(async (trx) => {
      const res = await trx.deleteFrom('zones').where('id', '=', id).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw new Problem('not_found', `no zone ${id}`);
      const at = new Date().toISOString();
      await appendLeaves(trx, [{ kind: 'zone.deleted', recordId: id, content: { id, deleted: true }, at }]);
    });
    this.cached = undefined;
  }

  async saveSector(input: SectorInput): Promise<Sector> {
    const now = new Date().toISOString();
    const sector = await this.store.transaction((trx) => saveSectorIn(trx, input, now));
    this.cached = undefined;
    return sector;
  }
}

export async function saveSectorIn(trx: Tx, input: SectorInput, now: string): Promise<Sector> {
  const id = input.id ?? uuid7();
  const row = { id, name: input.name, geometry: JSON.stringify(input.geometry), created_at: now };
  const existing = await trx.selectFrom('sectors').select('id').where('id', '=', id).executeTakeFirst();
  if (existing)
    await trx
      .updateTable('sectors')
      .set({ name: row.name, geometry: row.geometry })
      .where('id', '=', id)
      .execute();
  else await trx.insertInto('sectors').values(row).execute();
  const sector = { id, name: input.name, geometry: input.geometry };
  await appendLeaves(trx, [{ kind: 'sector', recordId: id, content: sector, at: now }]);
  return sector;
}

export function zoneRow(input: ZoneInput, id: string, createdAt: string, updatedAt: string): ZoneTable {
  return {
    id,
    kind: input.kind,
    name: input.name,
    weapon_classes: JSON.stringify(input.weaponClasses ?? []),
    distance_km: input.distanceKm ?? null,
    geometry: JSON.stringify(input.geometry),
    created_at: createdAt,
    updated_at: updatedAt,
  };
}
