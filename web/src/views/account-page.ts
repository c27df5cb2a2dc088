/**
 * One's own account: who it is and what it may do, the password, the sessions, and the authenticator
 * app (the second factor privileged roles must have before anything else).
 */

import { counted } from '../../../src/kernel/text/counted.ts';
import {
  checkPasswordChange,
  expiresIn,
  groupSecret,
  PUBLIC_SESSION,
  permissionWords,
  rolesText,
  safeNext,
  signInPath,
} from '../access.ts';
import { ApiError, api, type TotpEnrolment } from '../api.ts';
import { h, mount } from '../dom.ts';
import { formatTime } from '../format.ts';
import { AUTHENTICATOR_PATH } from '../router.ts';
import { loadSession } from '../session.ts';
import { card } from './card.ts';
import { type Field, field, onAction, showErrors } from './forms.ts';
import type { View } from './view.ts';

export const accountPage: View = (root, ctx) => {
  document.title = 'Your account — Guarantor';
  let disposed = false;
  const account = ctx.session.account;
  if (!account) return undefined;
  const row = (term: string, ...value: (Node | string)[]) => [h('dt', {}, term), h('dd', {}, ...value)];
  const ends = expiresIn(ctx.session.expiresAt, Date.now());

  mount(
    root,
    h('h1', {}, 'Your account'),
    h(
      'div',
      { class: 'account-grid' },
      card(
        { key: 'who', title: 'Who you are' },
        h(
          'dl',
          { class: 'facts', 'data-testid': 'account-facts' },
          ...row('Name', account.displayName),
          ...row('Username', h('code', {}, account.username)),
          ...row('Participant', account.participant),
          ...row('Roles', rolesText(account.roles)),
          ...row('Clearance', `reads up to ${account.clearance}`),
          ...row(
            'Authenticator app',
            account.totpEnabled ? 'set up' : 'not set up',
            ...(account.totpEnabled ? [] : [' · ', h('a', { href: AUTHENTICATOR_PATH }, 'set it up')]),
          ),
          ...(ctx.session.expiresAt
            ? row('This session ends', `${formatTime(ctx.session.expiresAt)}${ends ? ` (${ends})` : ''}`)
            : []),
          ...(account.demo
            ? row('Demonstration', 'a demonstration account, with a password published in the README')
            : []),
        ),
        h('h3', {}, 'What you may do'),
        h(
          'ul',
          { class: 'permission-list', 'data-testid': 'permissions' },
          ...permissionWords(ctx.session).map((p) => h('li', {}, p)),
        ),
      ),
      h('div', {}, passwordSection(), sessionsSection()),
    ),
  );

  function passwordSection(): HTMLElement {
    const current = h('input', {
      type: 'password',
      name: 'currentPassword',
      autocomplete: 'current-password',
    });
    const next = h('input', { type: 'password', name: 'newPassword', autocomplete: 'new-password' });
    const repeat = h('input', { type: 'password', name: 'repeat', autocomplete: 'new-password' });
    const fields: Record<string, Field> = {
      currentPassword: field('Current password', current),
      newPassword: field('New password', next, {
        hint: 'At least 12 characters; a few unrelated words work well.',
      }),
      repeat: field('New password again', repeat),
    };
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Change password');
    const form = h(
      'form',
      { class: 'inline-form', novalidate: true, 'aria-labelledby': 'password-heading' },
      general,
      fields.currentPassword!.element,
      fields.newPassword!.element,
      fields.repeat!.element,
      submit,
    );
    onAction(
      form,
      submit,
      fields,
      general,
      () => checkPasswordChange({ current: current.value, next: next.value, repeat: repeat.value }),
      async (body) => {
        try {
          await api.changePassword(body);
        } catch (error) {
          // The server refuses a wrong current password as forbidden, naming the field.
          if (error instanceof ApiError && error.problem.field === 'currentPassword') {
            throw new ApiError(error.status, {
              ...error.problem,
              detail: 'The current password is not right.',
            });
          }
          throw error;
        }
        return () => ctx.changeSession(PUBLIC_SESSION, signInPath(undefined, 'password_changed'));
      },
      () => disposed,
    );
    return card(
      {
        key: 'password',
        title: 'Password',
        hint: 'Changing it ends every session of your account, this one too; then sign in with the new one.',
      },
      form,
    );
  }

  function sessionsSection(): HTMLElement {
    const slot = h('div', {});
    const start = h('button', { type: 'button', 'aria-expanded': 'false' }, 'Sign out everywhere…');
    const result = h('p', { class: 'form-error', role: 'alert', hidden: true });
    start.addEventListener('click', () => {
      start.setAttribute('aria-expanded', 'true');
      const confirmButton = h('button', { type: 'button', class: 'primary danger' }, 'Sign out everywhere');
      const cancel = h('button', { type: 'button' }, 'Cancel');
      cancel.addEventListener('click', () => {
        slot.replaceChildren();
        start.setAttribute('aria-expanded', 'false');
        start.focus();
      });
      confirmButton.addEventListener('click', async () => {
        confirmButton.disabled = true;
        try {
          const { ended } = await api.signOutEverywhere();
          if (disposed) return;
          ctx.changeSession(PUBLIC_SESSION, '/');
          ctx.notify(`Signed out everywhere: ${counted(ended, 'session')} ended.`);
        } catch (error) {
          if (disposed) return;
          result.hidden = false;
          result.textContent = `Could not sign out everywhere: ${(error as Error).message}`;
          confirmButton.disabled = false;
        }
      });
      mount(
        slot,
        h(
          'div',
          { class: 'confirm', role: 'group', 'aria-label': 'Confirm signing out everywhere' },
          h(
            'p',
            {},
            'This ends every session of your account on every device and browser, this one included.',
          ),
          h('div', { class: 'buttons' }, confirmButton, cancel),
        ),
      );
      confirmButton.focus();
    });
    return card(
      {
        key: 'sessions',
        title: 'Sessions',
        hint: 'If you signed in somewhere you no longer control, or think someone else has, end every session at once.',
      },
      start,
      slot,
      result,
    );
  }

  return () => {
    disposed = true;
  };
};

