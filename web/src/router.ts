/**
 * The app's routes, with history (path) routing so every page has a real address that survives a
 * reload: the server answers any path without a dot, outside /api/, with index.html.
 */

export type Route =
  | { name: 'operations' }
  | { name: 'incident'; id: string }
  | { name: 'daily'; date: string | null }
  | { name: 'not_found'; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'operations' };
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  if (incident?.[1]) return { name: 'incident', id: decodeURIComponent(incident[1]) };
  if (path === '/daily') return { name: 'daily', date: null };
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
