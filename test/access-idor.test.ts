/**
 * Another participant's record, swapped into every route that names a record: the answer is exactly
 * the answer for an id that was never used, whatever the caller's roles. The record's own readers,
 * with the same roles, do get it, so the test cannot pass by refusing everyone. Accounts and API
 * tokens are records too: a participant's administrator manages only its own participant's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/access/roles.ts';
import type { App } from '../src/app.ts';
import { DIALECTS } from '../src/kernel/store/test-dialects.ts';
import { multipart, png } from '../src/monitoring/evidence/evidence.fixture.ts';
import { aReport, signedInAs, startApp } from './harness.ts';

const NEVER_USED = '01900000-0000-7000-8000-0000000000aa';
/** Named in bodies (reports to split off, incidents to merge): never the record in the path. */
const ALSO_NEVER_USED = '01900000-0000-7000-8000-0000000000bb';
// Every role a person can hold: the permission table never stands in the way, only the label.
const ALL_ROLES: Role[] = [
  'monitor',
  'analyst',
  'commission_delegate',
  'commission_chair',
  'force_planner',
  'support_planner',
  'host_nation_liaison',
  'administrator',
];

interface Operation {
  method: string;
  path: string;
  hasBody: boolean;
}

describe('no insecure direct object references', () => {
  let app: App;
  let ops: Operation[];
  const record: Record<string, string> = {};

  beforeAll(async () => {
    app = await startApp(DIALECTS[0]!);
    const openapi = (await app.http.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    ops = Object.entries(openapi.paths as Record<string, Record<string, { requestBody?: unknown }>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          hasBody: op.requestBody !== undefined,
        })),
    );
    const report = await app.http.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: aReport({
        event: { lon: 35.9, lat: 47.6 },
        observer: { lon: 35.89, lat: 47.6 },
        label: { classification: 'CONFIDENTIAL', releasableTo: ['FRA'] },
      }),
    });
    record.report = report.json().id;
    record.incident = report.json().incidentId;
    const { payload, contentType } = multipart([{ name: 'file', filename: 'p.png', data: png() }]);
    const evidence = await app.http.inject({
      method: 'POST',
      url: `/api/v1/reports/${record.report}/evidence`,
      payload,
      headers: { 'content-type': contentType },
    });
    record.evidence = evidence.json().id;
    const account = await app.accounts.createAccount(
      {
        username: 'idor-fra-account',
        participant: 'FRA',
        displayName: 'A French account',
        roles: ['monitor'],
        password: 'a long enough password',
      },
      'system:test',
    );
    record.account = account.id;
    const token = await app.accounts.issueApiToken(
      {
        owner: { machine: 'sensor:idor-fra', participant: 'FRA' },
        name: 'a French sensor',
        scopes: ['report:submit'],
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      'system:test',
    );
    record.token = token.apiToken.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The path with its record named, or undefined for routes that name no labelled record. */
  function target(
    path: string,
    id: (kind: 'report' | 'incident' | 'evidence' | 'account' | 'token') => string,
  ): string | undefined {
    if (path.startsWith('/api/v1/accounts/{id}')) return path.replace('{id}', id('account'));
    if (path.startsWith('/api/v1/tokens/{id}')) return path.replace('{id}', id('token'));
    if (path.startsWith('/api/v1/reports/{id}')) return path.replace('{id}', id('report'));
    if (path.startsWith('/api/v1/incidents/{id}')) return path.replace('{id}', id('incident'));
    if (path.startsWith('/api/v1/evidence/{id}'))
      return path.replace('{id}', id('evidence')).replace('{derivedId}', NEVER_USED);
    if (path === '/api/v1/ledger/records/{kind}/{id}/opening')
      return `/api/v1/ledger/records/report/${id('report')}/opening`;
    return undefined;
  }

  function validBody(op: Operation): { payload: string | Buffer; contentType: string } | undefined {
    const json = (v: unknown) => ({ payload: JSON.stringify(v), contentType: 'application/json' });
    if (op.path.endsWith('/transitions')) return json({ to: 'triaged', reason: 'looking into it' });
    if (op.path.endsWith('/split')) return json({ reportIds: [ALSO_NEVER_USED], reason: 'looking into it' });
    if (op.path.endsWith('/merge'))
      return json({ incidentIds: [ALSO_NEVER_USED], reason: 'looking into it' });
    if (op.path.endsWith('/custody')) return json({ event: 'copied', recipient: 'the commission' });
    if (op.path.endsWith('/roles')) return json({ roles: ['monitor'] });
    if (op.path.endsWith('/clearance')) return json({ clearance: 'RESTRICTED' });
    if (op.path === '/api/v1/accounts/{id}/password') return json({ newPassword: 'another long password' });
    if (op.path === '/api/v1/reports/{id}/evidence' && op.method === 'POST') {
      const { payload, contentType } = multipart([{ name: 'file', filename: 'q.png', data: png(5, 5) }]);
      return { payload, contentType };
    }
    return op.hasBody ? json({}) : undefined;
  }

  it('answers a foreign record on every route exactly as a record that does not exist', async () => {
    const gbr = await signedInAs(app, ALL_ROLES, 'GBR');
    const fra = await signedInAs(app, ALL_ROLES, 'FRA');
    const targeted: { op: Operation; foreign: string; missing: string }[] = [];
    for (const op of ops) {
      const foreign = target(op.path, (kind) => record[kind]!);
      if (foreign) targeted.push({ op, foreign, missing: target(op.path, () => NEVER_USED)! });
    }
    const call = (op: Operation, url: string, headers: Record<string, string>) => {
      // A valid body where the route takes one, so the answer depends on the record alone.
      const body = validBody(op);
      return app.http.inject({
        method: op.method as 'GET',
        url,
        headers: body ? { ...headers, 'content-type': body.contentType } : headers,
        ...(body ? { payload: body.payload } : {}),
      });
    };
    type Answer = Awaited<ReturnType<typeof call>>;
    const shape = (r: Answer) => `${r.statusCode} ${r.statusCode >= 400 ? r.json().code : 'answered'}`;

    const differences: string[] = [];
    for (const { op, foreign, missing } of targeted) {
      const [theirs, nothing] = [await call(op, foreign, gbr), await call(op, missing, gbr)];
      if (shape(theirs) !== shape(nothing) || theirs.statusCode < 400)
        differences.push(`${op.method} ${op.path}: foreign ${shape(theirs)}, never used ${shape(nothing)}`);
    }
    console.log(
      `idor: ${targeted.length} routes that name a record, each tried with a foreign and an unused id`,
    );
    expect(targeted.length).toBeGreaterThanOrEqual(18);
    expect(differences).toEqual([]);

    // The control: the record's own participant, with the same roles and the same bodies, gets past
    // the record's lookup on every one of those routes, writes included. Its answer for the record
    // differs from its answer for an id never used (ids aside), so no route passes above merely by
    // refusing everyone alike.
    const ids = new RegExp([NEVER_USED, ...Object.values(record)].join('|'), 'g');
    const said = (r: Answer) =>
      `${r.statusCode} ${r.body.replace(ids, 'ID').replace(/"instance":"[^"]*"/, '')}`;
    const unreached: string[] = [];
    for (const { op, foreign, missing } of targeted) {
      const [own, nothing] = [await call(op, foreign, fra), await call(op, missing, fra)];
      if (said(own) === said(nothing)) unreached.push(`${op.method} ${op.path}: ${shape(own)} either way`);
    }
    expect(unreached).toEqual([]);
    const accounts = await app.http.inject({ method: 'GET', url: '/api/v1/accounts', headers: fra });
    expect(accounts.json().items.map((a: { id: string }) => a.id)).toContain(record.account);
  });

  it('filters by a foreign record to nothing', async () => {
    const gbr = await signedInAs(app, ALL_ROLES, 'GBR');
    const listed = await app.http.inject({
      method: 'GET',
      url: `/api/v1/reports?incidentId=${record.incident}`,
      headers: gbr,
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([]);
  });
});
