/**
 * Day-by-day headline figures over a period (the operations room's thirty-day chart), counted the
 * way the daily report counts its totals, but from the incidents alone so a month costs one query.
 */
import { addDays, isPublished, overlapsDay, utcDayStart } from './daily-report.ts';
import type { IncidentStatus } from './types.ts';

export interface DaySummary {
  date: string;
  /** Incidents observed during the day, rejected and duplicate ones left out (as in the daily report). */
  incidents: number;
  /** Those first observed that day. */
  newIncidents: number;
  /** Those verified. */
  verifiedIncidents: number;
}

export interface SummaryIncident {
  status: IncidentStatus;
  firstObserved: string;
  lastObserved: string;
}

export function summariseDays(from: string, to: string, incidents: readonly SummaryIncident[]): DaySummary[] {
  const days: DaySummary[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    days.push({ date: d, incidents: 0, newIncidents: 0, verifiedIncidents: 0 });
  }
  const first = utcDayStart(from);
  for (const incident of incidents) {
    if (!isPublished(incident.status)) continue;
    const start = Math.max(0, Math.floor((Date.parse(incident.firstObserved) - first) / 86_400_000));
    const end = Math.min(
      days.length - 1,
      Math.floor((Date.parse(incident.lastObserved) - first) / 86_400_000),
    );
    for (let i = start; i <= end; i++) {
      const day = days[i]!;
      if (!overlapsDay(incident, utcDayStart(day.date))) continue;
      day.incidents++;
      if (i === start && Date.parse(incident.firstObserved) >= first) day.newIncidents++;
      if (incident.status === 'verified') day.verifiedIncidents++;
    }
  }
  return days;
}
