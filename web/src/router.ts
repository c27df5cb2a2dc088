/**
 * The app's routes, with history (path) routing so every page has a real address that survives a
 * reload: the server answers any path without a dot, outside /api/, with index.html.
 */

export type Route =
  | { name: 'operations' }
  | { name: 'incident'; id: string }
  | { name: 'daily'; date: string | null }
  | { name: 'ledger' }
  | { name: 'sign_in' }
  | { name: 'account' }
  | { name: 'authenticator' }
  | { name: 'admin' }
  | { name: 'access' }
  | { name: 'import' }
  | { name: 'not_found'; path: string };

const FIXED: Record<string, Route> = {
  '/': { name: 'operations' },
  '/daily': { name: 'daily', date: null },
  '/verify': { name: 'ledger' },
  '/sign-in': { name: 'sign_in' },
  '/account': { name: 'account' },
  '/account/authenticator': { name: 'authenticator' },
  '/admin': { name: 'admin' },
  '/access-trail': { name: 'access' },
  '/import': { name: 'import' },
};

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  const fixed = FIXED[path];
  if (fixed) return { ...fixed };
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  if (incident?.[1]) {
    try {
      return { name: 'incident', id: decodeURIComponent(incident[1]) };
    } catch {
      // A malformed escape is no incident's address.
      return { name: 'not_found', path };
    }
  }
  const daily = /^\/daily\/(\d{4}-\d{2}-\d{2})$/.exec(path);
  if (daily?.[1]) return { name: 'daily', date: daily[1] };
  return { name: 'not_found', path };
}

export function incidentPath(id: string): string {
  return `/incidents/${encodeURIComponent(id)}`;
}

export function dailyPath(date: string): string {
  return `/daily/${date}`;
}

export const AUTHENTICATOR_PATH = '/account/authenticator';
