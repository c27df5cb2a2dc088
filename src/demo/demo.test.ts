import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, startApp } from '../../test/harness.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../access/demo-accounts.ts';
import type { App } from '../app.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';

describe('the demonstration scenario', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp(DIALECTS[0]!, 'on');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('gives every demo account its published password, and each sees its own share of the record', async () => {
    const seen: Record<string, number> = {};
    for (const account of DEMO_ACCOUNTS.filter((a) => a.kind !== 'machine')) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: account.username, password: DEMO_PASSWORD },
        headers: ANONYMOUS,
      });
      expect(res.statusCode, account.username).toBe(200);
      expect(res.json().account.demo).toBe(true);
      const cookie = ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .map((c) => c.split(';')[0])
        .join('; ');
      const summaries = await app.http.inject({
        method: 'GET',
        url: '/api/v1/daily-summaries',
        headers: { cookie },
      });
      seen[account.username] = summaries
        .json()
        .items.reduce((n: number, d: { incidents: number }) => n + d.incidents, 0);
    }
    const anonymous = await app.http.inject({
      method: 'GET',
      url: '/api/v1/daily-summaries',
      headers: ANONYMOUS,
    });
    const published = anonymous
      .json()
      .items.reduce((n: number, d: { incidents: number }) => n + d.incidents, 0);
    // The public reads the published part; a member's analyst reads more, but not what another
    // member holds nationally, which only the secretariat sees.
    expect(published).toBeGreaterThan(50);
    expect(seen['demo-analyst']).toBeGreaterThan(published);
    const secretariat = (await app.http.inject({ method: 'GET', url: '/api/v1/daily-summaries' }))
      .json()
      .items.reduce((n: number, d: { incidents: number }) => n + d.incidents, 0);
    expect(secretariat).toBeGreaterThan(seen['demo-analyst']!);
    // Two British accounts: the analyst, cleared to SECRET, reads the secret events the force planner
    // (CONFIDENTIAL) does not.
    expect(seen['demo-analyst']).toBeGreaterThan(seen['demo-force-planner']!);
    expect(seen['demo-force-planner']).toBeGreaterThan(published);
  }, 60_000);
});
