/**
 * How `guarantor audit` rebuilds, from today's rows, the content each monitoring leaf committed to.
 * This is the one place in the ledger folder that knows the domain's records: each auditor mirrors
 * the `appendLeaves` call that wrote its kind, so a change to what a leaf commits to must change the
 * matching auditor too (the audit tests fail otherwise).
 *
 * - report: one leaf per report, committing to `ledgerContent(row, enrichment)`; the enrichment is
 *   in the row's est_*, oblast, sector and zone columns, and the body hash is recomputed from the
 *   columns the client sent, so a change to any of them shows.
 * - zone, sector, participant, device: one leaf per save (or revocation); only the latest version is
 *   in the table, so only the latest leaf is checked (a `zone.deleted` leaf must leave no zone behind).
 * - incident.transition, incident.split, incident.merged: rebuilt from `incident_events`.
 * The incident rows themselves are derived (recomputed by correlation) and have no leaf of their own.
 */
import { type Kysely, sql } from 'kysely';
import { deviceFromRow } from '../../monitoring/devices/device-service.ts';
import { zoneFromRow } from '../../monitoring/geography-service.ts';
import { historyFromRow } from '../../monitoring/incident-model.ts';
import { bodyHash, ledgerContent } from '../../monitoring/ingest.ts';
import { reportFromRow } from '../../monitoring/report-model.ts';
import { reportInputSchema } from '../../monitoring/report-schema.ts';
import type { Database, IncidentEventTable, ReportTable } from '../store/schema.ts';
import type { AuditLeaf, Rebuilt, RecordAuditor } from './audit.ts';

type Db = Kysely<Database>;

const IN_CHUNK = 400;

async function byIds<T>(ids: string[], fetch: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const unique = [...new Set(ids)];
  const out: T[] = [];
  for (let i = 0; i < unique.length; i += IN_CHUNK) out.push(...(await fetch(unique.slice(i, i + IN_CHUNK))));
  return out;
}

const INPUT_KEYS = reportInputSchema.shape;

/**
 * The body hash of what the client said, from the stored row (see `bodyHash`): the report as the API
 * returns it, less what the server added (every key the input schema does not know).
 */
export function bodyHashOfRow(row: ReportTable): string {
  const report = reportFromRow(row) as unknown as Record<string, unknown>;
  const said = Object.fromEntries(Object.entries(report).filter(([k]) => Object.hasOwn(INPUT_KEYS, k)));
  return bodyHash(reportInputSchema.parse(said));
}

export function reportContentOfRow(row: ReportTable): unknown {
  const r = reportFromRow(row);
  return ledgerContent(row, { estimated: r.estimated, oblast: r.oblast, sectorId: r.sectorId, zone: r.zone });
}

