/**
 * Incidents: listing and reading, and the analyst's actions — status transitions with assessed
 * attribution, split and merge. Each action is one transaction with its history entry and ledger leaf.
 */
import type { Kysely } from 'kysely';
import { readableBy } from '../access/label-filter.ts';
import type { Reader } from '../access/labels.ts';
import { Problem } from '../kernel/http/errors.ts';
import { decodeCursor, type Page, pageOf } from '../kernel/http/paging.ts';
import { uuid7 } from '../kernel/ids/uuid7.ts';
import { appendLeaves } from '../kernel/ledger/append.ts';
import type { Database, IncidentTable } from '../kernel/store/schema.ts';
import type { Store, Tx } from '../kernel/store/store.ts';
import type { GeographyService } from './geography-service.ts';
import {
  bumpRevision,
  historyFromRow,
  historyOf,
  type Incident,
  type IncidentHistoryEntry,
  incidentFromRow,
} from './incident-model.ts';
import { refreshIncidents } from './incident-refresh.ts';
import { canTransition, type TransitionInput } from './incident-status.ts';
import { byFirstObserved, type IncidentQuery, overlapping } from './overlapping-incidents.ts';
import { type Report, reportFromRow } from './report-model.ts';
import type { IncidentStatus } from './types.ts';

export interface IncidentFilter {
  from?: string;
  to?: string;
  bbox?: [number, number, number, number];
  oblast?: string;
  sectorId?: string;
  type?: string;
  status?: IncidentStatus[];
  limit: number;
  cursor?: string;
}

export interface IncidentDetail extends Incident {
  reports: Report[];
  history: IncidentHistoryEntry[];
}

export async function listIncidents(
  db: Kysely<Database>,
  f: IncidentFilter,
  reader: Reader,
): Promise<Page<Incident>> {
  const filtered = (q: IncidentQuery) => {
    if (f.oblast) q = q.where('oblast', '=', f.oblast);
    if (f.sectorId) q = q.where('sector_id', '=', f.sectorId);
    if (f.type) {
      const type = f.type;
      // types is a JSON array of names; a quoted match cannot hit a different name.
      q = q.where('types', 'like', `%"${type}"%`);
    }
    if (f.status?.length) q = q.where('status', 'in', f.status);
    if (f.bbox) {
      const [w, s, e, n] = f.bbox;
      q = q.where('lon', '>=', w).where('lon', '<=', e).where('lat', '>=', s).where('lat', '<=', n);
    }
    if (f.cursor) {
      const [first, id] = decodeCursor(f.cursor, 2) as [string, string];
      q = q.where((eb) =>
        eb.or([
          eb('first_observed', '<', first),
          eb.and([eb('first_observed', '=', first), eb('id', '<', id)]),
        ]),
      );
    }
    return q
      .selectAll()
      .orderBy('first_observed', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1);
  };
  let rows: IncidentTable[];
  if (f.from) {
    // Walking first_observed back from the end would not stop at the start (an incident seen first
    // before it can still overlap it): `overlapping` bounds the walk, in two pages merged here.
    rows = (await overlapping(db, f.from, f.to, filtered, reader))
      .sort((a, b) => byFirstObserved(b, a))
      .slice(0, f.limit + 1);
  } else {
    let q = db.selectFrom('incidents').where('merged_into', 'is', null).where(readableBy(reader));
    if (f.to) q = q.where('first_observed', '<', f.to);
    rows = await filtered(q).execute();
  }
  return pageOf(rows, f.limit, incidentFromRow, (i) => [i.firstObserved, i.id]);
}

/** The incident if the reader may see it; an unreadable one is answered exactly like a missing one. */
async function mustGetRow(db: Kysely<Database> | Tx, id: string, reader: Reader): Promise<IncidentTable> {
  const row = await db
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', id)
    .where(readableBy(reader))
    .executeTakeFirst();
  if (!row) throw new Problem('not_found', `no incident ${id}`);
  return row;
}

