/**
 * The operations room's entry point: the header, the router, and one view at a time in <main>.
 * Links inside the app navigate without reloading; every address also works when loaded directly.
 */
import { api } from './api.ts';
import { h, mount } from './dom.ts';
import { utcDay } from './format.ts';
import { parseRoute, type Route } from './router.ts';
import { dailyPage } from './views/daily-page.ts';
import { incidentPage } from './views/incident-page.ts';
import { operationsRoom } from './views/operations-room.ts';
import type { View } from './views/view.ts';

const demoNotice = h(
  'p',
  { class: 'demo-notice', role: 'note', hidden: true },
  h('strong', {}, 'Illustrative demonstration data.'),
  ' Incidents, reports and zones shown here are invented for demonstration; they describe no real events.',
);

const nav = h(
  'nav',
  { 'aria-label': 'Main' },
  h(
    'ul',
    { class: 'nav-list' },
    h('li', {}, h('a', { href: '/', 'data-nav': 'operations' }, 'Operations room')),
    h('li', {}, h('a', { href: '/daily', 'data-nav': 'daily' }, 'Daily report')),
  ),
);

const main = h('main', { id: 'main', tabindex: '-1' });

let cleanup: (() => void) | undefined;
let firstRender = true;

function viewFor(route: Route): View {
  switch (route.name) {
    case 'operations':
      return operationsRoom;
    case 'incident':
      return (root, ctx) => incidentPage(root, ctx, route.id);
    case 'daily':
      return (root, ctx) => dailyPage(root, ctx, route.date);
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
            h('a', { href: '/' }, 'Go to the operations room'),
            '.',
          ),
        );
        return undefined;
      };
  }
}

function render(): void {
  cleanup?.();
  cleanup = undefined;
  const route = parseRoute(location.pathname);
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.nav === route.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.replaceChildren();
  const result = viewFor(route)(main, { navigate, showDemo });
  if (typeof result === 'function') cleanup = result;
  // Move focus to the new page for keyboard and screen-reader users, but not on first load.
  if (!firstRender) main.focus({ preventScroll: true });
  firstRender = false;
  window.scrollTo(0, 0);
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function showDemo(demo: boolean): void {
  demoNotice.hidden = !demo;
}

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
mount(
  app,
  h(
    'header',
    { class: 'site-header' },
    h('a', { href: '/', class: 'brand' }, h('span', { 'aria-hidden': 'true' }, '◆ '), 'Guarantor'),
    h('span', { class: 'brand-sub' }, 'Ceasefire monitoring and verification'),
    nav,
  ),
  demoNotice,
  main,
);
render();

// Any daily report says whether the illustrative demonstration is loaded.
api
  .dailyReport(utcDay(Date.now()))
  .then((r) => showDemo(r.demo))
  .catch(() => {
    // The notice stays hidden; the page itself shows any error that matters.
  });
