/**
 * Sign-in: username and password, and the authenticator's code once the server asks for it. Every
 * failure reads the same, as the server answers it, so the page tells no one which accounts exist.
 */
import {
  checkSignIn,
  rolesText,
  SIGN_IN_NOTICES,
  safeNext,
  sessionFrom,
  signInProblem,
  signInReason,
} from '../access.ts';
import { ApiError, api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { AUTHENTICATOR_PATH } from '../router.ts';
import { type Field, field, showErrors } from './forms.ts';
import type { View } from './view.ts';

export const signInPage: View = (root, ctx) => {
  document.title = 'Sign in — Guarantor';
  let disposed = false;
  const params = new URLSearchParams(location.search);
  const next = safeNext(params.get('next'));
  const reason = signInReason(params.get('reason'));

  const username = h('input', {
    type: 'text',
    name: 'username',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
    maxlength: 64,
  });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
    maxlength: 8192,
  });
  const code = h('input', {
    type: 'text',
    name: 'totpCode',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: 7,
  });
  const fields: Record<string, Field> = {
    username: field('Username', username),
    password: field('Password', password),
    totpCode: field('Code from your authenticator app', code, {
      hint: 'Six digits; the app shows a new one every 30 seconds.',
    }),
  };
  const codeField = fields.totpCode!.element;
  codeField.hidden = true;
  const general = h('p', {
    class: 'form-error',
    role: 'alert',
    'data-testid': 'sign-in-error',
    hidden: true,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const demoHint = h('p', { class: 'hint', hidden: true });
  const form = h(
    'form',
    { class: 'sign-in-form card', novalidate: true, 'aria-labelledby': 'sign-in-heading' },
    h('h1', { id: 'sign-in-heading' }, 'Sign in'),
    reason
      ? h('p', { class: 'notice', role: 'status', 'data-testid': 'sign-in-notice' }, SIGN_IN_NOTICES[reason])
      : null,
    ctx.session.account
      ? h(
          'p',
          { class: 'notice' },
          `You are signed in as ${ctx.session.account.username} (${rolesText(ctx.session.account.roles)}). Signing in again ends that session. `,
          h('a', { href: next }, 'Go on as you are'),
        )
      : null,
    general,
    fields.username!.element,
    fields.password!.element,
    codeField,
    h('div', { class: 'buttons' }, submit),
    demoHint,
    h(
      'p',
      { class: 'muted' },
      'Without signing in you can read the ',
      h('a', { href: '/daily' }, 'daily report'),
      ', see the ',
      h('a', { href: '/' }, 'map of zones'),
      ' and check the ',
      h('a', { href: '/verify' }, 'ledger'),
      '.',
    ),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const checked = checkSignIn({
      username: username.value,
      password: password.value,
      totpCode: codeField.hidden ? null : code.value,
    });
    showErrors(fields, general, checked.errors);
    if (!checked.body) return;
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const session = sessionFrom(await api.signIn(checked.body));
      if (disposed) return;
      if (session.totpEnrolmentRequired) {
        const back = next === '/' ? '' : `?next=${encodeURIComponent(next)}`;
        ctx.changeSession(session, `${AUTHENTICATOR_PATH}${back}`);
      } else {
        ctx.changeSession(session, next);
      }
    } catch (error) {
      if (disposed) return;
      const problem =
        error instanceof ApiError ? error.problem : { detail: String((error as Error)?.message ?? error) };
      const said = signInProblem(problem, error instanceof ApiError ? error.retryAfterS : undefined);
      if (problem.code === 'totp_required') {
        // Not a failure: the password was right and the account has a second factor.
        codeField.hidden = false;
        showErrors(fields, general, {});
        general.hidden = false;
        general.classList.add('form-info');
        general.textContent = said.message;
        code.focus();
        return;
      }
      general.classList.remove('form-info');
      password.value = '';
      code.value = '';
      showErrors(
        fields,
        general,
        said.field ? { [said.field]: said.message } : {},
        said.field ? undefined : said.message,
      );
      if (!said.field) (username.value ? password : username).focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });

  mount(root, h('div', { class: 'narrow' }, form));
  void ctx.demo.then((isDemo) => {
    if (disposed || !isDemo) return;
    demoHint.hidden = false;
    mount(
      demoHint,
      'This is the demonstration: its accounts, one for each role (such as ',
      h('code', {}, 'demo-analyst'),
      ' or ',
      h('code', {}, 'demo-monitor'),
      '), and their password are listed in the README.',
    );
  });
  // After the router has moved focus to the page, put the cursor where typing starts.
  queueMicrotask(() => {
    if (!disposed) username.focus();
  });
  return () => {
    disposed = true;
  };
};
