/**
 * Tamper tests for the evidence records under `guarantor audit`: items, custody events, derived
 * copies and failed derivations are changed, deleted or inserted behind Guarantor's back, and the
 * audit names the record touched. Each test undoes what it did, and a clean audit after it shows so.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport } from '../../../test/harness.ts';
import { createServices } from '../../app.ts';
import { Api } from '../../kernel/http/api.ts';
import { buildServer } from '../../kernel/http/server.ts';
import { type AuditResult, auditLedger } from '../../kernel/ledger/audit.ts';
import { LedgerService } from '../../kernel/ledger/ledger-service.ts';
import { generateLogKey } from '../../kernel/ledger/log-key.ts';
import type { Store } from '../../kernel/store/store.ts';
import { DIALECTS } from '../../kernel/store/test-dialects.ts';
import { reportInputSchema } from '../report-schema.ts';
import { multipart, type Part } from './evidence.fixture.ts';
import { evidenceDb } from './evidence-schema.ts';
import type { EvidenceDetail } from './evidence-service.ts';
import { EvidenceService } from './evidence-service.ts';
import { evidenceRoutes } from './routes.ts';

const C2PA = 'test/fixtures/vectors/c2pa';
const FORGED_ID = '01900000-0000-7000-8000-00000000f0f0';

for (const dialect of DIALECTS) {
  describe(`guarantor audit of evidence on ${dialect.name}`, () => {
    const key = generateLogKey('evidence-audit.invalid/ledger');
    const dir = mkdtempSync(join(tmpdir(), 'guarantor-evidence-audit-'));
    let store: Store;
    let http: FastifyInstance;
    let ledger: LedgerService;
    let photo: EvidenceDetail;
    let sensor: EvidenceDetail;
    let broken: EvidenceDetail;

    beforeAll(async () => {
      store = await dialect.open();
      ledger = new LedgerService(store, key);
      const service = new EvidenceService(store, { dir });
      http = await buildServer({
        api: new Api().add(...evidenceRoutes(service)),
        logger: pino({ level: 'silent' }),
      });
      const { report } = await createServices(store).reports.submit(reportInputSchema.parse(aReport()));
      const upload = async (parts: Part[]) => {
        const { payload, contentType } = multipart(parts);
        const res = await http.inject({
          method: 'POST',
          url: `/api/v1/reports/${report.id}/evidence`,
          payload,
          headers: { 'content-type': contentType, 'x-guarantor-actor': 'monitor FRA-7' },
        });
        expect(res.statusCode, res.body).toBe(201);
        return res.json() as EvidenceDetail;
      };
      // A photo with the camera's thumbnail and a rendered one; a sensor file collected in the
      // field; an image that cannot be drawn.
      photo = await upload([
        { name: 'file', filename: 'p.jpg', data: readFileSync(`${C2PA}/no_manifest.jpg`) },
      ]);
      sensor = await upload([
        { name: 'collectedBy', value: 'patrol FRA-2' },
        { name: 'file', filename: 's.csv', data: Buffer.from('t,db\n1,112\n') },
      ]);
      broken = await upload([
        {
          name: 'file',
          filename: 'b.jpg',
          data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 9)]),
        },
      ]);
      await http.inject({
        url: `/api/v1/evidence/${photo.id}/content`,
        headers: { 'x-guarantor-actor': 'a' },
      });
      await ledger.checkpoint();
      // Leaves past the last checkpoint are audited against their records too.
      const copied = await http.inject({
        method: 'POST',
        url: `/api/v1/evidence/${sensor.id}/custody`,
        payload: { event: 'copied', recipient: 'POL liaison' },
      });
      expect(copied.statusCode).toBe(201);
      sensor = (await http.inject({ url: `/api/v1/evidence/${sensor.id}` })).json() as EvidenceDetail;
      photo = (await http.inject({ url: `/api/v1/evidence/${photo.id}` })).json() as EvidenceDetail;
    });

    afterAll(async () => {
      await http?.close();
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const audit = () => auditLedger(store, { vkey: key.vkey, pageSize: 5 });
    const edb = () => evidenceDb(store.db);

    async function leafOf(kind: string, id: string): Promise<number> {
      const row = await store.db
        .selectFrom('ledger_leaves')
        .select('idx')
        .where('kind', '=', kind)
        .where('record_id', '=', id)
        .executeTakeFirstOrThrow();
      return Number(row.idx);
    }

    /** Runs the audit with `tamper` done, undoes it, and checks the audit is clean again. */
    async function whileTampered(tamper: () => Promise<unknown>, undo: () => Promise<unknown>) {
      await tamper();
      let result: AuditResult;
      try {
        result = await audit();
      } finally {
        await undo();
      }
      const clean = await audit();
      expect(clean.problem).toBeUndefined();
      return result;
    }

    it('rebuilds every evidence record from the database and finds it matching its leaf', async () => {
      const result = await audit();
      expect(result.problem).toBeUndefined();
      expect(result.counts.records).toMatchObject({
        evidence: 3,
        // received ×3, collected, derived ×2 (embedded and rendered), viewed, copied
        'evidence.custody': 8,
        'evidence.derived': 2,
        'evidence.not-derived': 1,
        report: 1,
      });
    });

    it('names an evidence item whose row was changed or deleted', async () => {
      const row = await store.db
        .selectFrom('evidence_items')
        .selectAll()
        .where('id', '=', sensor.id)
        .executeTakeFirstOrThrow();
      for (const change of [{ original_name: 'renamed.csv' }, { sha256: 'ab'.repeat(32) }, { c2pa: '{}' }]) {
        const found = await whileTampered(
          () => store.db.updateTable('evidence_items').set(change).where('id', '=', sensor.id).execute(),
          () => store.db.updateTable('evidence_items').set(row).where('id', '=', sensor.id).execute(),
        );
        expect(found.problem).toMatchObject({
          finding: 'record_modified',
          recordKind: 'evidence',
          recordId: sensor.id,
          leafIndex: await leafOf('evidence', sensor.id),
        });
      }

      // Its custody events go with it (the foreign key wants that): the item's leaf comes first.
      const custody = await store.db
        .selectFrom('evidence_custody')
        .selectAll()
        .where('evidence_id', '=', sensor.id)
        .execute();
      const found = await whileTampered(
        async () => {
          await store.db.deleteFrom('evidence_custody').where('evidence_id', '=', sensor.id).execute();
          await store.db.deleteFrom('evidence_items').where('id', '=', sensor.id).execute();
        },
        async () => {
          await store.db.insertInto('evidence_items').values(row).execute();
          await store.db.insertInto('evidence_custody').values(custody).execute();
        },
      );
      expect(found.problem).toMatchObject({
        finding: 'record_deleted',
        recordKind: 'evidence',
        recordId: sensor.id,
        leafIndex: await leafOf('evidence', sensor.id),
      });
    });

    it('names a custody event changed, moved to another item, deleted or inserted', async () => {
      const collected = sensor.custody.find((c) => c.event === 'collected')!;
      const row = await store.db
        .selectFrom('evidence_custody')
        .selectAll()
        .where('id', '=', collected.id)
        .executeTakeFirstOrThrow();
      const where = {
        recordKind: 'evidence.custody',
        recordId: collected.id,
        leafIndex: await leafOf('evidence.custody', collected.id),
      };
      for (const change of [
        { actor: 'someone else' },
        { at: '2020-01-01T00:00:00.000Z' },
        { evidence_id: photo.id },
        { details: JSON.stringify({ note: 'added later' }) },
      ]) {
        const found = await whileTampered(
          () => store.db.updateTable('evidence_custody').set(change).where('id', '=', collected.id).execute(),
          () => store.db.updateTable('evidence_custody').set(row).where('id', '=', collected.id).execute(),
        );
        expect(found.problem).toMatchObject({ finding: 'record_modified', ...where });
      }
      const deleted = await whileTampered(
        () => store.db.deleteFrom('evidence_custody').where('id', '=', collected.id).execute(),
        () => store.db.insertInto('evidence_custody').values(row).execute(),
      );
      expect(deleted.problem).toMatchObject({ finding: 'record_deleted', ...where });

      // A viewing that never happened, or one hidden: the log must hold exactly what was recorded.
      const inserted = await whileTampered(
        () =>
          store.db
            .insertInto('evidence_custody')
            .values({ ...row, id: FORGED_ID, event: 'viewed', actor: 'nobody' })
            .execute(),
        () => store.db.deleteFrom('evidence_custody').where('id', '=', FORGED_ID).execute(),
      );
      expect(inserted.problem).toMatchObject({
        finding: 'record_inserted',
        recordKind: 'evidence.custody',
        recordId: FORGED_ID,
      });
      expect(inserted.problem?.leafIndex).toBeUndefined();
    });

    it('names a derived copy changed, deleted or inserted', async () => {
      const rendered = photo.derived.find((d) => d.method === 'rendered')!;
      const row = await edb()
        .selectFrom('evidence_derived')
        .selectAll()
        .where('id', '=', rendered.id)
        .executeTakeFirstOrThrow();
      const where = {
        recordKind: 'evidence.derived',
        recordId: rendered.id,
        leafIndex: await leafOf('evidence.derived', rendered.id),
      };
      for (const change of [
        { sha256: photo.derived[0]!.sha256 },
        { width: 1 },
        { params: JSON.stringify({ tool: 'something else' }) },
        { method: 'exif-embedded' },
      ]) {
        const found = await whileTampered(
          () => edb().updateTable('evidence_derived').set(change).where('id', '=', rendered.id).execute(),
          () => edb().updateTable('evidence_derived').set(row).where('id', '=', rendered.id).execute(),
        );
        expect(found.problem).toMatchObject({ finding: 'record_modified', ...where });
      }
      const deleted = await whileTampered(
        () => edb().deleteFrom('evidence_derived').where('id', '=', rendered.id).execute(),
        () => edb().insertInto('evidence_derived').values(row).execute(),
      );
      expect(deleted.problem).toMatchObject({ finding: 'record_deleted', ...where });
      const inserted = await whileTampered(
        () =>
          edb()
            .insertInto('evidence_derived')
            .values({ ...row, id: FORGED_ID })
            .execute(),
        () => edb().deleteFrom('evidence_derived').where('id', '=', FORGED_ID).execute(),
      );
      expect(inserted.problem).toMatchObject({
        finding: 'record_inserted',
        recordKind: 'evidence.derived',
        recordId: FORGED_ID,
      });
    });

    it('names a record of a failed derivation changed, deleted or inserted', async () => {
      const failure = broken.derivationFailures[0]!;
      const row = await edb()
        .selectFrom('evidence_derivation_failures')
        .selectAll()
        .where('id', '=', failure.id)
        .executeTakeFirstOrThrow();
      const where = {
        recordKind: 'evidence.not-derived',
        recordId: failure.id,
        leafIndex: await leafOf('evidence.not-derived', failure.id),
      };
      const modified = await whileTampered(
        () =>
          edb()
            .updateTable('evidence_derivation_failures')
            .set({ reason: 'disk full' })
            .where('id', '=', failure.id)
            .execute(),
        () =>
          edb().updateTable('evidence_derivation_failures').set(row).where('id', '=', failure.id).execute(),
      );
      expect(modified.problem).toMatchObject({ finding: 'record_modified', ...where });
      const deleted = await whileTampered(
        () => edb().deleteFrom('evidence_derivation_failures').where('id', '=', failure.id).execute(),
        () => edb().insertInto('evidence_derivation_failures').values(row).execute(),
      );
      expect(deleted.problem).toMatchObject({ finding: 'record_deleted', ...where });
      const inserted = await whileTampered(
        () =>
          edb()
            .insertInto('evidence_derivation_failures')
            .values({ ...row, id: FORGED_ID, evidence_id: photo.id })
            .execute(),
        () => edb().deleteFrom('evidence_derivation_failures').where('id', '=', FORGED_ID).execute(),
      );
      expect(inserted.problem).toMatchObject({
        finding: 'record_inserted',
        recordKind: 'evidence.not-derived',
        recordId: FORGED_ID,
      });
    });

    it('names evidence leaves whose order was swapped', async () => {
      const a = await leafOf('evidence', photo.id);
      const b = await leafOf('evidence', broken.id);
      const swap = () =>
        store.transaction(async (trx) => {
          await trx.updateTable('ledger_leaves').set({ idx: -1 }).where('idx', '=', a).execute();
          await trx.updateTable('ledger_leaves').set({ idx: a }).where('idx', '=', b).execute();
          await trx.updateTable('ledger_leaves').set({ idx: b }).where('idx', '=', -1).execute();
        });
      const found = await whileTampered(swap, swap);
      expect(found.problem).toMatchObject({ finding: 'leaf_reordered', leafIndex: a, recordId: broken.id });
    });
  });
}
