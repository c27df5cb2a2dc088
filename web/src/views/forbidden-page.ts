/** A page the signed-in account's roles do not reach: said plainly, with where to go instead. */
import { rolesText } from '../access.ts';
import { h, mount } from '../dom.ts';
import type { View } from './view.ts';

export const forbiddenPage: View = (root, ctx) => {
  document.title = 'Not available to your roles — Guarantor';
  const roles = ctx.session.account?.roles ?? [];
  mount(
    root,
    h('h1', {}, 'Not available to your roles'),
    h(
      'p',
      { role: 'alert', 'data-testid': 'forbidden' },
      `This page is not part of what your roles (${rolesText(roles)}) may see. `,
      'An administrator can change your roles if you need it.',
    ),
    h(
      'p',
      {},
      h('a', { href: '/' }, 'Go to the start page'),
      ' · ',
      h('a', { href: '/daily' }, 'Read the daily report'),
      ' · ',
      h('a', { href: '/account' }, 'See what your account may do'),
    ),
  );
  return undefined;
};
