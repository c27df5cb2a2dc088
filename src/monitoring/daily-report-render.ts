/**
 * The daily report as CSV (RFC 4180) and as one printable, self-contained HTML page.
 *
 * Every piece of text that reaches the HTML passes through `escapeHtml`: sector names, notes and
 * participant codes come from users and field devices. The page loads nothing and runs nothing; its
 * Content-Security-Policy says so too, in case a browser is ever tricked into more.
 */

import { counted } from '../kernel/text/counted.ts';
import {
  type DailyReport,
  PUBLISHED_STATUSES,
  type PublishedPlace,
  type PublishedStatus,
  type ScopeSummary,
} from './daily-report.ts';
import type { Estimate, EventCounts } from './event-counts.ts';
import { EVENT_TYPES, type EventType, type SourceKind, type WeaponClass } from './report-schema.ts';
import type { IncidentStatus } from './types.ts';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text to HTML, safe in element content and in quoted attribute values. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** [singular, plural] */
export const EVENT_LABELS: Record<EventType, readonly [string, string]> = {
  explosion: ['explosion', 'explosions'],
  projectile: ['projectile', 'projectiles'],
  muzzle_flash: ['muzzle flash', 'muzzle flashes'],
  illumination_flare: ['illumination flare', 'illumination flares'],
  burst: ['burst', 'bursts'],
  shot: ['shot', 'shots'],
  impact: ['impact', 'impacts'],
  uav_flight: ['UAV flight', 'UAV flights'],
  weapon_sighting: ['weapon sighting', 'weapon sightings'],
  movement_restriction: ['movement restriction', 'movement restrictions'],
};

export const WEAPON_CLASS_LABELS: Record<WeaponClass, string> = {
  small_arms: 'small arms',
  heavy_machine_gun: 'heavy machine gun',
  grenade_launcher: 'grenade launcher',
  mortar_under_120mm: 'mortar (under 120 mm)',
  mortar_120mm: 'mortar (120 mm)',
  artillery_under_100mm: 'artillery (under 100 mm)',
  artillery_100mm_plus: 'artillery (100 mm and over)',
  mlrs: 'multiple launch rocket system',
  tank: 'tank',
  anti_tank: 'anti-tank weapon',
  air_defence: 'air defence system',
  uav: 'UAV',
  missile: 'missile',
  undetermined: 'undetermined weapon',
};

export const STATUS_LABELS: Record<IncidentStatus, string> = {
  received: 'received',
  triaged: 'triaged',
  under_investigation: 'under investigation',
  verified: 'verified',
  unverifiable: 'unverifiable',
  rejected: 'rejected',
  duplicate: 'duplicate',
};

export const SOURCE_KIND_LABELS: Record<SourceKind, string> = {
  patrol: 'monitor patrol',
  camera: 'fixed camera',
  uav: 'UAV',
  sensor: 'sensor',
  party: 'party liaison',
  other: 'other source',
};

export const DEMO_NOTICE = 'Illustrative demonstration data';

