/**
 * The operations room's filters and their place in the address (`?status=&type=&oblast=&sector=&from=&to=`),
 * so a reload or a shared link shows the same picture. Values that are not valid fall back to the default.
 */
import { EVENT_TYPES } from '../../src/monitoring/report-schema.ts';
import { INCIDENT_STATUSES, type IncidentStatus } from '../../src/monitoring/types.ts';
import { DEFAULT_WINDOW, normaliseWindow, type TimeWindow } from './time-window.ts';

export interface Filters {
  statuses: IncidentStatus[];
  type: string;
  oblast: string;
  sectorId: string;
  window: TimeWindow;
}

export function filtersFromQuery(search: string): Filters {
  const q = new URLSearchParams(search);
  const statuses = (q.get('status') ?? '')
    .split(',')
    .filter((s): s is IncidentStatus => (INCIDENT_STATUSES as readonly string[]).includes(s));
  const type = q.get('type') ?? '';
  return {
    statuses: statuses.length ? statuses : [...INCIDENT_STATUSES],
    type: (EVENT_TYPES as readonly string[]).includes(type) ? type : '',
    oblast: /^UA-\d{2}$/.test(q.get('oblast') ?? '') ? q.get('oblast')! : '',
    sectorId: q.get('sector') ?? '',
    window: normaliseWindow({
      startAgo: Number(q.get('from') ?? DEFAULT_WINDOW.startAgo),
      endAgo: Number(q.get('to') ?? DEFAULT_WINDOW.endAgo),
    }),
  };
}

export function filtersToQuery(f: Filters): string {
  const q = new URLSearchParams();
  if (f.statuses.length !== INCIDENT_STATUSES.length) q.set('status', f.statuses.join(','));
  if (f.type) q.set('type', f.type);
  if (f.oblast) q.set('oblast', f.oblast);
  if (f.sectorId) q.set('sector', f.sectorId);
  if (f.window.startAgo !== DEFAULT_WINDOW.startAgo) q.set('from', String(f.window.startAgo));
  if (f.window.endAgo !== DEFAULT_WINDOW.endAgo) q.set('to', String(f.window.endAgo));
  const s = q.toString();
  return s ? `?${s}` : '';
}
