/**
 * Tamper tests for `guarantor audit`: a real Guarantor records reports, zones, sectors and incident
 * history, then someone with database access changes, deletes, reorders or inserts rows; the audit
 * must name what was touched, first in ledger order. Each test undoes its tampering, and a clean
 * audit in between shows it did.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { DEMO_SECTORS, DEMO_ZONES } from '../src/demo/front.ts';
import { auditLedger } from '../src/kernel/ledger/audit.ts';
import { DIALECTS } from '../src/kernel/store/test-dialects.ts';
import { aReport, startApp } from './harness.ts';

for (const dialect of DIALECTS) {
  describe(`guarantor audit on ${dialect.name}`, () => {
    let app: App;
    let reportIds: string[];

    beforeAll(async () => {
      app = await startApp(dialect);
      await app.services.geography.saveSector(DEMO_SECTORS[0]!);
      const zone = await app.services.geography.saveZone(DEMO_ZONES[1]!);
      await app.services.geography.saveZone({ ...DEMO_ZONES[1]!, name: 'renamed' }, zone.id);
      const gone = await app.services.geography.saveZone(DEMO_ZONES[0]!);
      const publicKey = generateKeyPairSync('ed25519')
        .publicKey.export({ format: 'der', type: 'spki' })
        .subarray(12);
      const device = await app.services.devices.enrol({
        sourceKind: 'camera',
        sourceId: 'cam-1',
        participant: 'FRA',
        name: 'Camera 1',
        publicKey: publicKey.toString('base64'),
      });
      await app.services.devices.revoke(device.id, 'lost in the field');
      await app.services.geography.deleteZone(gone.id);
      reportIds = [];
      for (let i = 0; i < 12; i++) {
        const res = await app.http.inject({
          method: 'POST',
          url: '/api/v1/reports',
          payload: aReport({ count: i + 1, notes: `report ${i}`, event: { lon: 37.6 + i * 0.3, lat: 48.0 } }),
        });
        expect(res.statusCode).toBe(201);
        reportIds.push(res.json().id);
      }
      const incident = (
        await app.http.inject({ method: 'GET', url: `/api/v1/reports/${reportIds[0]}` })
      ).json().incidentId;
      const t = await app.http.inject({
        method: 'POST',
        url: `/api/v1/incidents/${incident}/transitions`,
        payload: { to: 'triaged', reason: 'plausible', actor: 'Analyst A' },
      });
      expect(t.statusCode).toBe(200);
      await app.ledger.checkpoint();
      // Leaves past the last checkpoint and the stored tree are audited too.
      await app.http.inject({ method: 'POST', url: '/api/v1/reports', payload: aReport() });
    });
    afterAll(async () => {
      await app?.close();
    });

    const audit = () => auditLedger(app.store, { ledger: app.ledger, pageSize: 7 });

    async function leafOf(kind: string, id: string): Promise<number> {
      const row = await app.store.db
        .selectFrom('ledger_leaves')
        .select('idx')
        .where('kind', '=', kind)
        .where('record_id', '=', id)
        .executeTakeFirstOrThrow();
      return Number(row.idx);
    }

    it('passes an untouched database, having rebuilt every kind of record it knows', async () => {
      const result = await audit();
      expect(result.problem).toBeUndefined();
      expect(result.ok).toBe(true);
      expect(result.counts.records).toMatchObject({
        report: 13,
        sector: 1,
        zone: 1,
        'zone.deleted': 1,
        'device.revoked': 1,
        'incident.transition': 1,
      });
      // The earlier versions of the renamed zone and of the revoked device, and the deleted zone's
      // save, cannot be rebuilt.
      expect(result.counts.contentUnchecked).toBe(3);
      expect(result.counts.treeSize).toBeGreaterThan(0);
      // Past the last checkpoint: the last write and its access-trail entry, audited too.
      expect(result.counts.leaves).toBe(result.counts.treeSize + 2);
    });

    it('names a report whose column was changed', async () => {
      const id = reportIds[3]!;
      await app.store.db.updateTable('reports').set({ count: 999 }).where('id', '=', id).execute();
      try {
        const { ok, problem } = await audit();
        expect(ok).toBe(false);
        expect(problem).toMatchObject({
          finding: 'record_modified',
          recordKind: 'report',
          recordId: id,
          leafIndex: await leafOf('report', id),
        });
      } finally {
        await app.store.db.updateTable('reports').set({ count: 4 }).where('id', '=', id).execute();
      }
      expect((await audit()).ok).toBe(true);
    });

    it('names a report whose enrichment was changed, body hash and all', async () => {
      const id = reportIds[5]!;
      const before = await app.store.db
        .selectFrom('reports')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await app.store.db.updateTable('reports').set({ oblast: 'UA-99' }).where('id', '=', id).execute();
      try {
        expect((await audit()).problem).toMatchObject({ finding: 'record_modified', recordId: id });
      } finally {
        await app.store.db
          .updateTable('reports')
          .set({ oblast: before.oblast })
          .where('id', '=', id)
          .execute();
      }
    });

    it('names a deleted report row', async () => {
      const id = reportIds[7]!;
      const row = await app.store.db
        .selectFrom('reports')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await app.store.db.deleteFrom('reports').where('id', '=', id).execute();
      try {
        expect((await audit()).problem).toMatchObject({
          finding: 'record_deleted',
          recordKind: 'report',
          recordId: id,
          leafIndex: await leafOf('report', id),
        });
      } finally {
        await app.store.db.insertInto('reports').values(row).execute();
      }
      expect((await audit()).ok).toBe(true);
    });

    it('names a deleted leaf', async () => {
      const idx = await leafOf('report', reportIds[2]!);
      const leaf = await app.store.db
        .selectFrom('ledger_leaves')
        .selectAll()
        .where('idx', '=', idx)
        .executeTakeFirstOrThrow();
      await app.store.db.deleteFrom('ledger_leaves').where('idx', '=', idx).execute();
      try {
        expect((await audit()).problem).toMatchObject({ finding: 'leaf_deleted', leafIndex: idx });
      } finally {
        await app.store.db.insertInto('ledger_leaves').values(leaf).execute();
      }
      expect((await audit()).ok).toBe(true);
    });

    it('names two leaves whose order was swapped', async () => {
      const a = await leafOf('report', reportIds[4]!);
      const b = await leafOf('report', reportIds[9]!);
      const swap = async () => {
        await app.store.transaction(async (trx) => {
          await trx.updateTable('ledger_leaves').set({ idx: -1 }).where('idx', '=', a).execute();
          await trx.updateTable('ledger_leaves').set({ idx: a }).where('idx', '=', b).execute();
          await trx.updateTable('ledger_leaves').set({ idx: b }).where('idx', '=', -1).execute();
        });
      };
      await swap();
      try {
        expect((await audit()).problem).toMatchObject({
          finding: 'leaf_reordered',
          leafIndex: a,
          recordId: reportIds[9],
        });
      } finally {
        await swap();
      }
      expect((await audit()).ok).toBe(true);
    });

    it('names a report row inserted without a leaf', async () => {
      const row = await app.store.db
        .selectFrom('reports')
        .selectAll()
        .where('id', '=', reportIds[1]!)
        .executeTakeFirstOrThrow();
      const forged = { ...row, id: '01900000-0000-7000-8000-000000000001', client_instance_id: 'forged' };
      await app.store.db.insertInto('reports').values(forged).execute();
      try {
        const { problem } = await audit();
        expect(problem).toMatchObject({
          finding: 'record_inserted',
          recordKind: 'report',
          recordId: forged.id,
        });
        expect(problem?.leafIndex).toBeUndefined();
      } finally {
        await app.store.db.deleteFrom('reports').where('id', '=', forged.id).execute();
      }
    });

    it('names a changed leaf, and a leaf whose fields were rehashed to hide the change', async () => {
      const idx = await leafOf('report', reportIds[6]!);
      const leaf = await app.store.db
        .selectFrom('ledger_leaves')
        .selectAll()
        .where('idx', '=', idx)
        .executeTakeFirstOrThrow();
      await app.store.db
        .updateTable('ledger_leaves')
        .set({ at: '2020-01-01T00:00:00.000Z' })
        .where('idx', '=', idx)
        .execute();
      try {
        expect((await audit()).problem).toMatchObject({ finding: 'leaf_modified', leafIndex: idx });
      } finally {
        await app.store.db.updateTable('ledger_leaves').set({ at: leaf.at }).where('idx', '=', idx).execute();
      }
    });

    it('names a zone changed or deleted outside Guarantor, and a transition removed from the history', async () => {
      const zone = await app.store.db
        .selectFrom('zones')
        .selectAll()
        .where('name', '=', 'renamed')
        .executeTakeFirstOrThrow();
      await app.store.db.updateTable('zones').set({ name: 'moved' }).where('id', '=', zone.id).execute();
      try {
        expect((await audit()).problem).toMatchObject({
          finding: 'record_modified',
          recordKind: 'zone',
          recordId: zone.id,
        });
      } finally {
        await app.store.db.updateTable('zones').set({ name: zone.name }).where('id', '=', zone.id).execute();
      }
      const event = await app.store.db
        .selectFrom('incident_events')
        .selectAll()
        .where('action', '=', 'transition')
        .executeTakeFirstOrThrow();
      await app.store.db.deleteFrom('incident_events').where('id', '=', event.id).execute();
      try {
        expect((await audit()).problem).toMatchObject({
          finding: 'record_deleted',
          recordKind: 'incident.transition',
          recordId: event.incident_id,
        });
      } finally {
        await app.store.db.insertInto('incident_events').values(event).execute();
      }
      expect((await audit()).ok).toBe(true);
    });

    it('names a stored tree or checkpoint that no longer matches what was signed', async () => {
      const tile = await app.store.db
        .selectFrom('ledger_tiles')
        .selectAll()
        .where('level', '=', 0)
        .where('idx', '=', 0)
        .executeTakeFirstOrThrow();
      const other = await app.store.db
        .selectFrom('ledger_leaves')
        .select('leaf_hash')
        .where('idx', '=', 1)
        .executeTakeFirstOrThrow();
      // Rewrite leaf 0 in the tree and the table alike: only the signed root still remembers it.
      const hashes = Buffer.from(tile.hashes, 'base64');
      Buffer.from(other.leaf_hash, 'hex').copy(hashes, 0);
      await app.store.db
        .updateTable('ledger_tiles')
        .set({ hashes: hashes.toString('base64') })
        .where('level', '=', 0)
        .where('idx', '=', 0)
        .execute();
      try {
        expect((await audit()).problem).toMatchObject({ finding: 'tile_mismatch' });
      } finally {
        await app.store.db
          .updateTable('ledger_tiles')
          .set({ hashes: tile.hashes })
          .where('level', '=', 0)
          .where('idx', '=', 0)
          .execute();
      }
      const cp = await app.store.db
        .selectFrom('ledger_checkpoints')
        .selectAll()
        .orderBy('size', 'desc')
        .executeTakeFirstOrThrow();
      await app.store.db
        .updateTable('ledger_checkpoints')
        .set({ root: tile.hashes.slice(0, 44) })
        .where('size', '=', cp.size)
        .execute();
      try {
        expect((await audit()).problem).toMatchObject({ finding: 'checkpoint_mismatch' });
      } finally {
        await app.store.db
          .updateTable('ledger_checkpoints')
          .set({ root: cp.root })
          .where('size', '=', cp.size)
          .execute();
      }
      expect((await audit()).ok).toBe(true);
    });
  });
}
