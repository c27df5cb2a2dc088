/**
 * The access trail: sign-ins, failed sign-ins and account changes, newest first. Administrators see
 * every participant's; commission delegates and the chair see their own participant's (the server
 * decides which, this page shows what it is given).
 */

import { counted } from '../../../src/kernel/text/counted.ts';
import { can } from '../access.ts';
import { type AccessEvent, api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { formatTime, words } from '../format.ts';
import type { View } from './view.ts';

const PAGE = 50;

function detailsText(details: AccessEvent['details']): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${words(k)}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('; ');
}

export const accessTrailPage: View = (root, ctx) => {
  document.title = 'Access trail — Guarantor';
  let disposed = false;
  const everyone = can(ctx.session, 'account:manage');
  const body = h('tbody', {});
  const status = h('p', { role: 'status', class: 'list-status' }, 'Loading the access trail…');
  const more = h('button', { type: 'button', hidden: true }, 'Older events');
  let oldest: string | undefined;
  // Events name accounts by id; administrators may list accounts, so they read usernames instead.
  let names = new Map<string, string>();
  const who = (id: string | null) => (id ? (names.get(id) ?? id.slice(0, 8)) : '—');

  mount(
    root,
    h('h1', {}, 'Access trail'),
    h(
      'p',
      { class: 'muted' },
      everyone
        ? 'Every sign-in, failed sign-in and account change, for every participant. Each is also a leaf of the ledger.'
        : `Sign-ins, failed sign-ins and account changes of ${ctx.session.account?.participant ?? 'your participant'}’s accounts. Each is also a leaf of the ledger.`,
    ),
    h(
      'section',
      { class: 'card' },
      status,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data', 'data-testid': 'access-events' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['When (UTC)', 'Event', 'Account', 'Participant', 'By', 'From', 'Details'].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          body,
        ),
      ),
      more,
    ),
  );

  function load(): void {
    more.disabled = true;
    api
      .accessEvents({ limit: PAGE, ...(oldest ? { before: oldest } : {}) })
      .then(({ items }) => {
        if (disposed) return;
        body.append(
          ...items.map((e) =>
            h(
              'tr',
              { 'data-event': e.event },
              h('td', {}, h('time', { datetime: e.at }, formatTime(e.at))),
              h('td', {}, words(e.event.replace('.', ' '))),
              h('td', {}, h('code', {}, who(e.accountId))),
              h('td', {}, e.participant ?? '—'),
              h('td', {}, names.get(e.actor) ?? e.actor),
              h('td', {}, e.address ?? '—'),
              h('td', { class: 'muted' }, detailsText(e.details)),
            ),
          ),
        );
        oldest = items.at(-1)?.id ?? oldest;
        const shown = body.childElementCount;
        status.textContent = shown ? `${counted(shown, 'event')} shown, newest first.` : 'No events.';
        more.hidden = items.length < PAGE;
        more.disabled = false;
      })
      .catch((error: Error) => {
        if (disposed) return;
        status.textContent = `Could not load the access trail: ${error.message}`;
        more.disabled = false;
      });
  }
  more.addEventListener('click', load);
  if (everyone) {
    api
      .accounts()
      .then(({ items }) => {
        names = new Map(items.map((a) => [a.id, a.username]));
      })
      .catch(() => {
        // Ids are shown instead of usernames.
      })
      .finally(() => !disposed && load());
  } else {
    load();
  }
  return () => {
    disposed = true;
  };
};
