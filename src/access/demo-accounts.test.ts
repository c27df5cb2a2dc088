import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../kernel/store/store.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import { AccountService } from './account-service.ts';
import { createDemoAccounts, DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SENSOR_TOKEN } from './demo-accounts.ts';
import { can } from './principal.ts';
import { ROLES } from './roles.ts';
import { isApiTokenShaped } from './tokens.ts';

for (const dialect of DIALECTS) {
  describe(`demonstration accounts on ${dialect.name}`, () => {
    let store: Store;
    let accounts: AccountService;
    beforeAll(async () => {
      store = await dialect.open();
      accounts = new AccountService(store);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('makes one marked account per role, each usable with the published password and no TOTP', async () => {
      const list = await createDemoAccounts(accounts);
      expect(list.map((a) => a.role).sort()).toEqual([...ROLES].sort());
      expect(isApiTokenShaped(DEMO_SENSOR_TOKEN)).toBe(true);
      for (const demo of list.filter((a) => a.kind === 'account')) {
        const account = await accounts.findAccount(demo.username);
        expect(account).toMatchObject({
          demo: true,
          roles: [demo.role],
          participant: demo.participant,
          clearance: demo.clearance,
        });
        const s = await accounts.signIn({
          username: demo.username,
          password: DEMO_PASSWORD,
          address: '192.0.2.7',
        });
        expect(s.totpEnrolmentRequired).toBe(false);
        const resolved = await accounts.resolveSession(s.sessionToken);
        expect(resolved && can(resolved.principal, 'publication:read')).toBe(true);
      }
      // The analyst shows a clearance above the default; the secretariat's administrator may give it.
      expect(list.find((a) => a.username === 'demo-analyst')?.clearance).toBe('SECRET');
      expect(list.find((a) => a.username === 'demo-administrator')).toMatchObject({
        participant: 'CWS',
        clearance: 'SECRET',
      });
      expect(
        list
          .filter((a) => a.clearance === 'SECRET')
          .map((a) => a.username)
          .sort(),
      ).toEqual(['demo-administrator', 'demo-analyst']);
      const admin = await accounts.signIn({ username: 'demo-administrator', password: DEMO_PASSWORD });
      const resolvedAdmin = await accounts.resolveSession(admin.sessionToken);
      expect(resolvedAdmin && can(resolvedAdmin.principal, 'account:manage')).toBe(true);
      const sensor = await accounts.resolveApiToken(DEMO_SENSOR_TOKEN);
      expect(sensor).toMatchObject({ kind: 'machine', machine: 'demo-sensor' });
      expect(sensor && can(sensor, 'report:submit')).toBe(true);
      expect(sensor && can(sensor, 'report:read')).toBe(false);
    });

    it('can run again without making anything twice', async () => {
      const before = await store.db.selectFrom('accounts').select('id').execute();
      expect(await createDemoAccounts(accounts)).toEqual(DEMO_ACCOUNTS);
      expect(await store.db.selectFrom('accounts').select('id').execute()).toEqual(before);
      expect(await store.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(1);
    });
  });
}
