/**
 * The spot report: the publication about one incident, as JSON and as a printable page.
 *
 * It says who observed by kind and participant only: a source's id could expose a patrol's route or
 * a camera's position, so it never leaves the secretariat. Report notes stay out for the same reason.
 */

import { counted } from '../kernel/text/counted.ts';
import {
  compareIds,
  type IncidentWithReports,
  type Means,
  type PublishedPlace,
  publishedUncertaintyM,
  roundCoordinate,
  utcDayOf,
} from './daily-report.ts';
import {
  describeCounts,
  describePlace,
  EVENT_LABELS,
  escapeHtml,
  formatUtc,
  htmlDocument,
  SOURCE_KIND_LABELS,
  STATUS_LABELS,
  WEAPON_CLASS_LABELS,
} from './daily-report-render.ts';
import {
  type CasualtyEstimates,
  countIncidentEvents,
  currentReports,
  type EventCounts,
  incidentCasualties,
  sourceKey,
} from './event-counts.ts';
import {
  EVENT_TYPES,
  type EventType,
  MEANS,
  type SourceKind,
  WEAPON_CLASSES,
  type WeaponClass,
} from './report-schema.ts';
import type { IncidentStatus } from './types.ts';

export interface SpotReport {
  incidentId: string;
  title: string;
  demo: boolean;
  generatedAt: string | null;
  what: {
    summary: string;
    counts: EventCounts;
    /** Types whose count includes an estimate. */
    approximate: EventType[];
    weaponClasses: WeaponClass[];
    means: Means[];
    casualties: CasualtyEstimates;
    /** Distance to the nearest contact line, km, the smallest any report gave; null when not assessed. */
    contactLineKm: number | null;
    inBufferZone: boolean;
    withdrawalViolations: {
      weaponClass: WeaponClass;
      zoneName: string;
      requiredKm: number;
      actualKm: number;
    }[];
  };
  where: PublishedPlace;
  when: { firstObserved: string; lastObserved: string };
  /** One line per kind and participant. */
  sources: { kind: SourceKind; participant: string; sources: number; reports: number }[];
  /** Reports that stand, and reports replaced by a correction. */
  reports: { counted: number; superseded: number };
  verification: { status: IncidentStatus; verified: boolean; assessedAttribution: string | null };
}

export interface SpotReportOptions {
  generatedAt?: string;
  demo?: boolean;
  oblastNames?: Readonly<Record<string, string>>;
  /**
   * Ids of this incident's reports corrected by reports that correlation put in another incident;
   * the server finds them by looking up the reports that supersede these.
   */
  superseded?: ReadonlySet<string>;
}