export const reportAuditor: RecordAuditor = {
  kinds: ['report'],
  onePerRecord: true,
  async rebuild(db, leaves) {
    const rows = await byIds(
      leaves.map((l) => l.recordId),
      (chunk) => db.selectFrom('reports').selectAll().where('id', 'in', chunk).execute(),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out = new Map<number, Rebuilt>();
    for (const leaf of leaves) {
      const row = byId.get(leaf.recordId);
      if (row === undefined) {
        out.set(leaf.idx, { finding: 'record_deleted', message: 'the report is gone from the database' });
        continue;
      }
      let hash: string;
      try {
        hash = bodyHashOfRow(row);
      } catch (e) {
        out.set(leaf.idx, {
          finding: 'record_modified',
          message: `the stored report is no longer a valid report: ${(e as Error).message.slice(0, 200)}`,
        });
        continue;
      }
      if (hash !== row.body_hash) {
        out.set(leaf.idx, {
          finding: 'record_modified',
          message: 'what the report says no longer hashes to its body hash',
        });
        continue;
      }
      out.set(leaf.idx, { candidates: [reportContentOfRow(row)] });
    }
    return out;
  },
  async unledgered(db) {
    const row = await db
      .selectFrom('reports')
      .leftJoin('ledger_leaves', (j) =>
        j.onRef('ledger_leaves.record_id', '=', 'reports.id').on('ledger_leaves.kind', '=', 'report'),
      )
      .select('reports.id')
      .where('ledger_leaves.idx', 'is', null)
      .orderBy('reports.id')
      .limit(1)
      .executeTakeFirst();
    return row && { recordKind: 'report', recordId: row.id };
  },
};

/** The latest leaf of each record among `kinds`, for the records in `leaves`. */
async function latestLeaves(db: Db, kinds: string[], leaves: AuditLeaf[]): Promise<Map<string, number>> {
  const rows = await byIds(
    leaves.map((l) => l.recordId),
    (chunk) =>
      db
        .selectFrom('ledger_leaves')
        .select(['record_id', (eb) => eb.fn.max('idx').as('last')])
        .where('kind', 'in', kinds)
        .where('record_id', 'in', chunk)
        .groupBy('record_id')
        .execute(),
  );
  return new Map(rows.map((r) => [r.record_id, Number(r.last)]));
}

/**
 * An auditor for records kept as their latest version (one row per `key` in `table`) with one leaf
 * per save, and optionally a deletion leaf.
 */
function latestVersionAuditor(spec: {
  kind: string;
  /** Further kinds whose leaves commit to the record as it then stood (a revocation). */
  otherKinds?: string[];
  deletedKind?: string;
  table: 'zones' | 'sectors' | 'participants' | 'devices';
  key: 'id' | 'code';
  /** The content each record's latest leaf committed to, by key. */
  contents: (db: Db, keys: string[]) => Promise<Map<string, unknown>>;
}): RecordAuditor {
  const kinds = [spec.kind, ...(spec.otherKinds ?? []), ...(spec.deletedKind ? [spec.deletedKind] : [])];
  return {
    kinds,
    async rebuild(db, leaves) {
      const latest = await latestLeaves(db, kinds, leaves);
      const wanted = leaves.filter((l) => latest.get(l.recordId) === l.idx).map((l) => l.recordId);
      const current = new Map<string, unknown>();
      for (let i = 0; i < wanted.length; i += IN_CHUNK) {
        for (const [k, v] of await spec.contents(db, wanted.slice(i, i + IN_CHUNK))) current.set(k, v);
      }
      const out = new Map<number, Rebuilt>();
      for (const leaf of leaves) {
        if (latest.get(leaf.recordId) !== leaf.idx) {
          out.set(leaf.idx, { skip: true });
          continue;
        }
        const content = current.get(leaf.recordId);
        if (leaf.kind === spec.deletedKind) {
          out.set(
            leaf.idx,
            content === undefined
              ? { candidates: [{ id: leaf.recordId, deleted: true }] }
              : {
                  finding: 'record_inserted',
                  message: 'the record exists although its last leaf deleted it',
                },
          );
        } else {
          out.set(
            leaf.idx,
            content === undefined
              ? { finding: 'record_deleted', message: `the ${spec.kind} is gone from the database` }
              : { candidates: [content] },
          );
        }
      }
      return out;
    },
    async unledgered(db) {
      const { rows } = await sql<{ key: string }>`
        select t.${sql.ref(spec.key)} as key from ${sql.table(spec.table)} t
        left join ledger_leaves l on l.record_id = t.${sql.ref(spec.key)} and l.kind = ${spec.kind}
        where l.idx is null order by 1 limit 1`.execute(db);
      const row = rows[0];
      return row && { recordKind: spec.kind, recordId: String(row.key) };
    },
  };
}

export const zoneAuditor = latestVersionAuditor({
  kind: 'zone',
  deletedKind: 'zone.deleted',
  table: 'zones',
  key: 'id',
  async contents(db, keys) {
    const rows = await db.selectFrom('zones').selectAll().where('id', 'in', keys).execute();
    return new Map(rows.map((r) => [r.id, zoneFromRow(r)]));
  },
});

export const sectorAuditor = latestVersionAuditor({
  kind: 'sector',
  table: 'sectors',
  key: 'id',
  async contents(db, keys) {
    const rows = await db.selectFrom('sectors').selectAll().where('id', 'in', keys).execute();
    return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, geometry: JSON.parse(r.geometry) }]));
  },
});

