/**
 * A titled section of a page: a card whose heading labels it for assistive technology, with an
 * optional hint under the heading. Every page is built from these.
 */
import { type Children, h } from '../dom.ts';

export interface CardOptions {
  /** Unique on the page; the heading's id is `<key>-heading`. */
  key: string;
  title: Children;
  hint?: Children;
  /** Extra attributes of the section, such as a test id. */
  attrs?: Record<string, string>;
}

export function card(options: CardOptions, ...content: Children[]): HTMLElement {
  const heading = `${options.key}-heading`;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': heading, ...options.attrs },
    h('h2', { id: heading }, options.title),
    options.hint === undefined ? null : h('p', { class: 'hint' }, options.hint),
    ...content,
  );
}