export function spotReport(incident: IncidentWithReports, options: SpotReportOptions = {}): SpotReport {
  const reports = currentReports(incident.reports, { superseded: options.superseded ?? new Set() });
  const counts = countIncidentEvents(reports);
  const approximate = EVENT_TYPES.filter((t) => reports.some((r) => r.type === t && r.countApproximate));
  const oblastNames = options.oblastNames ?? {};

  const bySource = new Map<
    string,
    { kind: SourceKind; participant: string; ids: Set<string>; reports: number }
  >();
  for (const r of reports) {
    const key = `${r.source.kind}\u0000${r.source.participant}`;
    const line = bySource.get(key) ?? {
      kind: r.source.kind,
      participant: r.source.participant,
      ids: new Set(),
      reports: 0,
    };
    line.ids.add(sourceKey(r.source));
    line.reports += 1;
    bySource.set(key, line);
  }

  const distances = reports.flatMap((r) => (r.zone?.contactLineKm == null ? [] : [r.zone.contactLineKm]));
  const violations = new Map<string, SpotReport['what']['withdrawalViolations'][number]>();
  for (const r of reports) {
    const v = r.zone?.withdrawalViolation;
    if (!v) continue;
    const key = `${v.weaponClass}\u0000${v.zoneId}`;
    const seen = violations.get(key);
    if (!seen || v.actualKm < seen.actualKm) {
      violations.set(key, {
        weaponClass: v.weaponClass,
        zoneName: v.zoneName,
        requiredKm: v.requiredKm,
        actualKm: v.actualKm,
      });
    }
  }

  const where: PublishedPlace = {
    lon: roundCoordinate(incident.lon),
    lat: roundCoordinate(incident.lat),
    uncertaintyM: publishedUncertaintyM(incident.uncertaintyM),
    oblast: incident.oblast,
    oblastName: incident.oblast === null ? null : (oblastNames[incident.oblast] ?? incident.oblast),
    sectorId: incident.sectorId,
    sectorName: incident.sectorName,
  };
  const firstType = EVENT_TYPES.find((t) => (counts[t] ?? 0) > 0);
  const headline = firstType ? EVENT_LABELS[firstType][1] : 'incident';

  return {
    incidentId: incident.id,
    title: `Spot report: ${headline} ${where.oblastName ? `in ${where.oblastName}` : 'reported'} on ${utcDayOf(incident.firstObserved)}`,
    demo: options.demo === true,
    generatedAt: options.generatedAt ?? null,
    what: {
      summary: describeCounts(counts, approximate) || 'No events counted.',
      counts,
      approximate,
      weaponClasses: WEAPON_CLASSES.filter((w) => reports.some((r) => r.weaponClass === w)),
      means: MEANS.filter((m) => reports.some((r) => r.means === m)),
      casualties: incidentCasualties(reports),
      contactLineKm: distances.length > 0 ? Math.min(...distances) : null,
      inBufferZone: reports.some((r) => r.zone?.inBufferZone === true),
      withdrawalViolations: [...violations.values()].sort(
        (a, b) => compareIds(a.weaponClass, b.weaponClass) || compareIds(a.zoneName, b.zoneName),
      ),
    },
    where,
    when: { firstObserved: incident.firstObserved, lastObserved: incident.lastObserved },
    sources: [...bySource.values()]
      .map((l) => ({ kind: l.kind, participant: l.participant, sources: l.ids.size, reports: l.reports }))
      .sort((a, b) => compareIds(a.kind, b.kind) || compareIds(a.participant, b.participant)),
    reports: { counted: reports.length, superseded: incident.reports.length - reports.length },
    verification: {
      status: incident.status,
      verified: incident.status === 'verified',
      assessedAttribution: incident.assessedAttribution ?? null,
    },
  };
}

function row(label: string, value: string): string {
  return `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;
}

export function spotHtml(spot: SpotReport): string {
  const w = spot.what;
  const casualties = Object.entries(w.casualties)
    .map(([category, e]) => `${category}: ${e.best} (${e.low} to ${e.high})`)
    .join('; ');
  const rows = [
    row('Incident', spot.incidentId),
    row('What', w.summary),
    row('Weapons', w.weaponClasses.map((c) => WEAPON_CLASS_LABELS[c]).join(', ') || 'none identified'),
    row('Observed by means of', w.means.join(', ')),
    row('Where', describePlace(spot.where)),
    row('When', `${formatUtc(spot.when.firstObserved)} to ${formatUtc(spot.when.lastObserved)}`),
    row('Casualties', casualties || 'none reported'),
    row(
      'Distance to contact line',
      w.contactLineKm === null ? 'not assessed' : `${w.contactLineKm.toFixed(1)} km`,
    ),
    row('In buffer zone', w.inBufferZone ? 'yes' : 'no'),
    ...w.withdrawalViolations.map((v) =>
      row(
        'Withdrawal line violation',
        `${WEAPON_CLASS_LABELS[v.weaponClass]} ${v.actualKm.toFixed(1)} km from the contact line; ${v.zoneName} requires ${v.requiredKm} km`,
      ),
    ),
    row(
      'Sources',
      spot.sources
        .map(
          (s) =>
            `${SOURCE_KIND_LABELS[s.kind]}, ${s.participant} (${counted(s.sources, 'source')}, ${counted(s.reports, 'report')})`,
        )
        .join('; ') || 'none',
    ),
    row('Reports', `${spot.reports.counted} counted, ${spot.reports.superseded} replaced by corrections`),
    row('Verification status', STATUS_LABELS[spot.verification.status]),
    row('Assessed attribution', spot.verification.assessedAttribution ?? 'not assessed'),
  ];
  const body = [
    '<header>',
    `<h1>${escapeHtml(spot.title)}</h1>`,
    spot.generatedAt ? `<p class="meta">Generated ${escapeHtml(formatUtc(spot.generatedAt))}.</p>` : '',
    '</header>',
    `<main><table><tbody>${rows.join('')}</tbody></table></main>`,
  ].join('\n');
  return htmlDocument({ title: spot.title, demo: spot.demo, bodyHtml: body });
}
