import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, secretariatTokenFor, signedInAs, startApp } from '../../test/harness.ts';
import type { App } from '../app.ts';
import type { Io } from '../cli/io.ts';
import { verifyRecord } from '../cli/verify.ts';
import { commitmentOf } from '../kernel/ledger/leaf.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import { multipart, png } from './evidence/evidence.fixture.ts';

function capture(): Io & { text(): string } {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => lines.push(l), text: () => lines.join('\n') };
}

for (const dialect of DIALECTS) {
  describe(`opening a record's leaf on ${dialect.name}`, () => {
    let app: App;
    let url: string;
    let token: string;
    let id: string;
    beforeAll(async () => {
      app = await startApp(dialect);
      url = await app.http.listen({ host: '127.0.0.1', port: 0 });
      token = await secretariatTokenFor(app.accounts);
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: aReport({ label: { classification: 'CONFIDENTIAL', releasableTo: ['FRA'] } }),
      });
      id = res.json().id;
      await app.ledger.checkpoint();
    });
    afterAll(async () => {
      await app?.close();
    });

    it('releases content and salt to a reader of the record, and they recompute the commitment', async () => {
      const fra = await signedInAs(app, ['analyst'], 'FRA');
      const res = await app.http.inject({
        method: 'GET',
        url: `/api/v1/ledger/records/report/${id}/opening`,
        headers: fra,
      });
      expect(res.statusCode).toBe(200);
      const opening = res.json();
      expect(opening.content.id).toBe(id);
      expect(commitmentOf(opening.salt, opening.content)).toBe(opening.commitment);
    });

    it('answers anyone else as if there were nothing to open', async () => {
      const gbr = await signedInAs(app, ['analyst'], 'GBR');
      for (const headers of [gbr, { authorization: undefined } as unknown as Record<string, string>]) {
        const res = await app.http.inject({
          method: 'GET',
          url: `/api/v1/ledger/records/report/${id}/opening`,
          headers,
        });
        expect(res.statusCode).toBe(404);
      }
    });

    it('lets guarantor verify record check the content where the reader may see it', async () => {
      const vkey = app.ledger.vkey;
      const reader = capture();
      expect(await verifyRecord('report', id, { url, key: vkey, token }, reader)).toBe(0);
      expect(reader.text()).toContain('content: matches leaf');
      const outsider = capture();
      expect(await verifyRecord('report', id, { url, key: vkey }, outsider)).toBe(0);
      expect(outsider.text()).toContain('content: not released to this reader');
    });

    it('opens evidence for the readers of its report, and the access trail for its reviewers', async () => {
      const { payload, contentType } = multipart([{ name: 'file', filename: 'p.png', data: png() }]);
      const up = await app.http.inject({
        method: 'POST',
        url: `/api/v1/reports/${id}/evidence`,
        payload,
        headers: { 'content-type': contentType },
      });
      const item = up.json().id as string;
      const open = (kind: string, record: string, headers: Record<string, string>) =>
        app.http.inject({ method: 'GET', url: `/api/v1/ledger/records/${kind}/${record}/opening`, headers });
      const fra = await signedInAs(app, ['analyst'], 'FRA');
      const gbr = await signedInAs(app, ['analyst'], 'GBR');
      const opened = await open('evidence', item, fra);
      expect(opened.statusCode).toBe(200);
      expect(commitmentOf(opened.json().salt, opened.json().content)).toBe(opened.json().commitment);
      expect((await open('evidence', item, gbr)).statusCode).toBe(404);

      const [event] = await app.accounts.listAccessEvents({ limit: 1 });
      const admin = await signedInAs(app, ['administrator'], 'FRA');
      const trail = await open('access', event!.id, admin);
      expect(trail.statusCode).toBe(200);
      expect(commitmentOf(trail.json().salt, trail.json().content)).toBe(trail.json().commitment);
      expect((await open('access', event!.id, await signedInAs(app, ['monitor'], 'FRA'))).statusCode).toBe(
        404,
      );
    });

    it('refuses to open a record changed behind Guarantor’s back', async () => {
      await app.store.db.updateTable('reports').set({ oblast: 'UA-32' }).where('id', '=', id).execute();
      const res = await app.http.inject({
        method: 'GET',
        url: `/api/v1/ledger/records/report/${id}/opening`,
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('state_conflict');
    });
  });
}
