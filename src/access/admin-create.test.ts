import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../cli/io.ts';
import type { Store } from '../kernel/store/store.ts';
import { DIALECTS } from '../kernel/store/test-dialects.ts';
import { AccountService } from './account-service.ts';
import { adminCreate } from './admin-create.ts';

function collector(): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (l) => outs.push(l), err: (l) => errs.push(l) };
}

for (const dialect of DIALECTS) {
  describe(`guarantor admin create on ${dialect.name}`, () => {
    let store: Store;
    const dir = mkdtempSync(join(tmpdir(), 'guarantor-admin-'));
    beforeAll(async () => {
      store = await dialect.open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('makes an administrator from a password file, who must then enrol TOTP', async () => {
      const file = join(dir, 'password');
      writeFileSync(file, 'the first administrator\n');
      const io = collector();
      const code = await adminCreate(
        store,
        { username: 'root-admin', participant: 'FRA', passwordFile: file },
        io,
      );
      expect(code).toBe(0);
      expect(io.outs[0]).toMatch(/^created administrator root-admin \(FRA\)/);
      const accounts = new AccountService(store);
      const signedIn = await accounts.signIn({ username: 'root-admin', password: 'the first administrator' });
      expect(signedIn.account.roles).toEqual(['administrator']);
      expect(signedIn.totpEnrolmentRequired).toBe(true);
      const events = await accounts.listAccessEvents({ accountId: signedIn.account.id });
      expect(events.map((e) => e.event)).toEqual(['sign_in', 'account.created']);
      expect(events[1]?.actor).toBe('system:cli');
    });

    it('refuses a username that exists, in any case, and changes nothing', async () => {
      const io = collector();
      let asked = false;
      const code = await adminCreate(store, { username: 'ROOT-admin', participant: 'GBR' }, io, {
        promptSecret: async () => {
          asked = true;
          return 'whatever password';
        },
      });
      expect(code).toBe(1);
      expect(asked).toBe(false);
      expect(io.errs[0]).toMatch(/exists already/);
      expect(await store.db.selectFrom('accounts').select('id').execute()).toHaveLength(1);
    });

    it('asks twice on a terminal, and refuses a short or mismatched password', async () => {
      const answers = (list: string[]) => {
        let i = 0;
        return { promptSecret: async () => list[i++] ?? '' };
      };
      const short = collector();
      expect(
        await adminCreate(store, { username: 'second', participant: 'GBR' }, short, answers(['short'])),
      ).toBe(1);
      expect(short.errs[0]).toMatch(/at least 12/);
      const differ = collector();
      expect(
        await adminCreate(
          store,
          { username: 'second', participant: 'GBR' },
          differ,
          answers(['one long password', 'another one']),
        ),
      ).toBe(1);
      expect(differ.errs[0]).toMatch(/differ/);
      const none = collector();
      expect(await adminCreate(store, { username: 'second', participant: 'GBR' }, none)).toBe(1);
      expect(none.errs[0]).toMatch(/--password-file/);
      const ok = collector();
      expect(
        await adminCreate(
          store,
          { username: 'second', participant: 'GBR', displayName: 'Second\u001b[31m admin' },
          ok,
          answers(['one long password', 'one long password']),
        ),
      ).toBe(0);
      expect((await new AccountService(store).findAccount('second'))?.displayName).toBe('Second [31m admin');
    });

    it('reads the password from standard input with -, and reports a bad participant without a stack', async () => {
      const io = collector();
      const code = await adminCreate(
        store,
        { username: 'third', participant: 'france', passwordFile: '-' },
        io,
        {
          readStdin: () => 'a piped long password\r\n',
        },
      );
      expect(code).toBe(1);
      expect(io.errs[0]).toMatch(/^refused: participant:/);
      const good = collector();
      expect(
        await adminCreate(store, { username: 'third', participant: 'DEU', passwordFile: '-' }, good, {
          readStdin: () => 'a piped long password\r\n',
        }),
      ).toBe(0);
      await new AccountService(store).signIn({ username: 'third', password: 'a piped long password' });
    });

    it('clears the administrator to CONFIDENTIAL, or to the --clearance given, and refuses one that is not a classification', async () => {
      const file = join(dir, 'clearance-password');
      writeFileSync(file, 'a cleared administrator\n');
      const accounts = new AccountService(store);
      expect((await accounts.findAccount('third'))?.clearance).toBe('CONFIDENTIAL');
      const io = collector();
      expect(
        await adminCreate(
          store,
          { username: 'cleared-admin', participant: 'CWS', clearance: 'SECRET', passwordFile: file },
          io,
        ),
      ).toBe(0);
      expect(io.outs[0]).toMatch(/^created administrator cleared-admin \(CWS\), cleared to SECRET, id /);
      expect((await accounts.findAccount('cleared-admin'))?.clearance).toBe('SECRET');
      const wrong = collector();
      let asked = false;
      expect(
        await adminCreate(
          store,
          { username: 'wrong-clearance', participant: 'CWS', clearance: 'secret' },
          wrong,
          {
            promptSecret: async () => {
              asked = true;
              return 'whatever long password';
            },
          },
        ),
      ).toBe(1);
      expect(asked).toBe(false);
      expect(wrong.errs[0]).toBe('refused: clearance: one of PUBLIC, RESTRICTED, CONFIDENTIAL, SECRET');
      expect(await accounts.findAccount('wrong-clearance')).toBeUndefined();
    });
  });
}
