/**
 * What `guarantor audit` checks of the access trail: each `access` leaf must commit to its row in
 * `access_events` as it stands, and every row must have its leaf, so a sign-in deleted or an account
 * change edited in the database is named.
 */
import type { Rebuilt, RecordAuditor } from '../kernel/ledger/audit.ts';
import { ACCESS_LEAF_KIND, accessEventFromRow, accessLeafContent } from './access-events.ts';

const IN_CHUNK = 400;

export const accessAuditor: RecordAuditor = {
  kinds: [ACCESS_LEAF_KIND],
  onePerRecord: true,
  async rebuild(db, leaves) {
    const ids = [...new Set(leaves.map((l) => l.recordId))];
    const rows = new Map<string, Parameters<typeof accessEventFromRow>[0]>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = await db
        .selectFrom('access_events')
        .selectAll()
        .where('id', 'in', ids.slice(i, i + IN_CHUNK))
        .execute();
      for (const r of chunk) rows.set(r.id, r);
    }
    const out = new Map<number, Rebuilt>();
    for (const leaf of leaves) {
      const row = rows.get(leaf.recordId);
      if (row === undefined) {
        out.set(leaf.idx, {
          finding: 'record_deleted',
          message: 'the access event is gone from the database',
        });
        continue;
      }
      let content: unknown;
      try {
        content = accessLeafContent(accessEventFromRow(row));
      } catch {
        out.set(leaf.idx, { finding: 'record_modified', message: 'the access event no longer reads as one' });
        continue;
      }
      out.set(leaf.idx, { candidates: [content] });
    }
    return out;
  },
  async unledgered(db) {
    const row = await db
      .selectFrom('access_events')
      .leftJoin('ledger_leaves', (j) =>
        j
          .onRef('ledger_leaves.record_id', '=', 'access_events.id')
          .on('ledger_leaves.kind', '=', ACCESS_LEAF_KIND),
      )
      .select('access_events.id')
      .where('ledger_leaves.idx', 'is', null)
      .orderBy('access_events.id')
      .limit(1)
      .executeTakeFirst();
    return row && { recordKind: ACCESS_LEAF_KIND, recordId: row.id };
  },
};
