/**
 * The daily report for one UTC day (the mechanism's periodic publication) with a 30-day chart,
 * links to the CSV and printable versions, and the compliance determination. All of it is published,
 * so it reads the same signed in or not; only where an incident is named does the link differ.
 */
import { can } from '../access.ts';
import { api, type ComplianceAnswer, type DailyReport, dailyReportUrl, spotReportUrl } from '../api.ts';
import { h, mount } from '../dom.ts';
import { addDays, formatCounts, formatKm, formatTime, isDay, utcDay, words } from '../format.ts';
import { dailyPath, incidentPath } from '../router.ts';
import { statusBadge } from './badges.ts';
import { card } from './card.ts';
import { type DayFigures, dailyChart } from './daily-chart.ts';
import type { ViewContext } from './view.ts';

type Scope = DailyReport['totals'];

const CHART_DAYS = 30;
/** The chart's figures: one request for the whole period, counted as the daily reports count. */
async function lastDays(end: string, count: number): Promise<DayFigures[]> {
  const { items } = await api.dailySummaries(addDays(end, 1 - count), end);
  return items.map((d) => ({ date: d.date, incidents: d.incidents, verified: d.verifiedIncidents }));
}

export function dailyPage(root: HTMLElement, ctx: ViewContext, requested: string | null): () => void {
  const today = utcDay(Date.now());
  const date = requested && isDay(requested) ? requested : today;
  document.title = `Daily report ${date} — Guarantor`;
  let disposed = false;
  // The public may read an incident's published spot report, not the incident itself.
  const incidentLink = can(ctx.session, 'incident:read')
    ? (id: string) => h('a', { href: incidentPath(id) }, 'open')
    : (id: string) => h('a', { href: spotReportUrl(id), target: '_blank', rel: 'noopener' }, 'spot report');

  // The server counts each reader's figures over the records released to them (labels).
  const scope = ctx.session.account
    ? 'Counted over the records your account may read.'
    : 'Counted over the records released to the public; coalition members who sign in see the figures over what is released to them.';

  const picker = h('input', { type: 'date', id: 'daily-date', value: date, max: today, required: true });
  picker.addEventListener('change', () => {
    if (isDay(picker.value)) ctx.navigate(dailyPath(picker.value));
  });
  const body = h('div', { class: 'daily-body' }, h('p', { role: 'status' }, 'Loading the daily report…'));
  const tables = h('div', { class: 'daily-tables' });
  const chartSlot = h(
    'div',
    { class: 'chart-slot', 'aria-busy': 'true' },
    h('p', { class: 'muted' }, 'Loading the last 30 days…'),
  );
  const complianceSlot = h('div', {}, h('p', { class: 'muted' }, 'Loading compliance…'));

  mount(
    root,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, `Daily report for ${date}`),
      h(
        'div',
        { class: 'toolbar' },
        h('label', { for: 'daily-date' }, 'Day (UTC)'),
        picker,
        h(
          'a',
          { href: dailyReportUrl(date, 'csv'), download: `guarantor-daily-${date}.csv`, class: 'button' },
          'Download CSV',
        ),
        h(
          'a',
          { href: dailyReportUrl(date, 'html'), target: '_blank', rel: 'noopener', class: 'button' },
          'Printable report',
        ),
      ),
    ),
    body,
    card({ key: 'chart', title: 'Last 30 days' }, chartSlot),
    card({ key: 'compliance', title: 'Compliance' }, complianceSlot),
    tables,
  );

  api
    .dailyReport(date)
    .then((report) => {
      if (disposed) return;
      ctx.showDemo(report.demo);
      mount(body, ...summaryView(report, scope));
      mount(tables, ...tablesView(report, incidentLink));
    })
    .catch((error: Error) => {
      if (!disposed)
        mount(body, h('p', { role: 'alert' }, `Could not load the daily report: ${error.message}`));
    });

  lastDays(today, CHART_DAYS)
    .then((days) => {
      if (disposed) return;
      chartSlot.setAttribute('aria-busy', 'false');
      mount(chartSlot, dailyChart(days, { selected: date, hrefFor: dailyPath }), chartTable(days));
    })
    .catch((error: Error) => {
      if (!disposed)
        mount(chartSlot, h('p', { role: 'alert' }, `Could not load the chart: ${error.message}`));
    });

  api
    .compliance()
    .then((c) => !disposed && mount(complianceSlot, ...complianceView(c)))
    .catch((error: Error) => {
      if (!disposed)
        mount(complianceSlot, h('p', { role: 'alert' }, `Could not load compliance: ${error.message}`));
    });

  return () => {
    disposed = true;
  };
}

