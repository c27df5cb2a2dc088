import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../kernel/http/errors.ts';
import { auditLedger } from '../kernel/ledger/audit.ts';
import { commitmentOf } from '../kernel/ledger/leaf.ts';
import type { Store } from '../kernel/store/store.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import { accessAuditor } from './access-auditor.ts';
import { accessEventFromRow, accessLeafContent } from './access-events.ts';
import { AccountService } from './account-service.ts';
import { can } from './principal.ts';
import type { Role } from './roles.ts';
import { generateSecretsKey } from './secret-box.ts';
import { csrfMatches } from './sessions.ts';
import { LOCK_MS } from './throttle.ts';
import { hashToken } from './tokens.ts';
import { totpAt } from './totp.ts';

const PASSWORD = 'a long enough password';
const START = new Date('2026-11-30T08:00:00.000Z');

async function failure(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (e) {
    return e as Problem;
  }
  throw new Error('expected a failure');
}

for (const dialect of DIALECTS) {
  describe(`accounts and sign-in on ${dialect.name}`, () => {
    let store: Store;
    let accounts: AccountService;
    let clock = START;
    const advance = (ms: number) => {
      clock = new Date(clock.getTime() + ms);
    };
    let addressCounter = 0;
    /** A fresh client address per test, so the address throttle of one test does not reach another. */
    const freshAddress = () => `198.51.100.${++addressCounter}`;

    beforeAll(async () => {
      store = await dialect.open();
      accounts = new AccountService(store, { now: () => clock, secretsKey: generateSecretsKey() });
    });
    afterAll(async () => {
      await store?.close();
    });

    const make = (
      username: string,
      roles: Role[] = ['monitor'],
      extra: { demo?: boolean; participant?: string } = {},
    ) =>
      accounts.createAccount(
        {
          username,
          participant: extra.participant ?? 'FRA',
          displayName: `Display ${username}`,
          roles,
          password: PASSWORD,
        },
        'system:test',
        { demo: extra.demo ?? false },
      );

    const count = async (table: 'ledger_leaves' | 'access_events' | 'accounts' | 'sessions') =>
      Number(
        (
          await store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    const lastEvent = async () =>
      accessEventFromRow(
        await store.db
          .selectFrom('access_events')
          .selectAll()
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow(),
      );

    it('creates an account with its event and ledger leaf, and refuses a taken username in any case', async () => {
      const leaves = await count('ledger_leaves');
      const account = await make('Alice.Monitor');
      expect(account).toMatchObject({
        username: 'Alice.Monitor',
        participant: 'FRA',
        roles: ['monitor'],
        totpEnabled: false,
        disabled: false,
        demo: false,
      });
      expect(account).not.toHaveProperty('passwordHash');
      expect(await count('ledger_leaves')).toBe(leaves + 1);
      const event = await lastEvent();
      expect(event).toMatchObject({ event: 'account.created', accountId: account.id, actor: 'system:test' });
      const leaf = await store.db
        .selectFrom('ledger_leaves')
        .selectAll()
        .where('record_id', '=', event.id)
        .executeTakeFirstOrThrow();
      expect(leaf.kind).toBe('access');
      expect(leaf.commitment).toBe(commitmentOf(leaf.salt, accessLeafContent(event)));
      expect(JSON.stringify(event)).not.toContain(PASSWORD);

      expect((await failure(make('alice.MONITOR'))).code).toBe('username_taken');
      expect(await accounts.findAccount('ALICE.monitor')).toMatchObject({ id: account.id });
    });

    it('refuses a weak password, a machine role and a bad username, writing nothing', async () => {
      const before = await count('accounts');
      const weak = await failure(
        accounts.createAccount(
          { username: 'weak', participant: 'FRA', displayName: 'W', roles: ['monitor'], password: 'short' },
          'system:test',
        ),
      );
      expect(weak).toMatchObject({ code: 'password_rejected', field: 'password' });
      expect((await failure(make('machine-person', ['sensor']))).code).toBe('validation_failed');
      expect((await failure(make('bad\nname'))).code).toBe('validation_failed');
      // Only the demonstration makes demo accounts (they skip TOTP): a request body cannot ask for one.
      const demo = {
        username: 'sneaky',
        participant: 'FRA',
        displayName: 'S',
        roles: ['administrator'],
        password: PASSWORD,
        demo: true,
      };
      expect((await failure(accounts.createAccount(demo as never, 'system:test'))).code).toBe(
        'validation_failed',
      );
      expect(await count('accounts')).toBe(before);
    });

    it('signs in with a new session each time, stored only as hashes', async () => {
      await make('bob');
      const a = await accounts.signIn({ username: 'BOB', password: PASSWORD, address: freshAddress() });
      const b = await accounts.signIn({ username: 'bob', password: PASSWORD, address: freshAddress() });
      expect(a.sessionToken).not.toBe(b.sessionToken);
      expect(a.totpEnrolmentRequired).toBe(false);
      const resolved = await accounts.resolveSession(a.sessionToken);
      expect(resolved?.account.username).toBe('bob');
      expect(resolved && can(resolved.principal, 'report:submit')).toBe(true);
      expect(resolved && can(resolved.principal, 'account:manage')).toBe(false);
      expect(resolved && csrfMatches(resolved, a.csrfToken)).toBe(true);
      expect(resolved && csrfMatches(resolved, b.csrfToken)).toBe(false);
      expect(resolved && csrfMatches(resolved, undefined)).toBe(false);

      const rows = await store.db.selectFrom('sessions').selectAll().execute();
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(a.sessionToken);
      expect(dump).not.toContain(a.csrfToken);
      expect(rows.map((r) => r.id)).toContain(hashToken(a.sessionToken));
      const event = await lastEvent();
      expect(event.event).toBe('sign_in');
      expect(JSON.stringify(event)).not.toContain(PASSWORD);
    });

    it('gives one answer for an unknown username, a wrong password, a disabled and a locked account', async () => {
      const locked = await make('locked-user');
      const disabled = await make('disabled-user');
      await accounts.disableAccount(disabled.id, 'system:test');
      for (let i = 0; i < 5; i++) {
        await failure(
          accounts.signIn({ username: 'locked-user', password: 'wrong password!', address: freshAddress() }),
        );
      }
      expect((await accounts.getAccount(locked.id))?.lockedUntil).not.toBeNull();

      const attempts = [
        { username: 'nobody-here', password: PASSWORD },
        { username: 'bob', password: 'not the password' },
        { username: 'disabled-user', password: PASSWORD },
        { username: 'locked-user', password: PASSWORD },
        { username: 'x\r\ny', password: PASSWORD },
      ];
      const answers = [];
      for (const a of attempts) {
        const p = await failure(accounts.signIn({ ...a, address: freshAddress() }));
        answers.push({ status: p.status, json: p.toJSON() });
      }
      expect(answers[0]).toMatchObject({ status: 401, json: { code: 'sign_in_failed' } });
      for (const a of answers) expect(a).toEqual(answers[0]);

      const failed = await store.db
        .selectFrom('access_events')
        .selectAll()
        .where('event', '=', 'sign_in.failed')
        .execute();
      const reasons = failed.map((r) => JSON.parse(r.details).reason);
      expect(reasons).toEqual(
        expect.arrayContaining(['unknown_account', 'wrong_password', 'account_disabled', 'account_locked']),
      );
      // What was typed as a username that does not exist is not kept (it is sometimes a password).
      expect(JSON.stringify(failed)).not.toContain('nobody-here');
    });

    it('locks an account at its 5th failure for 15 minutes, then lets the right password in', async () => {
      await make('carol');
      for (let i = 0; i < 4; i++) {
        await failure(
          accounts.signIn({ username: 'carol', password: `wrong password ${i}`, address: freshAddress() }),
        );
      }
      // The 4th failure has not locked it yet.
      await accounts.signIn({ username: 'carol', password: PASSWORD, address: freshAddress() });
      for (let i = 0; i < 5; i++) {
        await failure(
          accounts.signIn({ username: 'carol', password: `wrong password ${i}`, address: freshAddress() }),
        );
      }
      const refused = await failure(
        accounts.signIn({ username: 'carol', password: PASSWORD, address: freshAddress() }),
      );
      expect(refused.code).toBe('sign_in_failed');
      advance(LOCK_MS);
      await expect(
        accounts.signIn({ username: 'carol', password: PASSWORD, address: freshAddress() }),
      ).resolves.toBeTruthy();
    });

    it('throttles an address by its 10th failure, across usernames, without touching other addresses', async () => {
      await make('dave');
      const address = '2001:db8:aa:bb::1';
      for (let i = 0; i < 10; i++) {
        // Different addresses in the same /64 count as one.
        await failure(
          accounts.signIn({
            username: `guess-${i}`,
            password: 'guess password',
            address: `2001:db8:aa:bb::${i + 1}`,
          }),
        );
      }
      expect((await failure(accounts.signIn({ username: 'dave', password: PASSWORD, address }))).code).toBe(
        'sign_in_failed',
      );
      await expect(
        accounts.signIn({ username: 'dave', password: PASSWORD, address: freshAddress() }),
      ).resolves.toBeTruthy();
      advance(LOCK_MS);
      await expect(accounts.signIn({ username: 'dave', password: PASSWORD, address })).resolves.toBeTruthy();
    });

    it('ends a session at sign-out, and every session at sign-out everywhere, at once', async () => {
      await make('erin');
      const one = await accounts.signIn({ username: 'erin', password: PASSWORD, address: freshAddress() });
      const two = await accounts.signIn({ username: 'erin', password: PASSWORD, address: freshAddress() });
      expect(await accounts.signOut(one.sessionToken)).toBe(true);
      expect(await accounts.resolveSession(one.sessionToken)).toBeUndefined();
      expect(await accounts.resolveSession(two.sessionToken)).toBeDefined();
      expect(await accounts.signOut(one.sessionToken)).toBe(false);
      const three = await accounts.signIn({ username: 'erin', password: PASSWORD, address: freshAddress() });
      expect(await accounts.signOutEverywhere(three.account.id, three.account.id)).toBe(2);
      expect(await accounts.resolveSession(two.sessionToken)).toBeUndefined();
      expect(await accounts.resolveSession(three.sessionToken)).toBeUndefined();
      expect(await accounts.resolveSession('not a token')).toBeUndefined();
    });

    it('ends every session when the password changes, and takes only the new password after', async () => {
      const account = await make('frank');
      const s = await accounts.signIn({ username: 'frank', password: PASSWORD, address: freshAddress() });
      const wrong = await failure(
        accounts.changePassword(account.id, {
          currentPassword: 'not the password',
          newPassword: 'a new long password',
        }),
      );
      expect(wrong).toMatchObject({ code: 'forbidden', field: 'currentPassword' });
      expect(await accounts.resolveSession(s.sessionToken)).toBeDefined();
      const weak = await failure(
        accounts.changePassword(account.id, { currentPassword: PASSWORD, newPassword: 'short' }),
      );
      expect(weak.code).toBe('password_rejected');

      await accounts.changePassword(account.id, {
        currentPassword: PASSWORD,
        newPassword: 'a new long password',
      });
      expect(await accounts.resolveSession(s.sessionToken)).toBeUndefined();
      expect(
        (await failure(accounts.signIn({ username: 'frank', password: PASSWORD, address: freshAddress() })))
          .code,
      ).toBe('sign_in_failed');
      await accounts.signIn({ username: 'frank', password: 'a new long password', address: freshAddress() });
      expect((await lastEvent()).event).toBe('sign_in');
    });

    it('ends every session and token when an account is disabled, and signs it in again once enabled', async () => {
      const account = await make('grace', ['analyst'], { demo: true });
      const s = await accounts.signIn({ username: 'grace', password: PASSWORD, address: freshAddress() });
      const { token } = await accounts.issueApiToken(
        {
          owner: { accountId: account.id },
          name: 'script',
          scopes: ['report:read'],
          expiresAt: new Date(clock.getTime() + 86_400_000).toISOString(),
        },
        account.id,
      );
      expect(await accounts.resolveApiToken(token)).toBeDefined();
      await accounts.disableAccount(account.id, 'system:test');
      expect(await accounts.resolveSession(s.sessionToken)).toBeUndefined();
      expect(await accounts.resolveApiToken(token)).toBeUndefined();
      expect(
        (await failure(accounts.signIn({ username: 'grace', password: PASSWORD, address: freshAddress() })))
          .code,
      ).toBe('sign_in_failed');
      await accounts.enableAccount(account.id, 'system:test');
      await accounts.signIn({ username: 'grace', password: PASSWORD, address: freshAddress() });
      // Disabling revoked the token for good.
      expect(await accounts.resolveApiToken(token)).toBeUndefined();
    });

    it('ends idle sessions and old ones, and writes last-seen at most once a minute', async () => {
      await make('heidi');
      const s = await accounts.signIn({ username: 'heidi', password: PASSWORD, address: freshAddress() });
      const lastSeen = async () =>
        (
          await store.db
            .selectFrom('sessions')
            .select('last_seen_at')
            .where('id', '=', hashToken(s.sessionToken))
            .executeTakeFirstOrThrow()
        ).last_seen_at;
      const signedInAt = await lastSeen();
      advance(59_000);
      await accounts.resolveSession(s.sessionToken);
      expect(await lastSeen()).toBe(signedInAt);
      advance(2_000);
      await accounts.resolveSession(s.sessionToken);
      expect(await lastSeen()).toBe(clock.toISOString());
      // Kept alive by use every 20 minutes, it still ends 12 hours after sign-in.
      for (let i = 0; i < 35; i++) {
        advance(20 * 60_000);
        expect(await accounts.resolveSession(s.sessionToken)).toBeDefined();
      }
      advance(20 * 60_000);
      expect(await accounts.resolveSession(s.sessionToken)).toBeUndefined();

      const idle = await accounts.signIn({ username: 'heidi', password: PASSWORD, address: freshAddress() });
      advance(30 * 60_000);
      expect(await accounts.resolveSession(idle.sessionToken)).toBeUndefined();
    });

    it('asks privileged roles for TOTP: enrolment first, then a code at each sign-in, each code once', async () => {
      const account = await make('ivan', ['analyst']);
      const first = await accounts.signIn({ username: 'ivan', password: PASSWORD, address: freshAddress() });
      expect(first.totpEnrolmentRequired).toBe(true);
      const pending = await accounts.resolveSession(first.sessionToken);
      expect(pending?.principal.totpEnrolmentRequired).toBe(true);
      expect(pending && can(pending.principal, 'report:read')).toBe(false);

      const { secret, uri } = await accounts.enrolTotp(account.id);
      expect(uri).toContain(`secret=${secret}`);
      expect((await failure(accounts.confirmTotp(account.id, '000000'))).code).toBe('totp_invalid');
      await accounts.confirmTotp(account.id, totpAt(secret, clock));
      expect((await failure(accounts.enrolTotp(account.id))).code).toBe('state_conflict');
      const full = await accounts.resolveSession(first.sessionToken);
      expect(full && can(full.principal, 'incident:transition')).toBe(true);

      const address = freshAddress();
      const noCode = await failure(accounts.signIn({ username: 'ivan', password: PASSWORD, address }));
      expect(noCode).toMatchObject({ code: 'totp_required', status: 401 });
      // The code used to confirm is spent.
      const replay = await failure(
        accounts.signIn({ username: 'ivan', password: PASSWORD, totpCode: totpAt(secret, clock), address }),
      );
      expect(replay.code).toBe('sign_in_failed');
      advance(30_000);
      const code = totpAt(secret, clock);
      const signedIn = await accounts.signIn({
        username: 'ivan',
        password: PASSWORD,
        totpCode: code,
        address,
      });
      expect(signedIn.totpEnrolmentRequired).toBe(false);
      expect(
        (await failure(accounts.signIn({ username: 'ivan', password: PASSWORD, totpCode: code, address })))
          .code,
      ).toBe('sign_in_failed');
      // A wrong code with the wrong password is the same failure; a wrong code never says the password was right.
      expect(
        (
          await failure(
            accounts.signIn({ username: 'ivan', password: 'not the password', totpCode: '123456', address }),
          )
        ).code,
      ).toBe('sign_in_failed');

      await accounts.resetTotp(account.id, 'system:test');
      expect(await accounts.resolveSession(signedIn.sessionToken)).toBeUndefined();
      const again = await accounts.signIn({ username: 'ivan', password: PASSWORD, address: freshAddress() });
      expect(again.totpEnrolmentRequired).toBe(true);
    });

    it('does not ask demonstration accounts for TOTP, and turns it on for an account that becomes privileged', async () => {
      await make('demo-chair-test', ['commission_chair'], { demo: true });
      const demo = await accounts.signIn({
        username: 'demo-chair-test',
        password: PASSWORD,
        address: freshAddress(),
      });
      expect(demo.totpEnrolmentRequired).toBe(false);

      const judy = await make('judy', ['monitor']);
      const s = await accounts.signIn({ username: 'judy', password: PASSWORD, address: freshAddress() });
      await accounts.setRoles(judy.id, ['monitor', 'administrator'], 'system:test');
      const now = await accounts.resolveSession(s.sessionToken);
      expect(now?.principal.totpEnrolmentRequired).toBe(true);
      expect(now && can(now.principal, 'account:manage')).toBe(false);
      expect((await lastEvent()).details).toEqual({ from: ['monitor'], to: ['monitor', 'administrator'] });
    });

    it('issues scoped API tokens that expire, can be revoked and never exceed their owner', async () => {
      const owner = await make('kim', ['monitor']);
      const expiresAt = new Date(clock.getTime() + 3600_000).toISOString();
      const { token, apiToken } = await accounts.issueApiToken(
        { owner: { accountId: owner.id }, name: 'field\u202Escript', scopes: ['report:submit'], expiresAt },
        owner.id,
      );
      expect(token.startsWith('gtr_')).toBe(true);
      expect(apiToken.name).toBe('field script');
      const stored = await store.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('id', '=', apiToken.id)
        .executeTakeFirstOrThrow();
      expect(stored.token_hash).toBe(hashToken(token));
      expect(JSON.stringify(stored)).not.toContain(token);

      const p = await accounts.resolveApiToken(token);
      expect(p && can(p, 'report:submit')).toBe(true);
      expect(p && can(p, 'report:read')).toBe(false);
      // A token that lists account:self (issued before tokens were refused it) still cannot use it.
      await store.db
        .updateTable('api_tokens')
        .set({ scopes: JSON.stringify(['report:submit', 'account:self']) })
        .where('id', '=', apiToken.id)
        .execute();
      const listed = await accounts.resolveApiToken(token);
      expect(listed && can(listed, 'account:self')).toBe(false);
      expect(listed && can(listed, 'report:submit')).toBe(true);
      await accounts.setRoles(owner.id, ['force_planner'], 'system:test');
      const demoted = await accounts.resolveApiToken(token);
      expect(demoted && can(demoted, 'report:submit')).toBe(false);

      const beyond = await failure(
        accounts.issueApiToken(
          { owner: { accountId: owner.id }, name: 'x', scopes: ['account:manage'], expiresAt },
          owner.id,
        ),
      );
      expect(beyond).toMatchObject({ code: 'unprocessable', field: 'scopes' });
      // Every person may look after their own account, but only from a signed-in session.
      const own = await failure(
        accounts.issueApiToken(
          { owner: { accountId: owner.id }, name: 'x', scopes: ['report:submit', 'account:self'], expiresAt },
          owner.id,
        ),
      );
      expect(own).toMatchObject({ code: 'unprocessable', field: 'scopes' });
      expect(own.message).toContain('account:self');
      const machineBeyond = await failure(
        accounts.issueApiToken(
          {
            owner: { machine: 'uav-7', participant: 'GBR' },
            name: 'x',
            scopes: ['incident:transition'],
            expiresAt,
          },
          'system:test',
        ),
      );
      expect(machineBeyond.code).toBe('unprocessable');
      const past = await failure(
        accounts.issueApiToken(
          {
            owner: { machine: 'uav-7', participant: 'GBR' },
            name: 'x',
            scopes: ['report:submit'],
            expiresAt: START.toISOString(),
          },
          'system:test',
        ),
      );
      expect(past).toMatchObject({ code: 'validation_failed', field: 'expiresAt' });

      const machine = await accounts.issueApiToken(
        {
          owner: { machine: 'uav-7', participant: 'GBR' },
          name: 'UAV 7',
          scopes: ['report:submit', 'evidence:upload'],
          expiresAt,
        },
        'system:test',
      );
      const mp = await accounts.resolveApiToken(machine.token);
      expect(mp).toMatchObject({ kind: 'machine', machine: 'uav-7', participant: 'GBR' });
      expect(mp && can(mp, 'evidence:upload')).toBe(true);
      expect(mp && can(mp, 'report:read')).toBe(false);

      await accounts.revokeApiToken(machine.apiToken.id, 'system:test');
      expect(await accounts.resolveApiToken(machine.token)).toBeUndefined();
      expect((await failure(accounts.revokeApiToken(machine.apiToken.id, 'system:test'))).code).toBe(
        'state_conflict',
      );
      advance(3600_000);
      expect(await accounts.resolveApiToken(token)).toBeUndefined();
      expect(await accounts.resolveApiToken(`gtr_${'A'.repeat(43)}`)).toBeUndefined();
      expect(await accounts.resolveApiToken('gtr_short')).toBeUndefined();
    });

    it('writes every change and its leaf in one transaction: when the leaf cannot be written, nothing is', async () => {
      await make('leo');
      const before = await Promise.all([count('accounts'), count('sessions'), count('access_events')]);
      const leo = await store.db
        .selectFrom('accounts')
        .selectAll()
        .where('username', '=', 'leo')
        .executeTakeFirstOrThrow();
      if (store.dialect === 'sqlite') {
        await sql`create trigger refuse_leaves before insert on ledger_leaves begin select raise(abort, 'no leaves'); end`.execute(
          store.db,
        );
      } else {
        await sql`create function refuse_leaves() returns trigger language plpgsql as $$ begin raise exception 'no leaves'; end $$`.execute(
          store.db,
        );
        await sql`create trigger refuse_leaves before insert on ledger_leaves for each row execute function refuse_leaves()`.execute(
          store.db,
        );
      }
      try {
        await expect(make('leo-2')).rejects.toThrow(/no leaves/);
        await expect(
          accounts.signIn({ username: 'leo', password: PASSWORD, address: freshAddress() }),
        ).rejects.toThrow(/no leaves/);
        await expect(
          accounts.signIn({ username: 'leo', password: 'wrong password', address: freshAddress() }),
        ).rejects.toThrow(/no leaves/);
        await expect(accounts.disableAccount(leo.id, 'system:test')).rejects.toThrow(/no leaves/);
      } finally {
        if (store.dialect === 'sqlite') await sql`drop trigger refuse_leaves`.execute(store.db);
        else {
          await sql`drop trigger refuse_leaves on ledger_leaves`.execute(store.db);
          await sql`drop function refuse_leaves()`.execute(store.db);
        }
      }
      expect(await Promise.all([count('accounts'), count('sessions'), count('access_events')])).toEqual(
        before,
      );
      const after = await store.db
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', leo.id)
        .executeTakeFirstOrThrow();
      expect(after).toEqual(leo);
    });

    it('passes the ledger audit, which names an access event changed, deleted or added behind its back', async () => {
      const audit = () => auditLedger(store, { auditors: [accessAuditor] });
      const ok = await audit();
      expect(ok.ok).toBe(true);
      expect(ok.counts.records.access).toBe(await count('access_events'));

      const victim = await store.db
        .selectFrom('access_events')
        .selectAll()
        .where('event', '=', 'sign_in.failed')
        .orderBy('id')
        .limit(1)
        .executeTakeFirstOrThrow();
      await store.db
        .updateTable('access_events')
        .set({ address: '192.0.2.1' })
        .where('id', '=', victim.id)
        .execute();
      expect((await audit()).problem).toMatchObject({ finding: 'record_modified', recordId: victim.id });
      await store.db.deleteFrom('access_events').where('id', '=', victim.id).execute();
      expect((await audit()).problem).toMatchObject({ finding: 'record_deleted', recordId: victim.id });
      await store.db.insertInto('access_events').values(victim).execute();
      expect((await audit()).ok).toBe(true);
      await store.db
        .insertInto('access_events')
        .values({
          ...victim,
          id:
            `${victim.id.slice(0, -1)}0` === victim.id
              ? `${victim.id.slice(0, -1)}1`
              : `${victim.id.slice(0, -1)}0`,
        })
        .execute();
      expect((await audit()).problem).toMatchObject({ finding: 'record_inserted', recordKind: 'access' });
    });
  });
}