export async function getIncident(db: Kysely<Database>, id: string, reader: Reader): Promise<IncidentDetail> {
  const row = await mustGetRow(db, id, reader);
  const [reports, history] = await Promise.all([
    db
      .selectFrom('reports')
      .selectAll()
      .where('incident_id', '=', id)
      .orderBy('observed_from')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('incident_events')
      .selectAll()
      .where('incident_id', '=', id)
      .orderBy('at')
      .orderBy('id')
      .execute(),
  ]);
  return {
    ...incidentFromRow(row),
    reports: reports.map(reportFromRow),
    history: historyOf(row, history),
  };
}

export class IncidentService {
  constructor(
    private readonly store: Store,
    private readonly geography: GeographyService,
  ) {}

  list(f: IncidentFilter, reader: Reader) {
    return listIncidents(this.store.db, f, reader);
  }

  get(id: string, reader: Reader) {
    return getIncident(this.store.db, id, reader);
  }

  /** `actor` is who made the change, as the caller authenticated them. */
  async transition(
    id: string,
    t: TransitionInput & { actor: string },
    reader: Reader,
  ): Promise<IncidentDetail> {
    const now = new Date().toISOString();
    await this.store.transaction(async (trx) => {
      const row = await mustGetRow(trx, id, reader);
      if (row.merged_into)
        throw new Problem('state_conflict', `incident ${id} was merged into ${row.merged_into}`);
      const from = row.status as IncidentStatus;
      if (!canTransition(from, t.to)) {
        throw new Problem('state_conflict', `an incident that is ${from} cannot become ${t.to}`, {
          field: 'to',
        });
      }
      if (t.duplicateOf !== undefined) {
        if (t.to !== 'duplicate')
          throw new Problem('validation_failed', 'duplicateOf goes with to: duplicate', {
            field: 'duplicateOf',
          });
        if (t.duplicateOf === id)
          throw new Problem('validation_failed', 'an incident cannot duplicate itself', {
            field: 'duplicateOf',
          });
        await mustGetRow(trx, t.duplicateOf, reader);
      }
      const attribution = t.to === 'verified' ? t.attribution : undefined;
      await trx
        .updateTable('incidents')
        .set({
          status: t.to,
          updated_at: now,
          revision: bumpRevision,
          ...(attribution
            ? {
                attribution_party: attribution.party,
                attribution_confidence: attribution.confidence,
                attribution_basis: JSON.stringify(attribution.basis),
                attribution_notes: attribution.notes ?? null,
              }
            : {}),
        })
        .where('id', '=', id)
        .execute();
      const details = {
        ...(attribution ? { attribution } : {}),
        ...(t.duplicateOf ? { duplicateOf: t.duplicateOf } : {}),
      };
      const entry = {
        id: uuid7(),
        incident_id: id,
        at: now,
        actor: t.actor,
        action: 'transition',
        from_status: from,
        to_status: t.to,
        reason: t.reason,
        details: Object.keys(details).length ? JSON.stringify(details) : null,
      };
      await trx.insertInto('incident_events').values(entry).execute();
      await appendLeaves(trx, [
        { kind: 'incident.transition', recordId: id, content: historyFromRow(entry), at: now },
      ]);
    });
    return this.get(id, reader);
  }