function summaryView(r: DailyReport, scope: string): Node[] {
  const t = r.totals;
  const figure = (label: string, value: number, testid: string) =>
    h(
      'div',
      { class: 'figure', 'data-testid': testid },
      h('span', { class: 'figure-value' }, String(value)),
      h('span', { class: 'figure-label' }, label),
    );
  return [
    r.demo
      ? h(
          'p',
          { class: 'demo-notice inline', role: 'note' },
          h('strong', {}, 'Illustrative demonstration data.'),
          ' This report describes no real events.',
        )
      : null,
    h(
      'p',
      { class: 'muted' },
      `Period ${formatTime(r.periodStart)} to ${formatTime(r.periodEnd)}; generated ${formatTime(r.generatedAt)}. `,
      h('span', { 'data-testid': 'daily-scope' }, scope),
    ),
    h(
      'div',
      { class: 'figures' },
      figure('incidents', t.incidents, 'total-incidents'),
      figure('new today', t.newIncidents, 'new-incidents'),
      figure('verified', t.verifiedIncidents, 'verified-incidents'),
      figure('weapon violations', t.weaponViolations, 'weapon-violations'),
      figure('excluded (rejected or duplicate)', r.excluded.total, 'excluded'),
    ),
    h(
      'p',
      {},
      h('strong', {}, 'Events: '),
      formatCounts(t.counts),
      t.approximate.length ? ` (approximate: ${t.approximate.map(words).join(', ')})` : '',
    ),
  ].filter((n): n is HTMLParagraphElement | HTMLDivElement => n !== null);
}

type IncidentLink = (id: string) => HTMLElement;

function tablesView(r: DailyReport, link: IncidentLink): Node[] {
  return [
    scopeTable('Sectors', 'sectors', r.sectors),
    scopeTable('Oblasts', 'oblasts', r.oblasts),
    violationsTable(r, link),
    restrictionsTable(r, link),
  ];
}

function scopeTable(title: string, key: string, rows: Scope[]): HTMLElement {
  const statuses = Object.keys(rows[0]?.byStatus ?? {});
  return h(
    'section',
    { class: 'card', 'aria-labelledby': `${key}-heading` },
    h('h2', { id: `${key}-heading` }, title),
    rows.length
      ? h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'data', 'data-testid': `${key}-table` },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, title.replace(/s$/, '')),
                ...[
                  'Incidents',
                  'New',
                  'Verified',
                  ...statuses.map(words),
                  'Weapon violations',
                  'Events',
                ].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              {},
              ...rows.map((s) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, s.id ? `${s.name} (${s.id})` : s.name),
                  h('td', { class: 'num' }, String(s.incidents)),
                  h('td', { class: 'num' }, String(s.newIncidents)),
                  h('td', { class: 'num' }, String(s.verifiedIncidents)),
                  ...statuses.map((st) =>
                    h('td', { class: 'num' }, String(s.byStatus[st as keyof Scope['byStatus']] ?? 0)),
                  ),
                  h('td', { class: 'num' }, String(s.weaponViolations)),
                  h('td', {}, formatCounts(s.counts)),
                ),
              ),
            ),
          ),
        )
      : h('p', {}, 'None.'),
  );
}

/** A card listing one kind of finding, or saying there was none. */
function listCard(id: string, title: string, headings: string[], rows: Node[][]): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': id },
    h('h2', { id }, title),
    rows.length
      ? h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'data' },
            h('thead', {}, h('tr', {}, ...headings.map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells))),
          ),
        )
      : h('p', {}, 'None recorded.'),
  );
}

