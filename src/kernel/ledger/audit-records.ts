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
 * - incident.transition, incident.split, incident.merged: rebuilt from `incident_events`. A split or
 *   a merge by a person writes one leaf but a history entry on every incident involved; the entries
 *   on the other incidents must say the same as the one the leaf was written for, and every split or
 *   merge entry must belong to a leaf.
 * - evidence, evidence.custody, evidence.derived, evidence.not-derived: see evidence-audit.ts.
 * - access (sign-ins and account changes): see access/access-auditor.ts.
 * The incident rows themselves are derived (recomputed by correlation) and have no leaf of their own.
 */
import { type Kysely, sql } from 'kysely';
import { accessAuditor } from '../../access/access-auditor.ts';
import { deviceFromRow } from '../../monitoring/devices/device-service.ts';
import { EVIDENCE_AUDITORS } from '../../monitoring/evidence/evidence-audit.ts';
import { zoneFromRow } from '../../monitoring/geography-service.ts';
import { historyFromRow } from '../../monitoring/incident-model.ts';
import { reportFromRow } from '../../monitoring/report-model.ts';
import { bodyHash, ledgerContent } from '../../monitoring/report-preparation.ts';
import { reportInputSchema } from '../../monitoring/report-schema.ts';
import type { Database, IncidentEventTable, ReportTable } from '../store/schema.ts';
import type { AuditLeaf, Rebuilt, RecordAuditor } from './audit.ts';
import { canonicalJson } from './canonical.ts';

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

function detailsOf(e: IncidentEventTable): Record<string, unknown> {
  try {
    const parsed: unknown = e.details ? JSON.parse(e.details) : {};
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What each incident history leaf kind commits to, from one `incident_events` row. */
function incidentContents(kind: string, e: IncidentEventTable): unknown[] {
  const details = detailsOf(e);
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

const HISTORY_KIND = { split: 'incident.split', merged: 'incident.merged' } as const;

/**
 * The other incidents whose history records the same split or merge: the new incident of a split,
 * the absorbed ones of a merge by a person (a merge by correlation is recorded on the survivor only).
 */
function otherIncidents(kind: string, e: IncidentEventTable): string[] {
  const details = detailsOf(e);
  if (kind === HISTORY_KIND.split && e.action === 'split') {
    return typeof details.to === 'string' && details.to !== e.incident_id ? [details.to] : [];
  }
  if (kind === HISTORY_KIND.merged && e.action === 'merged' && typeof details.into === 'string') {
    const absorbed = Array.isArray(details.absorbed) ? details.absorbed : [];
    return absorbed.filter((a): a is string => typeof a === 'string' && a !== e.incident_id);
  }
  return [];
}

/** The incident whose leaf a split or merge entry belongs to: the one split, or the one merged into. */
function leafIncidentOf(e: IncidentEventTable): string {
  const details = detailsOf(e);
  const owner = e.action === 'split' ? details.from : details.into;
  return typeof owner === 'string' ? owner : e.incident_id;
}

function groupByKey(rows: IncidentEventTable[]): Map<string, IncidentEventTable[]> {
  const byKey = new Map<string, IncidentEventTable[]>();
  for (const r of rows) {
    const k = `${r.incident_id} ${r.at}`;
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  return byKey;
}

export const incidentHistoryAuditor: RecordAuditor = {
  kinds: ['incident.transition', HISTORY_KIND.split, HISTORY_KIND.merged],
  async rebuild(db, leaves) {
    const fetch = (ids: string[]) =>
      byIds(ids, (chunk) =>
        db.selectFrom('incident_events').selectAll().where('incident_id', 'in', chunk).execute(),
      );
    const byKey = groupByKey(await fetch(leaves.map((l) => l.recordId)));
    const own = (leaf: AuditLeaf) =>
      (byKey.get(`${leaf.recordId} ${leaf.at}`) ?? []).filter(
        (e) => incidentContents(leaf.kind, e).length > 0,
      );
    const others = groupByKey(
      await fetch(leaves.flatMap((l) => own(l).flatMap((e) => otherIncidents(l.kind, e)))),
    );
    const out = new Map<number, Rebuilt>();
    for (const leaf of leaves) {
      const rows = own(leaf);
      const candidates = rows.flatMap((e) => incidentContents(leaf.kind, e));
      if (candidates.length === 0) {
        out.set(leaf.idx, {
          finding: 'record_deleted',
          message: 'its entry in the incident history is gone',
        });
        continue;
      }
      const said = new Set(candidates.map((c) => canonicalJson(c)));
      let problem: Rebuilt | undefined;
      for (const other of new Set(rows.flatMap((e) => otherIncidents(leaf.kind, e)))) {
        const entries = (others.get(`${other} ${leaf.at}`) ?? []).filter(
          (e) => incidentContents(leaf.kind, e).length > 0,
        );
        if (entries.length === 0) {
          problem = {
            finding: 'record_deleted',
            message: `its entry in the history of incident ${other} is gone`,
          };
        } else if (
          !entries.some((e) => incidentContents(leaf.kind, e).some((c) => said.has(canonicalJson(c))))
        ) {
          problem = {
            finding: 'record_modified',
            message: `its entry in the history of incident ${other} no longer says the same`,
          };
        }
        if (problem) break;
      }
      out.set(leaf.idx, problem ?? { candidates });
    }
    return out;
  },
  async unledgered(db) {
    const transition = await db
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
    const stray = await firstUnledgeredSplitOrMerge(db);
    // Both are reported as the first record without a leaf; the earlier entry goes first.
    const first = [
      transition && { kind: 'incident.transition', id: transition.id, incident: transition.incident_id },
      stray,
    ]
      .filter((x) => x !== undefined)
      .sort((a, b) => a.id.localeCompare(b.id))[0];
    return first && { recordKind: first.kind, recordId: first.incident };
  },
};

/**
 * The first split or merge entry with no leaf. Its leaf is found through the entry's own details
 * (the incident split, or merged into), which SQL cannot read portably, so this pages in JavaScript.
 */
async function firstUnledgeredSplitOrMerge(
  db: Db,
  page = 1000,
): Promise<{ kind: string; id: string; incident: string } | undefined> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('incident_events')
      .selectAll()
      .where('action', 'in', ['split', 'merged'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(page)
      .execute();
    if (rows.length === 0) return undefined;
    const leaves = await db
      .selectFrom('ledger_leaves')
      .select(['kind', 'record_id', 'at'])
      .where('kind', 'in', [HISTORY_KIND.split, HISTORY_KIND.merged])
      .where('record_id', 'in', [...new Set(rows.map(leafIncidentOf))])
      .execute();
    const have = new Set(leaves.map((l) => `${l.kind} ${l.record_id} ${l.at}`));
    for (const e of rows) {
      const kind = e.action === 'split' ? HISTORY_KIND.split : HISTORY_KIND.merged;
      if (!have.has(`${kind} ${leafIncidentOf(e)} ${e.at}`))
        return { kind, id: e.id, incident: e.incident_id };
    }
    if (rows.length < page) return undefined;
    after = rows[rows.length - 1]!.id;
  }
}

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
  ...EVIDENCE_AUDITORS,
  accessAuditor,
];
