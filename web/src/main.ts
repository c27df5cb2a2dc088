/**
 * The operations room's entry point: the header, the router, and one view at a time in <main>.
 * Links inside the app navigate without reloading; every address also works when loaded directly.
 *
 * Who is signed in decides the navigation, the header and which pages open; the server decides every
 * request on its own, so this only spares people offers the server would refuse.
 */
import {
  navItems,
  PUBLIC_SESSION,
  rolesText,
  routeAccess,
  type Session,
  safeNext,
  signInPath,
} from './access.ts';
import { ApiError, api, onAccessProblem } from './api.ts';
import { h, mount } from './dom.ts';
import { utcDay } from './format.ts';
import { AUTHENTICATOR_PATH, parseRoute, type Route } from './router.ts';
import { forgetCsrfCookie, loadSession } from './session.ts';
import { accessTrailPage } from './views/access-trail-page.ts';
import { accountPage, authenticatorPage } from './views/account-page.ts';
import { adminPage } from './views/admin-page.ts';
import { dailyPage } from './views/daily-page.ts';
import { forbiddenPage } from './views/forbidden-page.ts';
import { importPage } from './views/import-page.ts';
import { incidentPage } from './views/incident-page.ts';
import { ledgerPage } from './views/ledger-page.ts';
import { operationsRoom } from './views/operations-room.ts';
import { signInPage } from './views/sign-in-page.ts';
import type { View, ViewContext } from './views/view.ts';

const demoNotice = h(
  'p',
  { class: 'demo-notice', role: 'note', hidden: true },
  h('strong', {}, 'Illustrative demonstration data.'),
  ' Incidents, reports and zones shown here are invented for demonstration; they describe no real events.',
);

const navList = h('ul', { class: 'nav-list' });
const nav = h('nav', { 'aria-label': 'Main' }, navList);
const accountArea = h('div', { class: 'account-area' });
const banner = h('p', { class: 'app-notice', role: 'status', 'data-testid': 'app-notice', hidden: true });
const main = h('main', { id: 'main', tabindex: '-1' });
const header = h(
  'header',
  { class: 'site-header' },
  h('a', { href: '/', class: 'brand' }, h('span', { 'aria-hidden': 'true' }, '◆ '), 'Guarantor'),
  h('span', { class: 'brand-sub' }, 'Ceasefire monitoring and verification'),
  nav,
  accountArea,
);

let session: Session = PUBLIC_SESSION;
let cleanup: (() => void) | undefined;
let firstRender = true;
/** How many more page changes the banner's message survives. */
let bannerLife = 0;

// Any daily report says whether the illustrative demonstration is loaded.
const demo: Promise<boolean> = api
  .dailyReport(utcDay(Date.now()))
  .then((r) => r.demo)
  .catch(() => false);
void demo.then(showDemo);

function here(): string {
  return `${location.pathname}${location.search}`;
}

function viewFor(route: Route): View {
  switch (route.name) {
    case 'operations':
      return operationsRoom;
    case 'incident':
      return (root, ctx) => incidentPage(root, ctx, route.id);
    case 'daily':
      return (root, ctx) => dailyPage(root, ctx, route.date);
    case 'ledger':
      return ledgerPage;
    case 'sign_in':
      return signInPage;
    case 'account':
      return accountPage;
    case 'authenticator':
      return authenticatorPage;
    case 'admin':
      return adminPage;
    case 'access':
      return accessTrailPage;
    case 'import':
      return importPage;
    case 'not_found':
      return (root) => {
        document.title = 'Not found — Guarantor';
        mount(
          root,
          h('h1', {}, 'Page not found'),
          h(
            'p',
            {},
            'No page at ',
            h('code', {}, route.path),
            '. ',
            h('a', { href: '/' }, 'Go to the start page'),
            '.',
          ),
        );
        return undefined;
      };
  }
}