/** "about 12 explosions, 3 bursts and 1 shot"; empty string when there is nothing to count. */
export function describeCounts(counts: EventCounts, approximate: readonly EventType[] = []): string {
  const parts: string[] = [];
  for (const type of EVENT_TYPES) {
    const n = counts[type] ?? 0;
    if (n === 0) continue;
    const [one, many] = EVENT_LABELS[type];
    parts.push(`${approximate.includes(type) ? 'about ' : ''}${n} ${n === 1 ? one : many}`);
  }
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** "2026-11-20 14:05 UTC" */
export function formatUtc(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return time;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function describePlace(place: PublishedPlace): string {
  const parts = [
    `${place.lat.toFixed(3)} N, ${place.lon.toFixed(3)} E (within about ${place.uncertaintyM} m)`,
  ];
  if (place.oblast !== null) {
    parts.push(
      place.oblastName && place.oblastName !== place.oblast
        ? `${place.oblastName} (${place.oblast})`
        : place.oblast,
    );
  }
  if (place.sectorId !== null) parts.push(`sector ${place.sectorName ?? place.sectorId}`);
  return parts.join(', ');
}

// ---------- CSV ----------

/**
 * One RFC 4180 field. A text that a spreadsheet would run as a formula is prefixed with an
 * apostrophe (OWASP CSV injection advice): names come from users.
 */
export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export const DAILY_CSV_COLUMNS = ['date', 'scope', 'scopeId', 'scopeName', 'type', 'count'] as const;

/** One row per sector and event type, then per oblast and event type; CRLF line ends. */
export function dailyCsv(report: DailyReport): string {
  const rows: (string | number)[][] = [[...DAILY_CSV_COLUMNS]];
  for (const scope of [...report.sectors, ...report.oblasts]) {
    for (const type of EVENT_TYPES) {
      rows.push([report.date, scope.scope, scope.id ?? '', scope.name, type, scope.counts[type]]);
    }
  }
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

// ---------- HTML ----------

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; margin: 2rem auto;
  max-width: 75rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid #999; padding-bottom: .15rem; }
.meta { color: #444; margin: 0; }
.demo { border: 3px solid #b00020; color: #b00020; font-weight: 700; text-transform: uppercase;
  letter-spacing: .05em; padding: .4rem .75rem; margin: 0 0 1rem; text-align: center; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 .75rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #bbb; padding: .2rem .4rem; text-align: left; vertical-align: top; }
th { background: #eee; font-weight: 600; }
td.n, th.n { text-align: right; }
tr.total td { font-weight: 700; border-top: 2px solid #555; }
.none { color: #555; font-style: italic; }
footer { margin-top: 2rem; font-size: .85rem; color: #444; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { font-size: 9pt; margin: 0; max-width: none; padding: 0; }
  h2 { break-after: avoid-page; }
  section { break-inside: avoid-page; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .demo { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/** A complete page: inline style only, nothing fetched, nothing run. `bodyHtml` must be escaped already. */
export function htmlDocument(page: {
  title: string;
  demo: boolean;
  bodyHtml: string;
  lang?: string;
}): string {
  const title = page.demo ? `${page.title} (${DEMO_NOTICE})` : page.title;
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(page.lang ?? 'en')}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    page.demo ? `<p class="demo" role="note">${escapeHtml(DEMO_NOTICE)}</p>` : '',
    page.bodyHtml,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function cell(value: string | number, numeric = false): string {
  return numeric ? `<td class="n">${escapeHtml(value)}</td>` : `<td>${escapeHtml(value)}</td>`;
}

function headCell(label: string, numeric = false): string {
  return numeric
    ? `<th scope="col" class="n">${escapeHtml(label)}</th>`
    : `<th scope="col">${escapeHtml(label)}</th>`;
}

function table(head: string[], rows: string[], numericFrom = 1): string {
  const headRow = head.map((h, i) => headCell(h, i >= numericFrom)).join('');
  return `<table><thead><tr>${headRow}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function countCell(summary: ScopeSummary, type: EventType): string {
  const n = summary.counts[type];
  return cell(n > 0 && summary.approximate.includes(type) ? `\u2248${n}` : n, true);
}

function capitalise(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}

function eventsTable(scopes: ScopeSummary[], totals: ScopeSummary, scopeLabel: string): string {
  const head = [
    scopeLabel,
    'Incidents',
    'New',
    'Verified',
    ...EVENT_TYPES.map((t) => capitalise(EVENT_LABELS[t][1])),
  ];
  const row = (s: ScopeSummary, cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}>${cell(s.id !== null && s.id !== s.name ? `${s.name} (${s.id})` : s.name)}${cell(s.incidents, true)}${cell(s.newIncidents, true)}${cell(s.verifiedIncidents, true)}${EVENT_TYPES.map((t) => countCell(s, t)).join('')}</tr>`;
  return table(head, [...scopes.map((s) => row(s)), row({ ...totals, name: 'Total' }, 'total')]);
}

function statusTable(report: DailyReport): string {
  const head = ['Sector', ...PUBLISHED_STATUSES.map((s) => capitalise(STATUS_LABELS[s]))];
  const row = (s: ScopeSummary, cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}>${cell(s.name)}${PUBLISHED_STATUSES.map((st: PublishedStatus) => cell(s.byStatus[st], true)).join('')}</tr>`;
  return table(head, [
    ...report.sectors.map((s) => row(s)),
    row({ ...report.totals, name: 'Total' }, 'total'),
  ]);
}

function casualtiesTable(report: DailyReport): string {
  const rows = (Object.entries(report.totals.casualties) as [string, Estimate][]).map(
    ([category, e]) =>
      `<tr>${cell(capitalise(category))}${cell(e.low, true)}${cell(e.best, true)}${cell(e.high, true)}</tr>`,
  );
  return table(['Category', 'Low', 'Best estimate', 'High'], rows);
}

function weaponsSection(report: DailyReport): string {
  if (report.weaponViolations.length === 0) {
    return '<p class="none">No weapons were seen in violation of the withdrawal lines.</p>';
  }
  const rows = report.weaponViolations.map(
    (v) =>
      `<tr>${cell(v.incidentId)}${cell(formatUtc(v.observedAt))}${cell(WEAPON_CLASS_LABELS[v.weaponClass])}${cell(v.count, true)}${cell(describePlace(v.place))}${cell(v.zoneName)}${cell(v.requiredKm, true)}${cell(v.actualKm.toFixed(1), true)}${cell(STATUS_LABELS[v.status])}</tr>`,
  );
  return table(
    [
      'Incident',
      'Observed',
      'Weapon',
      'Number',
      'Place',
      'Withdrawal line',
      'Required km',
      'Actual km',
      'Status',
    ],
    rows,
    99,
  );
}

function restrictionsSection(report: DailyReport): string {
  if (report.movementRestrictions.length === 0) {
    return '<p class="none">No restrictions of freedom of movement were reported.</p>';
  }
  const rows = report.movementRestrictions.map(
    (m) =>
      `<tr>${cell(m.incidentId)}${cell(formatUtc(m.observedFrom))}${cell(describePlace(m.place))}${cell(`${SOURCE_KIND_LABELS[m.source.kind]}, ${m.source.participant}`)}${cell(m.notes ?? '')}${cell(STATUS_LABELS[m.status])}</tr>`,
  );
  return table(['Incident', 'Time', 'Place', 'Reported by', 'Notes', 'Status'], rows, 99);
}

function summaryParagraphs(report: DailyReport): string {
  const t = report.totals;
  const events = describeCounts(t.counts, t.approximate);
  const lines = [
    `The mechanism recorded ${counted(t.incidents, 'incident')} (${t.newIncidents} first observed this day, ${t.verifiedIncidents} verified).`,
    events ? `Events observed: ${events}.` : 'No events were observed.',
    `Weapons in violation of withdrawal lines: ${report.weaponViolations.length}. Restrictions of freedom of movement: ${report.movementRestrictions.length}.`,
  ];
  const x = report.excluded;
  if (x.total > 0) {
    lines.push(
      `Excluded from these figures: ${counted(x.total, 'incident')} (${x.rejected} rejected, ${x.duplicate} duplicate).`,
    );
  }
  return lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n');
}

export function dailyHtml(report: DailyReport): string {
  const body = [
    '<header>',
    `<h1>${escapeHtml(report.title)}</h1>`,
    `<p class="meta">Reporting period: ${escapeHtml(formatUtc(report.periodStart))} to ${escapeHtml(formatUtc(report.periodEnd))}. Generated ${escapeHtml(formatUtc(report.generatedAt))}.</p>`,
    '</header>',
    '<main>',
    `<section><h2>Summary</h2>${summaryParagraphs(report)}</section>`,
    `<section><h2>Events by sector</h2>${eventsTable(report.sectors, report.totals, 'Sector')}</section>`,
    `<section><h2>Events by oblast</h2>${eventsTable(report.oblasts, report.totals, 'Oblast')}</section>`,
    `<section><h2>Incidents by status</h2>${statusTable(report)}</section>`,
    `<section><h2>Casualties</h2>${casualtiesTable(report)}</section>`,
    `<section><h2>Weapons in violation of withdrawal lines</h2>${weaponsSection(report)}</section>`,
    `<section><h2>Restrictions of freedom of movement</h2>${restrictionsSection(report)}</section>`,
    '</main>',
    '<footer>',
    `<p>${escapeHtml(
      'How events are counted: within an incident, the reports of one source add up and the largest total of any one source is taken, so several observers of the same events do not multiply them; corrected reports are replaced by their corrections; across incidents, counts add up. \u2248 marks a count that includes estimates. Rejected and duplicate incidents are not in the figures.',
    )}</p>`,
    '</footer>',
  ].join('\n');
  return htmlDocument({ title: report.title, demo: report.demo, bodyHtml: body });
}
