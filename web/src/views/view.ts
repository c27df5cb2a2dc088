/** What every page receives, and what it returns: an optional clean-up run before the next page. */
export interface ViewContext {
  navigate(path: string, options?: { replace?: boolean }): void;
  showDemo(demo: boolean): void;
}

export type View = (root: HTMLElement, ctx: ViewContext) => (() => void) | undefined;
