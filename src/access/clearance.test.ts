/**
 * Clearance in the store and the service: the column's default and check on every dialect, the
 * principal of a session and of a token reading it afresh, and the service's own rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../kernel/http/errors.ts';
import type { Store } from '../kernel/store/store.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import { AccountService } from './account-service.ts';
import { readerOf } from './labels.ts';
import { managerOf } from './manager.ts';

const PASSWORD = 'a long enough password';

async function failure(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (e) {
    return e as Problem;
  }
  throw new Error('expected a failure');
}

for (const dialect of DIALECTS) {
  describe(`account clearance on ${dialect.name}`, () => {
    let store: Store;
    let accounts: AccountService;
    beforeAll(async () => {
      store = await dialect.open();
      accounts = new AccountService(store);
    });
    afterAll(async () => {
      await store?.close();
    });

    const row = (id: string, username: string, clearance?: string) => ({
      id,
      participant: 'FRA',
      username,
      username_key: username,
      display_name: username,
      password_hash: 'x',
      roles: '["monitor"]',
      totp_enabled: 0,
      disabled: 0,
      failed_attempts: 0,
      demo: 0,
      created_at: '2026-11-30T00:00:00.000Z',
      updated_at: '2026-11-30T00:00:00.000Z',
      ...(clearance === undefined ? {} : { clearance }),
    });

    it('clears a row written without one to CONFIDENTIAL, as the accounts from before clearances', async () => {
      // Written as an older version would: without the column.
      await store.db
        .insertInto('accounts')
        .values(row('older-1', 'older-account') as never)
        .execute();
      expect((await accounts.getAccount('older-1'))?.clearance).toBe('CONFIDENTIAL');
    });

    it('keeps anything but a classification out of the column', async () => {
      await expect(
        store.db
          .insertInto('accounts')
          .values(row('bad-1', 'bad-account', 'TOP SECRET') as never)
          .execute(),
      ).rejects.toThrow();
      await expect(
        store.db.updateTable('accounts').set({ clearance: 'secret' }).where('id', '=', 'older-1').execute(),
      ).rejects.toThrow();
      expect((await accounts.getAccount('older-1'))?.clearance).toBe('CONFIDENTIAL');
    });

    it('carries the clearance of the row into the principal of every session and token, read afresh', async () => {
      const account = await accounts.createAccount(
        { username: 'cleared', participant: 'GBR', displayName: 'C', roles: ['analyst'], password: PASSWORD },
        'system:test',
        { demo: true },
      );
      expect(account.clearance).toBe('CONFIDENTIAL');
      const signedIn = await accounts.signIn({ username: 'cleared', password: PASSWORD });
      const { token } = await accounts.issueApiToken(
        {
          owner: { accountId: account.id },
          name: 'script',
          scopes: ['report:read'],
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
        'system:test',
      );
      for (const clearance of ['SECRET', 'PUBLIC', 'RESTRICTED', 'CONFIDENTIAL'] as const) {
        await accounts.setClearance(account.id, clearance, 'system:test');
        const session = await accounts.resolveSession(signedIn.sessionToken);
        const bearer = await accounts.resolveApiToken(token);
        expect(session?.principal).toMatchObject({ clearance });
        expect(session?.account.clearance).toBe(clearance);
        expect(bearer).toMatchObject({ kind: 'account', clearance });
        expect(readerOf(bearer!).clearance).toBe(
          ['PUBLIC', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'].indexOf(clearance),
        );
      }
    });

    it('records who changed a clearance, from what to what, and refuses more than the manager holds', async () => {
      const account = await accounts.findAccount('cleared');
      await accounts.setClearance(account!.id, 'SECRET', 'system:cli');
      const [event] = await accounts.listAccessEvents({ accountId: account!.id, limit: 1 });
      expect(event).toMatchObject({
        event: 'account.clearance_changed',
        actor: 'system:cli',
        details: { from: 'CONFIDENTIAL', to: 'SECRET' },
      });
      const manager = { ...managerOf('admin-1'), clearance: 'RESTRICTED' as const };
      const refused = await failure(accounts.setClearance(account!.id, 'CONFIDENTIAL', manager));
      expect(refused.code).toBe('forbidden');
      expect(refused.field).toBe('clearance');
      expect((await accounts.getAccount(account!.id))?.clearance).toBe('SECRET');
      const invalid = await failure(accounts.setClearance(account!.id, 'TOP' as never, 'system:test'));
      expect(invalid.code).toBe('validation_failed');
    });
  });
}
