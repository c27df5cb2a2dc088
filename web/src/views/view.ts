import type { Session } from '../access.ts';

/** What every page receives, and what it returns: an optional clean-up run before the next page. */
export interface ViewContext {
  navigate(path: string, options?: { replace?: boolean }): void;
  showDemo(demo: boolean): void;
  /** Whether the illustrative demonstration is loaded, once a daily report has said so. */
  demo: Promise<boolean>;
  /** Who is signed in and what they may do; the public when nobody is. */
  session: Session;
  /**
   * Replaces the session after sign-in, sign-out or setting up the authenticator, then goes to `to`
   * (or redraws this page) with the header brought up to date.
   */
  changeSession(session: Session, to?: string): void;
  /** A message in the banner under the header; `next: true` keeps it across the coming navigation. */
  notify(message: string, options?: { next?: boolean }): void;
}

export type View = (root: HTMLElement, ctx: ViewContext) => (() => void) | undefined;
