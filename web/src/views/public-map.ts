/**
 * The map for those who may not see incidents (the public, and roles such as the support planner or
 * the administrator): oblasts, sectors and the ceasefire's zones, which are published, and no
 * incident markers, since incidents are not. It says so, and points to what is published.
 */
import { rolesText, signInPath } from '../access.ts';
import { h, mount } from '../dom.ts';
import { INCIDENT_LAYER } from '../map-style.ts';
import { createMap, whenIdle } from '../map-view.ts';
import { legend } from './badges.ts';
import type { View } from './view.ts';

export const publicMap: View = (root, ctx) => {
  document.title = 'Map — Guarantor';
  let disposed = false;
  const account = ctx.session.account;
  const mapEl = h('div', {
    class: 'map',
    id: 'ops-map',
    'data-map-ready': 'false',
    'data-incident-count': '0',
  });
  const status = h('p', { class: 'list-status', role: 'status' }, 'Loading the map…');

  mount(
    root,
    h('h1', { class: 'map-title' }, 'Ceasefire map'),
    h(
      'div',
      { class: 'ops-layout' },
      h('div', { class: 'map-column' }, mapEl, legend({ incidents: false })),
      h(
        'aside',
        {
          class: 'incident-panel',
          'aria-labelledby': 'incident-list-heading',
          'data-testid': 'no-incidents',
        },
        h('h2', { id: 'incident-list-heading' }, 'Incidents'),
        account
          ? h(
              'p',
              {},
              `Your roles (${rolesText(account.roles)}) do not include reading incidents, so the map shows none. `,
              'The published daily report and compliance figures are open to you.',
            )
          : h(
              'p',
              {},
              'Incidents are shown to signed-in monitors, analysts and commission members. ',
              h(
                'a',
                { href: signInPath('/'), class: 'button primary', 'data-testid': 'sign-in-to-see' },
                'Sign in to see incidents',
              ),
            ),
        h(
          'p',
          {},
          'The map shows Ukraine’s oblasts and the ceasefire’s zones: the contact line, the buffer zone and the withdrawal lines.',
        ),
        h('h3', {}, 'Published'),
        h(
          'ul',
          { class: 'published-links' },
          h(
            'li',
            {},
            h('a', { href: '/daily' }, 'Today’s daily report'),
            ', with the last 30 days, compliance and the reliable-ceasefire determination',
          ),
          h('li', {}, h('a', { href: '/verify' }, 'The ledger'), ', checked in your browser'),
        ),
        status,
      ),
    ),
  );

  const { map, ready } = createMap(mapEl, { label: 'Map of oblasts and ceasefire zones' });
  ready
    .then(() => {
      if (disposed) return;
      whenIdle(map, () => {
        if (disposed) return;
        // The same hook as the operations room's: what the map really drew.
        mapEl.dataset.incidentCount = String(map.queryRenderedFeatures({ layers: [INCIDENT_LAYER] }).length);
        mapEl.dataset.mapReady = 'true';
        status.textContent = '';
      });
    })
    .catch((error: Error) => {
      if (!disposed) status.textContent = `Could not load the map’s geography: ${error.message}`;
    });

  return () => {
    disposed = true;
    map.remove();
  };
};