/**
 * Setting up the authenticator app: the server makes a secret, the person types it (or opens the
 * otpauth link) into their app, and a code from the app confirms it. Until then the secret is not in
 * force, so a typo cannot lock anyone out. A privileged account that must have it lands here at
 * sign-in and can do nothing else first.
 */
export const authenticatorPage: View = (root, ctx) => {
  document.title = 'Authenticator app — Guarantor';
  let disposed = false;
  const account = ctx.session.account;
  if (!account) return undefined;
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  const required = ctx.session.totpEnrolmentRequired;

  const body = h('div', {});
  mount(
    root,
    h(
      'div',
      { class: 'narrow' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'totp-heading' },
        h('h1', { id: 'totp-heading' }, 'Set up your authenticator app'),
        required
          ? h(
              'p',
              { class: 'notice', role: 'status', 'data-testid': 'totp-required' },
              `Your roles (${rolesText(account.roles)}) need a second factor: set up an authenticator app before going on.`,
            )
          : null,
        body,
      ),
    ),
  );

  if (account.totpEnabled) {
    mount(
      body,
      h('p', {}, 'Your authenticator app is set up. If you lose it, an administrator can reset it for you.'),
      h('p', {}, h('a', { href: '/account' }, 'Back to your account')),
    );
    return undefined;
  }

  const startButton = h('button', { type: 'button', class: 'primary' }, 'Show my new secret');
  const startError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  mount(
    body,
    h(
      'p',
      {},
      'Any TOTP authenticator app works (for example FreeOTP, Aegis, Google or Microsoft Authenticator). ',
      'Guarantor makes a secret for you; add it to the app, then type the code the app shows.',
    ),
    startError,
    h('div', { class: 'buttons' }, startButton),
  );
  startButton.addEventListener('click', async () => {
    startButton.disabled = true;
    try {
      const enrolment = await api.enrolTotp();
      if (!disposed) showSecret(enrolment);
    } catch (error) {
      if (disposed) return;
      startError.hidden = false;
      startError.textContent = `Could not start: ${(error as Error).message}`;
      startButton.disabled = false;
    }
  });

  function showSecret(enrolment: TotpEnrolment): void {
    const code = h('input', {
      type: 'text',
      name: 'code',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      maxlength: 7,
    });
    const fields: Record<string, Field> = { code: field('Code from the app', code) };
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Confirm');
    const form = h(
      'form',
      { class: 'inline-form', novalidate: true, 'aria-label': 'Confirm the authenticator app' },
      general,
      fields.code!.element,
      submit,
    );
    onAction(
      form,
      submit,
      fields,
      general,
      () => {
        const typed = code.value.replace(/\s/g, '');
        return /^\d{6}$/.test(typed)
          ? { body: typed, errors: {} }
          : { errors: { code: 'Type the six digits the app shows now.' } };
      },
      async (typed) => {
        try {
          await api.confirmTotp(typed);
        } catch (error) {
          if (error instanceof ApiError && error.code === 'totp_invalid') {
            throw new ApiError(error.status, {
              ...error.problem,
              field: 'code',
              detail: 'That code is not right. Check the app’s clock and type the code it shows now.',
            });
          }
          throw error;
        }
        const session = await loadSession();
        return () => {
          ctx.changeSession(session, next);
          ctx.notify('Your authenticator app is set up. From now on, sign-in asks for its code.');
        };
      },
      () => disposed,
    );
    mount(
      body,
      h('h2', {}, '1. Add this secret to your app'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Key'),
        h(
          'dd',
          {},
          h('code', { class: 'totp-secret', 'data-testid': 'totp-secret' }, groupSecret(enrolment.secret)),
        ),
        h('dt', {}, 'Type'),
        h('dd', {}, 'time-based, 6 digits, every 30 seconds (SHA-1)'),
        h('dt', {}, 'Link'),
        h(
          'dd',
          {},
          h('code', { class: 'totp-uri', 'data-testid': 'totp-uri' }, enrolment.uri),
          h('br'),
          h('a', { href: enrolment.uri }, 'Open in the authenticator app on this device'),
        ),
      ),
      h('p', { class: 'hint' }, 'Keep the key to yourself: anyone with it can make your codes.'),
      h('h2', {}, '2. Type the code the app shows'),
      form,
    );
    showErrors(fields, general, {});
    code.focus();
  }

  return () => {
    disposed = true;
  };
};
