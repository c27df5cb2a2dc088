import type { Kysely } from 'kysely';
import { cellOf } from '../../../monitoring/geo/cells.ts';

/**
 * Each incident's grid cell (monitoring/geo/cells.ts), indexed with its span class and times, so
 * correlation reads the incidents near a new report rather than every incident of the day. The last
 * observation rides along so incidents that ended before the window are passed over in the index
 * without reading their rows. Existing incidents get theirs from their stored centre, in batches, in this migration's
 * transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('incidents')
    .addColumn('cell', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await fillIncidentCells(db);
  await db.schema
    .createIndex('incidents_cell')
    .on('incidents')
    .columns(['cell', 'long_span', 'first_observed', 'last_observed'])
    .execute();
}

/** Sets every incident's cell from its stored centre, 2,000 at a time in id order. */
export async function fillIncidentCells(db: Kysely<unknown>): Promise<void> {
  const incidents = db as unknown as Kysely<{
    incidents: { id: string; lon: number; lat: number; cell: number };
  }>;
  let after = '';
  for (;;) {
    const rows = await incidents
      .selectFrom('incidents')
      .select(['id', 'lon', 'lat'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(2000)
      .execute();
    if (rows.length === 0) break;
    // One statement per cell rather than per incident: a batch along the line touches a few dozen.
    const byCell = new Map<number, string[]>();
    for (const r of rows) {
      const cell = cellOf(r.lon, r.lat);
      const ids = byCell.get(cell);
      if (ids) ids.push(r.id);
      else byCell.set(cell, [r.id]);
    }
    for (const [cell, ids] of byCell) {
      await incidents.updateTable('incidents').set({ cell }).where('id', 'in', ids).execute();
    }
    after = rows.at(-1)!.id;
  }
}
