import { generateKeyPairSync, sign } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReport, authorize, count } from '../../../test/harness.ts';
import { generateSecretsKey } from '../../access/secret-box.ts';
import { type App, createApp } from '../../app.ts';
import { loadConfig } from '../../kernel/config/config.ts';
import { canonicalJson } from '../../kernel/ledger/canonical.ts';
import { generateLogKey } from '../../kernel/ledger/log-key.ts';
import { DIALECTS } from '../../kernel/store/test-dialects.ts';

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64'),
    privateKey,
  };
}

function signed(report: Record<string, unknown>, privateKey: ReturnType<typeof keyPair>['privateKey']) {
  const value = sign(null, Buffer.from(canonicalJson(report)), privateKey).toString('base64');
  return { ...report, signature: { value } };
}

for (const dialect of DIALECTS) {
  describe(`signed reports and devices on ${dialect.name}`, () => {
    let app: App;
    const sensor = keyPair();
    const source = { kind: 'sensor', id: 'acoustic-12', participant: 'NLD' };
    beforeAll(async () => {
      const store = await dialect.open();
      // Patrols may send unsigned reports here; sensors must sign.
      app = await authorize(
        await createApp(loadConfig({ GUARANTOR_DEMO: 'off', GUARANTOR_UNSIGNED_SOURCES: 'patrol,party' }), {
          store,
          logger: pino({ level: 'silent' }),
          logKey: generateLogKey(),
          secretsKey: generateSecretsKey(),
        }),
      );
    });
    afterAll(async () => {
      await app?.close();
    });

    const post = (url: string, payload: object) => app.http.inject({ method: 'POST', url, payload });

    it('enrols a device and refuses small-order or malformed keys', async () => {
      const res = await post('/api/v1/devices', {
        sourceKind: 'sensor',
        sourceId: 'acoustic-12',
        participant: 'NLD',
        name: 'Acoustic array 12',
        publicKey: sensor.publicKey,
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        sourceKind: 'sensor',
        publicKey: sensor.publicKey,
        revokedAt: null,
      });
      const twice = await post('/api/v1/devices', {
        sourceKind: 'sensor',
        sourceId: 'acoustic-12',
        participant: 'NLD',
        name: 'again',
        publicKey: keyPair().publicKey,
      });
      expect(twice.statusCode).toBe(409);
      const identity = Buffer.alloc(32);
      identity[0] = 1;
      const weak = await post('/api/v1/devices', {
        sourceKind: 'sensor',
        sourceId: 'weak',
        participant: 'NLD',
        name: 'weak',
        publicKey: identity.toString('base64'),
      });
      expect(weak.statusCode).toBe(422);
      expect(weak.json()).toMatchObject({ field: 'publicKey' });
      expect(weak.json().detail).toContain('small order');
      const short = await post('/api/v1/devices', {
        sourceKind: 'sensor',
        sourceId: 'short',
        participant: 'NLD',
        name: 'short',
        publicKey: 'AAAA',
      });
      expect(short.statusCode).toBe(422);
    });

    it('stores a report whose signature verifies, and shows who signed it', async () => {
      const body = signed(aReport({ source }), sensor.privateKey);
      const res = await post('/api/v1/reports', body);
      expect(res.statusCode).toBe(201);
      const report = res.json();
      expect(report.signedBy).toBeTruthy();
      expect(report.signature.value).toBe((body.signature as { value: string }).value);
      // The same signed body again is the same report.
      expect((await post('/api/v1/reports', body)).statusCode).toBe(200);
    });

    it('refuses a tampered report, an unsigned one from a sensor, and a signature from an unknown device', async () => {
      const before = await count(app, 'reports');
      const body = signed(aReport({ source }), sensor.privateKey);
      const tampered = await post('/api/v1/reports', { ...body, count: 99 });
      expect(tampered.statusCode).toBe(422);
      expect(tampered.json()).toMatchObject({ code: 'invalid_signature', field: 'signature' });
      const unsigned = await post('/api/v1/reports', aReport({ source }));
      expect(unsigned.json()).toMatchObject({ status: 422, code: 'signature_required' });
      const stranger = signed(
        aReport({ source: { kind: 'sensor', id: 'unknown-7', participant: 'NLD' } }),
        keyPair().privateKey,
      );
      expect((await post('/api/v1/reports', stranger)).json().code).toBe('invalid_signature');
      expect(await count(app, 'reports')).toBe(before);
      // Patrols are allowed to send unsigned reports in this deployment.
      expect((await post('/api/v1/reports', aReport())).statusCode).toBe(201);
    });

    it('checks signatures on bulk imports row by row', async () => {
      const good = signed(aReport({ source }), sensor.privateKey);
      const bad = { ...signed(aReport({ source }), sensor.privateKey), notes: 'changed after signing' };
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/reports/import',
        headers: { 'content-type': 'application/x-ndjson' },
        payload: `${JSON.stringify(good)}\n${JSON.stringify(bad)}\n`,
      });
      expect(res.json()).toMatchObject({ accepted: 1, rejected: 1 });
      expect(res.json().errors[0]).toMatchObject({ line: 2, field: 'signature', code: 'invalid_signature' });
    });

    it('stops accepting a revoked device’s signatures', async () => {
      const devices = (await app.http.inject({ method: 'GET', url: '/api/v1/devices' })).json().items;
      const id = devices.find((d: { sourceId: string }) => d.sourceId === 'acoustic-12').id;
      const revoked = await post(`/api/v1/devices/${id}/revoke`, { reason: 'handset lost on patrol' });
      expect(revoked.statusCode).toBe(200);
      expect(revoked.json().revokedAt).toBeTruthy();
      const res = await post('/api/v1/reports', signed(aReport({ source }), sensor.privateKey));
      expect(res.json().code).toBe('invalid_signature');
    });
  });
}
