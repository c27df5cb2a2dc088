/**
 * Tamper tests for splits and merges under `guarantor audit`. One split or merge by a person writes
 * one leaf but an entry in the history of every incident involved; the audit must catch a change to
 * any of them, and an entry with no leaf at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, startApp } from '../../../test/harness.ts';
import { SYSTEM_READER } from '../../access/labels.ts';
import type { App } from '../../app.ts';
import type { IncidentEventTable } from '../store/schema.ts';
import { DIALECTS } from '../store/test-dialects.ts';
import { type AuditResult, auditLedger } from './audit.ts';

const FORGED_ID = '01900000-0000-7000-8000-00000000e0e0';

for (const dialect of DIALECTS) {
  describe(`guarantor audit of splits and merges on ${dialect.name}`, () => {
    let app: App;
    let original: string;
    let split: string;

    beforeAll(async () => {
      app = await startApp(dialect);
      const ids: string[] = [];
      // Three sources on one event: one incident.
      for (const source of ['FRA-patrol-1', 'POL-patrol-2', 'GBR-patrol-3']) {
        const res = await app.http.inject({
          method: 'POST',
          url: '/api/v1/reports',
          payload: aReport({ source: { kind: 'patrol', id: source, participant: source.slice(0, 3) } }),
        });
        expect(res.statusCode, res.body).toBe(201);
        ids.push(res.json().id);
      }
      const row = await app.store.db
        .selectFrom('reports')
        .select('incident_id')
        .where('id', '=', ids[0]!)
        .executeTakeFirstOrThrow();
      original = row.incident_id!;
      const halves = await app.services.incidents.split(
        original,
        {
          reportIds: [ids[2]!],
          reason: 'a second salvo, minutes later',
          actor: 'Analyst A',
        },
        SYSTEM_READER,
      );
      split = halves.to.id;
      await app.services.incidents.merge(
        original,
        {
          incidentIds: [split],
          reason: 'the same salvo after all',
          actor: 'Analyst B',
        },
        SYSTEM_READER,
      );
      await app.ledger.checkpoint();
    });
    afterAll(async () => {
      await app?.close();
    });

    const audit = () => auditLedger(app.store, { ledger: app.ledger, pageSize: 4 });

    async function entry(incident: string, action: 'split' | 'merged'): Promise<IncidentEventTable> {
      return app.store.db
        .selectFrom('incident_events')
        .selectAll()
        .where('incident_id', '=', incident)
        .where('action', '=', action)
        .executeTakeFirstOrThrow();
    }

    async function leafOf(kind: string, incident: string): Promise<number> {
      const row = await app.store.db
        .selectFrom('ledger_leaves')
        .select('idx')
        .where('kind', '=', kind)
        .where('record_id', '=', incident)
        .executeTakeFirstOrThrow();
      return Number(row.idx);
    }

    async function whileTampered(tamper: () => Promise<unknown>, undo: () => Promise<unknown>) {
      await tamper();
      let result: AuditResult;
      try {
        result = await audit();
      } finally {
        await undo();
      }
      expect((await audit()).problem).toBeUndefined();
      return result;
    }

    const setEntry = (e: IncidentEventTable) =>
      app.store.db.updateTable('incident_events').set(e).where('id', '=', e.id).execute();

    it('passes the untouched history, split and merge included', async () => {
      const result = await audit();
      expect(result.problem).toBeUndefined();
      expect(result.counts.records).toMatchObject({ 'incident.split': 1, 'incident.merged': 1 });
    });

    it("names a split whose entry on either incident's history was changed or deleted", async () => {
      const where = {
        recordKind: 'incident.split',
        recordId: original,
        leafIndex: await leafOf('incident.split', original),
      };
      for (const incident of [original, split]) {
        const e = await entry(incident, 'split');
        const changed = await whileTampered(
          () => setEntry({ ...e, reason: 'rewritten' }),
          () => setEntry(e),
        );
        expect(changed.problem).toMatchObject({ finding: 'record_modified', ...where });
        const gone = await whileTampered(
          () => app.store.db.deleteFrom('incident_events').where('id', '=', e.id).execute(),
          () => app.store.db.insertInto('incident_events').values(e).execute(),
        );
        expect(gone.problem).toMatchObject({ finding: 'record_deleted', ...where });
      }
    });

    it("names a merge whose entry on the absorbed incident's history was changed or deleted", async () => {
      const where = {
        recordKind: 'incident.merged',
        recordId: original,
        leafIndex: await leafOf('incident.merged', original),
      };
      const absorbed = await entry(split, 'merged');
      const changed = await whileTampered(
        () => setEntry({ ...absorbed, actor: 'Analyst C' }),
        () => setEntry(absorbed),
      );
      expect(changed.problem).toMatchObject({ finding: 'record_modified', ...where });
      const gone = await whileTampered(
        () => app.store.db.deleteFrom('incident_events').where('id', '=', absorbed.id).execute(),
        () => app.store.db.insertInto('incident_events').values(absorbed).execute(),
      );
      expect(gone.problem).toMatchObject({ finding: 'record_deleted', ...where });
    });

    it('names a split or merge entered in a history without any leaf', async () => {
      for (const action of ['split', 'merged'] as const) {
        const e = await entry(original, action);
        const forged = { ...e, id: FORGED_ID, at: '2026-01-01T00:00:00.000Z' };
        const found = await whileTampered(
          () => app.store.db.insertInto('incident_events').values(forged).execute(),
          () => app.store.db.deleteFrom('incident_events').where('id', '=', FORGED_ID).execute(),
        );
        expect(found.problem).toMatchObject({
          finding: 'record_inserted',
          recordKind: action === 'split' ? 'incident.split' : 'incident.merged',
          recordId: original,
        });
        expect(found.problem?.leafIndex).toBeUndefined();
      }
    });
  });
}