function renderHeader(route: Route): void {
  mount(
    navList,
    ...navItems(session).map((item) =>
      h(
        'li',
        {},
        h(
          'a',
          { href: item.href, 'data-nav': item.nav, 'aria-current': item.nav === route.name ? 'page' : null },
          item.label,
        ),
      ),
    ),
  );
  const account = session.account;
  header.classList.toggle('signed-in', account !== null);
  if (!account) {
    // The sign-in page itself needs no link to itself; everywhere else the link comes back here.
    mount(
      accountArea,
      route.name === 'sign_in'
        ? null
        : h(
            'a',
            { href: signInPath(here()), class: 'header-button', 'data-testid': 'sign-in-link' },
            'Sign in',
          ),
    );
    return;
  }
  mount(
    accountArea,
    h(
      'div',
      { class: 'who', 'data-testid': 'signed-in' },
      h(
        'span',
        { class: 'who-name' },
        account.displayName,
        account.demo ? h('span', { class: 'who-demo' }, 'demo') : null,
      ),
      h(
        'span',
        { class: 'who-meta', 'data-testid': 'signed-in-meta' },
        `${account.username} · ${account.participant} · ${rolesText(account.roles)}`,
      ),
    ),
    session.totpEnrolmentRequired
      ? null
      : h(
          'a',
          {
            href: '/account',
            class: 'header-link',
            'aria-current': route.name === 'account' ? 'page' : null,
          },
          'Account',
        ),
    h('button', { type: 'button', class: 'header-button', onclick: () => void signOut() }, 'Sign out'),
  );
}

async function signOut(): Promise<void> {
  try {
    await api.signOut();
  } catch (error) {
    // A 401 means the session had already ended (elsewhere, or by an administrator). Anything else
    // leaves it alive on the server, so the page must not pretend otherwise.
    if (!(error instanceof ApiError && error.status === 401)) {
      notify(`Could not sign out: ${(error as Error).message}. Try again.`);
      return;
    }
  }
  // The server clears both cookies; this covers an answer that never arrived.
  forgetCsrfCookie();
  changeSession(PUBLIC_SESSION, '/');
  notify('You are signed out.');
}

function render(): void {
  cleanup?.();
  cleanup = undefined;
  const route = parseRoute(location.pathname);
  const access = routeAccess(route, session);
  if (access === 'sign_in') {
    navigate(signInPath(here(), 'required'), { replace: true });
    return;
  }
  if (access === 'enrol') {
    const next = safeNext(here());
    navigate(next === '/' ? AUTHENTICATOR_PATH : `${AUTHENTICATOR_PATH}?next=${encodeURIComponent(next)}`, {
      replace: true,
    });
    return;
  }
  renderHeader(route);
  if (bannerLife > 0) bannerLife--;
  else banner.hidden = true;
  main.replaceChildren();
  const view: View = access === 'forbidden' ? forbiddenPage : viewFor(route);
  const result = view(main, context());
  if (typeof result === 'function') cleanup = result;
  // Move focus to the new page for keyboard and screen-reader users, but not on first load.
  if (!firstRender) main.focus({ preventScroll: true });
  firstRender = false;
  window.scrollTo(0, 0);
}

function context(): ViewContext {
  return { navigate, showDemo, demo, session, changeSession, notify };
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function changeSession(next: Session, to?: string): void {
  session = next;
  if (to !== undefined) navigate(to, { replace: true });
  else render();
}

function notify(message: string, options: { next?: boolean } = {}): void {
  banner.textContent = message;
  banner.hidden = false;
  bannerLife = options.next ? 1 : 0;
}

function showDemo(isDemo: boolean): void {
  demoNotice.hidden = !isDemo;
}

onAccessProblem({
  unauthenticated: () => {
    // Several requests of one page may be refused at once; the first one moves to the sign-in page.
    if (parseRoute(location.pathname).name === 'sign_in') return;
    const wasSignedIn = session.account !== null;
    session = PUBLIC_SESSION;
    forgetCsrfCookie();
    navigate(signInPath(here(), wasSignedIn ? 'expired' : 'required'), { replace: true });
  },
  enrolment: () => {
    // The account gained a privileged role since this page learnt the session: ask again.
    void loadSession()
      .then((s) => changeSession(s))
      .catch(() => undefined);
  },
});

document.addEventListener('click', (event) => {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const link = (event.target as Element | null)?.closest?.('a');
  if (!link || link.target || link.hasAttribute('download') || link.origin !== location.origin) return;
  if (link.pathname.startsWith('/api/') || link.pathname.includes('.')) return;
  event.preventDefault();
  navigate(`${link.pathname}${link.search}`);
});
window.addEventListener('popstate', render);

const app = document.getElementById('app')!;
mount(app, header, demoNotice, banner, main);
mount(main, h('p', { role: 'status' }, 'Loading…'));

loadSession()
  .then((s) => {
    session = s;
  })
  .catch(() => {
    notify('Could not find out whether you are signed in; showing what is published. Reload to try again.');
    bannerLife = 1;
  })
  .finally(render);