  /** Moves the named reports into a new incident; both halves are locked against automatic re-merging. */
  async split(
    id: string,
    input: { reportIds: string[]; reason: string; actor: string },
    reader: Reader,
  ): Promise<{ from: IncidentDetail; to: IncidentDetail }> {
    const now = new Date().toISOString();
    const geography = await this.geography.current();
    const newId = uuid7();
    await this.store.transaction(async (trx) => {
      const row = await mustGetRow(trx, id, reader);
      if (row.merged_into)
        throw new Problem('state_conflict', `incident ${id} was merged into ${row.merged_into}`);
      const members = await trx.selectFrom('reports').select('id').where('incident_id', '=', id).execute();
      const memberIds = new Set(members.map((m) => m.id));
      const moving = [...new Set(input.reportIds)];
      const stranger = moving.find((r) => !memberIds.has(r));
      if (stranger)
        throw new Problem('unprocessable', `report ${stranger} is not part of incident ${id}`, {
          field: 'reportIds',
        });
      if (moving.length >= memberIds.size) {
        throw new Problem('unprocessable', 'a split must leave at least one report in the incident', {
          field: 'reportIds',
        });
      }
      await trx
        .insertInto('incidents')
        .values({
          ...row,
          id: newId,
          status: 'received',
          locked: 1,
          created_at: now,
          updated_at: now,
          revision: 0,
          attribution_party: null,
          attribution_confidence: null,
          attribution_basis: null,
          attribution_notes: null,
        })
        .execute();
      for (let i = 0; i < moving.length; i += 400) {
        await trx
          .updateTable('reports')
          .set({
            incident_id: newId,
            link_score: 1,
            link_reason: `split from ${id} by ${input.actor}: ${input.reason}`,
          })
          .where('id', 'in', moving.slice(i, i + 400))
          .execute();
      }
      await trx
        .updateTable('incidents')
        .set({ locked: 1, updated_at: now, revision: bumpRevision })
        .where('id', '=', id)
        .execute();
      await refreshIncidents(trx, [id, newId], now, geography);
      const details = { from: id, to: newId, reportIds: moving.sort() };
      const entries = [id, newId].map((incident) => ({
        id: uuid7(),
        incident_id: incident,
        at: now,
        actor: input.actor,
        action: 'split',
        from_status: null,
        to_status: null,
        reason: input.reason,
        details: JSON.stringify(details),
      }));
      await trx.insertInto('incident_events').values(entries).execute();
      await appendLeaves(trx, [
        {
          kind: 'incident.split',
          recordId: id,
          content: { ...details, actor: input.actor, reason: input.reason },
          at: now,
        },
      ]);
    });
    return { from: await this.get(id, reader), to: await this.get(newId, reader) };
  }

  /** Absorbs the named incidents into this one. */
  async merge(
    id: string,
    input: { incidentIds: string[]; reason: string; actor: string },
    reader: Reader,
  ): Promise<IncidentDetail> {
    const now = new Date().toISOString();
    const geography = await this.geography.current();
    const others = [...new Set(input.incidentIds)].filter((o) => o !== id);
    if (others.length === 0)
      throw new Problem('unprocessable', 'name at least one other incident to merge', {
        field: 'incidentIds',
      });
    await this.store.transaction(async (trx) => {
      const row = await mustGetRow(trx, id, reader);
      if (row.merged_into)
        throw new Problem('state_conflict', `incident ${id} was merged into ${row.merged_into}`);
      for (const other of others) {
        const o = await mustGetRow(trx, other, reader);
        if (o.merged_into)
          throw new Problem('state_conflict', `incident ${other} was already merged into ${o.merged_into}`, {
            field: 'incidentIds',
          });
      }
      await trx.updateTable('reports').set({ incident_id: id }).where('incident_id', 'in', others).execute();
      await trx
        .updateTable('incidents')
        .set({ merged_into: id, updated_at: now, revision: bumpRevision })
        .where('id', 'in', others)
        .execute();
      await trx
        .updateTable('incidents')
        .set({ locked: 1, updated_at: now, revision: bumpRevision })
        .where('id', '=', id)
        .execute();
      await refreshIncidents(trx, [id], now, geography);
      const details = { into: id, absorbed: others.sort() };
      await trx
        .insertInto('incident_events')
        .values(
          [id, ...others].map((incident) => ({
            id: uuid7(),
            incident_id: incident,
            at: now,
            actor: input.actor,
            action: 'merged',
            from_status: null,
            to_status: null,
            reason: input.reason,
            details: JSON.stringify(details),
          })),
        )
        .execute();
      await appendLeaves(trx, [
        {
          kind: 'incident.merged',
          recordId: id,
          content: { ...details, actor: input.actor, reason: input.reason },
          at: now,
        },
      ]);
    });
    return this.get(id, reader);
  }
}