function violationsTable(r: DailyReport, link: IncidentLink): HTMLElement {
  return listCard(
    'violations-heading',
    'Weapons in violation of withdrawal lines',
    ['Observed', 'Status', 'Weapon', 'Count', 'Line', 'Distance (required)', 'Place', 'Incident'],
    r.weaponViolations.map((v) => [
      h('td', {}, formatTime(v.observedAt)),
      h('td', {}, statusBadge(v.status)),
      h('td', {}, words(v.weaponClass)),
      h('td', { class: 'num' }, String(v.count)),
      h('td', {}, v.zoneName),
      h('td', {}, `${formatKm(v.actualKm)} (${formatKm(v.requiredKm)})`),
      h('td', {}, placeName(v.place)),
      h('td', {}, link(v.incidentId)),
    ]),
  );
}

function restrictionsTable(r: DailyReport, link: IncidentLink): HTMLElement {
  return listCard(
    'restrictions-heading',
    'Restrictions of freedom of movement',
    ['Observed', 'Status', 'Source', 'Place', 'Notes', 'Incident'],
    r.movementRestrictions.map((m) => [
      h('td', {}, formatTime(m.observedFrom)),
      h('td', {}, statusBadge(m.status)),
      h('td', {}, `${m.source.participant} ${words(m.source.kind)}`),
      h('td', {}, placeName(m.place)),
      h('td', {}, m.notes ?? '—'),
      h('td', {}, link(m.incidentId)),
    ]),
  );
}

function placeName(p: DailyReport['weaponViolations'][number]['place']): string {
  return (
    [p.oblastName ?? p.oblast, p.sectorName ?? p.sectorId].filter(Boolean).join(', ') ||
    `${p.lat.toFixed(2)}, ${p.lon.toFixed(2)}`
  );
}

/** The same figures as the chart, as a table for screen readers and for copying. */
function chartTable(days: DayFigures[]): HTMLElement {
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, 'The figures as a table'),
    h(
      'table',
      { class: 'data' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Day'),
          h('th', { scope: 'col' }, 'Incidents'),
          h('th', { scope: 'col' }, 'Verified'),
        ),
      ),
      h(
        'tbody',
        {},
        ...days.map((d) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('a', { href: dailyPath(d.date) }, d.date)),
            h('td', { class: 'num' }, String(d.incidents)),
            h('td', { class: 'num' }, String(d.verified)),
          ),
        ),
      ),
    ),
  );
}

function complianceView(c: ComplianceAnswer): Node[] {
  const d = c.determination;
  const sectors = [...new Map(c.sectorDays.map((s) => [s.sectorId ?? '', s.sectorName])).entries()];
  const dates = [...new Set(c.sectorDays.map((s) => s.date))].sort().slice(-14);
  const cell = new Map(c.sectorDays.map((s) => [`${s.sectorId ?? ''}|${s.date}`, s]));
  return [
    h(
      'div',
      {
        class: `determination ${d.reliable ? 'reliable' : 'not-reliable'}`,
        'data-testid': 'determination',
        role: 'status',
      },
      h('p', { class: 'verdict' }, d.reliable ? 'Reliable ceasefire: yes' : 'Reliable ceasefire: not yet'),
      h('p', {}, d.reason),
      h(
        'p',
        { class: 'muted' },
        `As of ${d.asOf}. Held for ${d.streakDays} of ${d.rule.consecutiveDays} required days` +
          (d.since ? ` (since ${d.since})` : '') +
          (d.brokenOn ? `; last broken on ${d.brokenOn}` : '') +
          `. Rule: at most ${d.rule.maxVerifiedPerSectorDay} verified incidents and ${d.rule.maxWeaponViolationsPerSectorDay} weapon violations per sector and day` +
          (d.rule.countUnverified
            ? ', counting unverified incidents.'
            : ', counting verified incidents only.'),
      ),
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data compliance-grid' },
        h('caption', {}, `How each sector held, ${dates[0] ?? ''} to ${dates.at(-1) ?? ''}`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Sector'),
            ...dates.map((date) => h('th', { scope: 'col' }, date.slice(5))),
          ),
        ),
        h(
          'tbody',
          {},
          ...sectors.map(([id, name]) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, name),
              ...dates.map((date) => {
                const s = cell.get(`${id}|${date}`);
                return s
                  ? h(
                      'td',
                      {
                        class: `level level-${s.level}`,
                        title: `${s.verified} verified, ${s.weaponViolations} weapon violations`,
                      },
                      s.level,
                    )
                  : h('td', {}, '—');
              }),
            ),
          ),
        ),
      ),
    ),
  ];
}
