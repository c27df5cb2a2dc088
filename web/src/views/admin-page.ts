/**
 * Administration: accounts and API tokens. Administrators run who may sign in, with which roles and
 * cleared to read what; their own roles do not make them readers of reports or incidents, and this
 * page shows none. The server decides what each administrator may manage and give (the secretariat's
 * every participant's accounts, others their own; no clearance above their own); the page offers no
 * clearance above the administrator's own, so it does not invite a refusal.
 */
import { usernameKey } from '../../../src/access/account-model.ts';
import { CLASSIFICATIONS, SECRETARIAT } from '../../../src/access/labels.ts';
import { MACHINE_SCOPES, ROLES } from '../../../src/access/roles.ts';
import { counted } from '../../../src/kernel/text/counted.ts';
import {
  ACTION_LABELS,
  type Classification,
  grantableClearances,
  PASSWORD_MIN,
  type Role,
  roleLabel,
  rolesText,
} from '../access.ts';
import { type Account, type ApiToken, api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { formatTime } from '../format.ts';
import { card } from './card.ts';
import { type Field, field, onAction, showErrors } from './forms.ts';
import type { View } from './view.ts';

const PERSON_ROLES = ROLES.filter((r) => r !== 'sensor');
const TOKEN_DAYS = [30, 90, 365] as const;

export const adminPage: View = (root, ctx) => {
  document.title = 'Administration — Guarantor';
  let disposed = false;
  const me = ctx.session.account?.id;
  const grantable = grantableClearances(ctx.session.account?.clearance ?? 'PUBLIC');
  // A participant's administrators make accounts and machine tokens of their own participant only,
  // and only the secretariat's make administrators.
  const own = ctx.session.account?.participant ?? '';
  const secretariat = own === SECRETARIAT;
  const participantInput = () =>
    h('input', {
      type: 'text',
      name: 'participant',
      autocomplete: 'off',
      maxlength: 16,
      ...(secretariat ? {} : { value: own, readonly: true }),
    });
  const participantHint = (what: string) =>
    secretariat ? undefined : `Administrators of ${own} make ${what} of ${own} only.`;
  let accounts: Account[] = [];

  const accountsSlot = h('div', {}, h('p', { role: 'status' }, 'Loading accounts…'));
  const tokensSlot = h('div', {}, h('p', { role: 'status' }, 'Loading API tokens…'));
  const resetSlot = h('div', {});
  const flash = h('p', { class: 'flash', role: 'status', tabindex: '-1', hidden: true });

  mount(
    root,
    h('h1', {}, 'Administration'),
    h(
      'p',
      { class: 'muted' },
      'Accounts and API tokens. Every change here is recorded in the ',
      h('a', { href: '/access-trail' }, 'access trail'),
      ' and the ledger.',
    ),
    flash,
    card({ key: 'accounts', title: 'Accounts' }, accountsSlot, resetSlot),
    card({ key: 'new-account', title: 'New account' }, newAccountForm()),
    card(
      {
        key: 'tokens',
        title: 'API tokens',
        hint: 'For sensors, devices and members’ integrations. A token is shown once when issued; Guarantor keeps only its hash.',
      },
      tokensSlot,
      h('h3', {}, 'Issue a token for a machine'),
      tokenForm(),
    ),
  );

  function say(message: string): void {
    flash.hidden = false;
    flash.textContent = message;
    flash.focus();
  }

  function loadAccounts(): void {
    api
      .accounts()
      .then(({ items }) => {
        if (disposed) return;
        accounts = items;
        mount(accountsSlot, accountsTable(items));
      })
      .catch((error: Error) => {
        if (!disposed)
          mount(accountsSlot, h('p', { role: 'alert' }, `Could not load accounts: ${error.message}`));
      });
  }

  /**
   * Shows `changed` in place of its old row, or among the others for a new account, from what the
   * server answered to the change: the list is not asked for again.
   */
  function showAccount(changed: Account): void {
    const key = (a: Account) => usernameKey(a.username) ?? a.username;
    accounts = accounts.some((a) => a.id === changed.id)
      ? accounts.map((a) => (a.id === changed.id ? changed : a))
      : [...accounts, changed].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    mount(accountsSlot, accountsTable(accounts));
  }

  function loadTokens(): void {
    api
      .tokens()
      .then(({ items }) => {
        if (!disposed) mount(tokensSlot, tokensTable(items));
      })
      .catch((error: Error) => {
        if (!disposed)
          mount(tokensSlot, h('p', { role: 'alert' }, `Could not load API tokens: ${error.message}`));
      });
  }

  function state(a: Account): string {
    if (a.disabled) return 'disabled';
    if (a.lockedUntil && Date.parse(a.lockedUntil) > Date.now())
      return `locked until ${formatTime(a.lockedUntil)}`;
    return 'active';
  }

  function accountsTable(items: Account[]): HTMLElement {
    return h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data', 'data-testid': 'accounts-table' },
        h('caption', {}, `${counted(items.length, 'account')}`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              'Username',
              'Name',
              'Participant',
              'Roles',
              'Clearance',
              'Authenticator',
              'State',
              'Actions',
            ].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          ...items.map((a) =>
            h(
              'tr',
              { 'data-username': a.username },
              h(
                'th',
                { scope: 'row' },
                h('code', {}, a.username),
                a.demo ? h('span', { class: 'who-demo' }, 'demo') : null,
              ),
              h('td', {}, a.displayName),
              h('td', {}, a.participant),
              h('td', {}, rolesText(a.roles)),
              h('td', { 'data-testid': 'account-clearance' }, a.clearance),
              h('td', {}, a.totpEnabled ? 'set up' : 'not set up'),
              h('td', {}, state(a)),
              h('td', { class: 'row-actions' }, ...accountActions(a)),
            ),
          ),
        ),
      ),
    );
  }

  function accountActions(a: Account): HTMLElement[] {
    // Administrators do not lock themselves out from here; another administrator can.
    if (a.id === me) return [h('span', { class: 'muted' }, 'you')];
    const toggle = h(
      'button',
      { type: 'button', 'aria-label': `${a.disabled ? 'Enable' : 'Disable'} ${a.username}` },
      a.disabled ? 'Enable' : 'Disable',
    );
    toggle.addEventListener('click', async () => {
      toggle.disabled = true;
      try {
        const updated = a.disabled ? await api.enableAccount(a.id) : await api.disableAccount(a.id);
        if (disposed) return;
        say(
          updated.disabled
            ? `${updated.username} is disabled; every session of it has ended.`
            : `${updated.username} is enabled again.`,
        );
        showAccount(updated);
      } catch (error) {
        if (!disposed) say(`Could not change ${a.username}: ${(error as Error).message}`);
        toggle.disabled = false;
      }
    });
    const reset = h(
      'button',
      { type: 'button', 'aria-label': `Reset the password of ${a.username}` },
      'Reset password…',
    );
    reset.addEventListener('click', () => {
      mount(resetSlot, resetForm(a));
      resetSlot.querySelector('input')?.focus();
    });
    return [toggle, reset, clearanceControl(a)];
  }

  /** A choice of clearance and a button to set it; one above the administrator's own is shown but not offered. */
  function clearanceControl(a: Account): HTMLElement {
    const choice = h(
      'select',
      { name: 'clearance', 'aria-label': `Clearance of ${a.username}` },
      ...CLASSIFICATIONS.map((c) =>
        h('option', { value: c, selected: c === a.clearance, disabled: !grantable.includes(c) }, c),
      ),
    );
    const set = h(
      'button',
      { type: 'button', 'aria-label': `Set the clearance of ${a.username}` },
      'Set clearance',
    );
    set.addEventListener('click', async () => {
      const clearance = choice.value as Classification;
      if (clearance === a.clearance) {
        say(`${a.username} is already cleared to ${clearance}.`);
        return;
      }
      set.disabled = true;
      try {
        const updated = await api.setClearance(a.id, clearance);
        if (disposed) return;
        say(`${updated.username} is now cleared to ${updated.clearance}, from its next request.`);
        showAccount(updated);
      } catch (error) {
        if (!disposed) say(`Could not change the clearance of ${a.username}: ${(error as Error).message}`);
        set.disabled = false;
      }
    });
    return h('span', { class: 'clearance-control' }, choice, set);
  }

  function resetForm(a: Account): HTMLElement {
    const password = h('input', { type: 'password', name: 'newPassword', autocomplete: 'new-password' });
    const fields: Record<string, Field> = {
      newPassword: field(`New password for ${a.username}`, password, {
        hint: `At least ${PASSWORD_MIN} characters. Every session of the account ends; give the password to its owner in person.`,
      }),
    };
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Set the password');
    const cancel = h('button', { type: 'button', onclick: () => resetSlot.replaceChildren() }, 'Cancel');
    const form = h(
      'form',
      { class: 'inline-form', novalidate: true, 'aria-label': `Reset the password of ${a.username}` },
      general,
      fields.newPassword!.element,
      h('div', { class: 'buttons' }, submit, cancel),
    );
    onAction(
      form,
      submit,
      fields,
      general,
      () =>
        password.value.length >= PASSWORD_MIN
          ? { body: password.value, errors: {} }
          : { errors: { newPassword: `At least ${PASSWORD_MIN} characters.` } },
      async (newPassword) => {
        await api.resetPassword(a.id, newPassword);
        return () => {
          resetSlot.replaceChildren();
          say(`The password of ${a.username} is set; its sessions have ended.`);
          loadAccounts();
        };
      },
      () => disposed,
    );
    return form;
  }

  function newAccountForm(): HTMLElement {
    const username = h('input', { type: 'text', name: 'username', autocomplete: 'off', maxlength: 64 });
    const displayName = h('input', {
      type: 'text',
      name: 'displayName',
      autocomplete: 'off',
      maxlength: 200,
    });
    const participant = participantInput();
    const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password' });
    const roleBoxes = PERSON_ROLES.map((r) =>
      h('input', {
        type: 'checkbox',
        name: 'roles',
        value: r,
        disabled: r === 'administrator' && !secretariat,
      }),
    );
    const roleSet = h(
      'fieldset',
      { class: 'basis' },
      h('legend', {}, 'Roles'),
      ...PERSON_ROLES.map((r, i) => h('label', { class: 'check' }, roleBoxes[i]!, roleLabel(r))),
    );
    // CONFIDENTIAL, the server's default, unless the administrator may not give that much.
    const initial: Classification = grantable.includes('CONFIDENTIAL')
      ? 'CONFIDENTIAL'
      : (grantable.at(-1) ?? 'PUBLIC');
    const clearance = h(
      'select',
      { name: 'clearance' },
      ...grantable.map((c) => h('option', { value: c, selected: c === initial }, c)),
    );
    const fields: Record<string, Field> = {
      username: field('Username', username, { hint: '3 to 64 letters, digits, “.”, “_”, “@” or “-”.' }),
      displayName: field('Name', displayName),
      participant: field('Participant', participant, {
        hint: participantHint('accounts') ?? 'A state as ISO 3166-1 alpha-3 (UKR), or an organisation code.',
      }),
      roles: field('Roles', roleSet, {
        hint: `Analysts, commission delegates and chairs, and administrators must set up an authenticator app at first sign-in.${secretariat ? '' : ' Only the secretariat’s administrators make administrators.'}`,
      }),
      clearance: field('Clearance', clearance, {
        hint: 'The highest classification the account may read; up to your own.',
      }),
      password: field('First password', password, { hint: `At least ${PASSWORD_MIN} characters.` }),
    };
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Create the account');
    const form = h(
      'form',
      { class: 'inline-form grid-form', novalidate: true, 'aria-label': 'New account' },
      general,
      fields.username!.element,
      fields.displayName!.element,
      fields.participant!.element,
      fields.roles!.element,
      fields.clearance!.element,
      fields.password!.element,
      submit,
    );
    onAction(
      form,
      submit,
      fields,
      general,
      () => {
        const roles = roleBoxes.filter((b) => b.checked).map((b) => b.value as Role);
        const errors: Record<string, string> = {};
        if (!username.value.trim()) errors.username = 'Give a username.';
        if (!displayName.value.trim()) errors.displayName = 'Give the person’s name.';
        if (!participant.value.trim()) errors.participant = 'Give the participant.';
        if (!roles.length) errors.roles = 'Choose at least one role.';
        if (password.value.length < PASSWORD_MIN) errors.password = `At least ${PASSWORD_MIN} characters.`;
        if (Object.keys(errors).length) return { errors };
        return {
          errors,
          body: {
            username: username.value.trim(),
            displayName: displayName.value.trim(),
            participant: participant.value.trim().toUpperCase(),
            roles,
            clearance: clearance.value as Classification,
            password: password.value,
          },
        };
      },
      async (body) => {
        const created = await api.createAccount(body);
        return () => {
          form.reset();
          showErrors(fields, general, {});
          say(`Account ${created.username} created, cleared to ${created.clearance}.`);
          showAccount(created);
        };
      },
      () => disposed,
    );
    return form;
  }

  function tokensTable(items: ApiToken[]): HTMLElement {
    const owner = (t: ApiToken) =>
      t.machine
        ? `machine ${t.machine}`
        : (accounts.find((a) => a.id === t.accountId)?.username ?? t.accountId ?? '—');
    const live = (t: ApiToken) =>
      t.revokedAt
        ? `revoked ${formatTime(t.revokedAt)}`
        : Date.parse(t.expiresAt) <= Date.now()
          ? 'expired'
          : 'active';
    if (!items.length) return h('p', {}, 'No API tokens.');
    return h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data', 'data-testid': 'tokens-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Name', 'For', 'Participant', 'May', 'Expires', 'Last used', 'State', ''].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...items.map((t) => {
            const revoke = h(
              'button',
              { type: 'button', 'aria-label': `Revoke the token ${t.name}` },
              'Revoke',
            );
            revoke.addEventListener('click', async () => {
              revoke.disabled = true;
              try {
                await api.revokeToken(t.id);
                if (disposed) return;
                say(`The token ${t.name} is revoked.`);
                loadTokens();
              } catch (error) {
                if (!disposed) say(`Could not revoke ${t.name}: ${(error as Error).message}`);
                revoke.disabled = false;
              }
            });
            return h(
              'tr',
              {},
              h('th', { scope: 'row' }, t.name),
              h('td', {}, owner(t)),
              h('td', {}, t.participant),
              h('td', {}, t.scopes.join(', ')),
              h('td', {}, formatTime(t.expiresAt)),
              h('td', {}, t.lastUsedAt ? formatTime(t.lastUsedAt) : 'never'),
              h('td', {}, live(t)),
              h('td', {}, t.revokedAt ? null : revoke),
            );
          }),
        ),
      ),
    );
  }

  function tokenForm(): HTMLElement {
    const machine = h('input', { type: 'text', name: 'machine', autocomplete: 'off', maxlength: 100 });
    const participant = participantInput();
    const name = h('input', { type: 'text', name: 'name', autocomplete: 'off', maxlength: 100 });
    const days = h(
      'select',
      { name: 'days' },
      ...TOKEN_DAYS.map((d) => h('option', { value: d, selected: d === 90 }, `${d} days`)),
    );
    const scopeBoxes = MACHINE_SCOPES.map((s) => h('input', { type: 'checkbox', name: 'scopes', value: s }));
    const scopeSet = h(
      'fieldset',
      { class: 'basis' },
      h('legend', {}, 'May'),
      ...MACHINE_SCOPES.map((s, i) => h('label', { class: 'check' }, scopeBoxes[i]!, ACTION_LABELS[s])),
    );
    const fields: Record<string, Field> = {
      'owner.machine': field('Machine', machine, {
        hint: 'Lower-case, e.g. sensor:uav-12 or fra-integration.',
      }),
      'owner.participant': field('Participant', participant, { hint: participantHint('machine tokens') }),
      name: field('What it is for', name),
      scopes: field('May', scopeSet),
      expiresAt: field('Valid for', days),
    };
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const issued = h('div', { role: 'status' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Issue the token');
    const form = h(
      'form',
      { class: 'inline-form grid-form', novalidate: true, 'aria-label': 'Issue an API token' },
      general,
      fields['owner.machine']!.element,
      fields['owner.participant']!.element,
      fields.name!.element,
      fields.scopes!.element,
      fields.expiresAt!.element,
      submit,
      issued,
    );
    onAction(
      form,
      submit,
      fields,
      general,
      () => {
        const scopes = scopeBoxes
          .filter((b) => b.checked)
          .map((b) => b.value as (typeof MACHINE_SCOPES)[number]);
        const errors: Record<string, string> = {};
        if (!machine.value.trim()) errors['owner.machine'] = 'Name the machine.';
        if (!participant.value.trim()) errors['owner.participant'] = 'Give its participant.';
        if (!name.value.trim()) errors.name = 'Say what the token is for.';
        if (!scopes.length) errors.scopes = 'Choose at least one thing it may do.';
        if (Object.keys(errors).length) return { errors };
        return {
          errors,
          body: {
            owner: { machine: machine.value.trim(), participant: participant.value.trim().toUpperCase() },
            name: name.value.trim(),
            scopes,
            expiresAt: new Date(Date.now() + Number(days.value) * 86_400_000).toISOString(),
          },
        };
      },
      async (body) => {
        const { token } = await api.issueToken(body);
        return () => {
          form.reset();
          mount(
            issued,
            h(
              'p',
              { class: 'notice' },
              'The token, shown this once: ',
              h('code', { class: 'token-value', 'data-testid': 'issued-token' }, token),
              '. Copy it into the machine’s configuration now.',
            ),
          );
          loadTokens();
        };
      },
      () => disposed,
    );
    return form;
  }

  loadAccounts();
  loadTokens();
  return () => {
    disposed = true;
  };
};