export const participantAuditor = latestVersionAuditor({
  kind: 'participant',
  table: 'participants',
  key: 'code',
  async contents(db, keys) {
    const rows = await db.selectFrom('participants').selectAll().where('code', 'in', keys).execute();
    return new Map(
      rows.map((r) => [r.code, { code: r.code, name: r.name, kind: r.kind, roles: JSON.parse(r.roles) }]),
    );
  },
});

/** What each incident history leaf kind commits to, from one `incident_events` row. */
function incidentContents(kind: string, e: IncidentEventTable): unknown[] {
  const details = e.details ? (JSON.parse(e.details) as Record<string, unknown>) : {};
  if (kind === 'incident.transition') return e.action === 'transition' ? [historyFromRow(e)] : [];
  if (kind === 'incident.split')
    return e.action === 'split' ? [{ ...details, actor: e.actor, reason: e.reason }] : [];
  if (e.action !== 'merged') return [];
  // Merged by a person (into/absorbed) or by correlation (absorbed only).
  return [
    { ...details, actor: e.actor, reason: e.reason },
    { incident: e.incident_id, absorbed: details.absorbed, by: 'correlation' },
  ];
}

export const incidentHistoryAuditor: RecordAuditor = {
  kinds: ['incident.transition', 'incident.split', 'incident.merged'],
  async rebuild(db, leaves) {
    const rows = await byIds(
      leaves.map((l) => l.recordId),
      (chunk) => db.selectFrom('incident_events').selectAll().where('incident_id', 'in', chunk).execute(),
    );
    const byKey = new Map<string, IncidentEventTable[]>();
    for (const r of rows) {
      const k = `${r.incident_id} ${r.at}`;
      byKey.set(k, [...(byKey.get(k) ?? []), r]);
    }
    const out = new Map<number, Rebuilt>();
    for (const leaf of leaves) {
      const candidates = (byKey.get(`${leaf.recordId} ${leaf.at}`) ?? []).flatMap((e) =>
        incidentContents(leaf.kind, e),
      );
      out.set(
        leaf.idx,
        candidates.length === 0
          ? { finding: 'record_deleted', message: 'its entry in the incident history is gone' }
          : { candidates },
      );
    }
    return out;
  },
  async unledgered(db) {
    const row = await db
      .selectFrom('incident_events')
      .leftJoin('ledger_leaves', (j) =>
        j
          .onRef('ledger_leaves.record_id', '=', 'incident_events.incident_id')
          .onRef('ledger_leaves.at', '=', 'incident_events.at')
          .on('ledger_leaves.kind', '=', 'incident.transition'),
      )
      .select(['incident_events.incident_id', 'incident_events.id'])
      .where('incident_events.action', '=', 'transition')
      .where('ledger_leaves.idx', 'is', null)
      .orderBy('incident_events.id')
      .limit(1)
      .executeTakeFirst();
    return row && { recordKind: 'incident.transition', recordId: row.incident_id };
  },
};

export const deviceAuditor = latestVersionAuditor({
  kind: 'device',
  otherKinds: ['device.revoked'],
  table: 'devices',
  key: 'id',
  async contents(db, keys) {
    const rows = await db.selectFrom('devices').selectAll().where('id', 'in', keys).execute();
    return new Map(rows.map((r) => [r.id, deviceFromRow(r)]));
  },
});

export const MONITORING_AUDITORS: readonly RecordAuditor[] = [
  reportAuditor,
  zoneAuditor,
  sectorAuditor,
  participantAuditor,
  deviceAuditor,
  incidentHistoryAuditor,
];
