/**
 * One incident: its figures, the assessed attribution (apart from what reports claim), the
 * reports that describe it and how each was linked, the evidence behind them (evidence-panel.ts),
 * its history, a small map, and the analyst's actions: change status, split, merge. The actions are
 * offered only to roles that may take them; the history names whoever was signed in when a change
 * was made.
 */
import { formatLabel } from '../../../src/access/labels.ts';
import { counted } from '../../../src/kernel/text/counted.ts';
import { incidentActions, rolesText } from '../access.ts';
import type { IncidentDetail, IncidentStatus } from '../api.ts';
import { api, spotReportUrl } from '../api.ts';
import { h, mount } from '../dom.ts';
import {
  formatCoordinate,
  formatCounts,
  formatKm,
  formatMetres,
  formatSpan,
  formatTime,
  words,
} from '../format.ts';
import { InclusionChecker, type InclusionStatus, RECORD_KINDS, type RecordRef } from '../inclusion-check.ts';
import { SOURCES } from '../map-style.ts';
import { type AppMap, createMap, loadGeography, setSourceData } from '../map-view.ts';
import { incidentPath } from '../router.ts';
import {
  ATTRIBUTION_BASES,
  CONFIDENCES,
  checkMerge,
  checkSplit,
  checkTransition,
  nextStatuses,
} from '../verification.ts';
import { ledgerBadge, statusBadge } from './badges.ts';
import { card } from './card.ts';
import { evidenceSection } from './evidence-panel.ts';
import { type Field, field, onAction } from './forms.ts';
import type { ViewContext } from './view.ts';

type Report = IncidentDetail['reports'][number];

const CHECKING: InclusionStatus = {
  state: 'pending',
  code: 'checking',
  reason: 'checking the inclusion proof in this browser',
};

/** At most this many proofs in flight, so a large incident does not queue the page's other requests. */
const LEDGER_CONCURRENCY = 4;

export function incidentPage(root: HTMLElement, ctx: ViewContext, id: string): () => void {
  document.title = 'Incident — Guarantor';
  const may = incidentActions(ctx.session);
  let disposed = false;
  let appMap: AppMap | null = null;
  let oblastNames = new Map<string, string>();
  const mapEl = h('div', { class: 'map map-small', id: 'incident-map' });
  const flash = h('p', { class: 'flash', role: 'status', tabindex: '-1', hidden: true });

  mount(root, h('p', { role: 'status' }, 'Loading the incident…'));

  loadGeography()
    .then(({ oblasts }) => {
      oblastNames = new Map(
        oblasts.features.map((f) => [String(f.properties?.iso), String(f.properties?.name)]),
      );
    })
    .catch(() => {
      // Oblast codes are shown instead of names.
    })
    .finally(() => {
      api
        .incident(id)
        .then((detail) => !disposed && render(detail))
        .catch((error: Error) => {
          if (disposed) return;
          document.title = 'Incident not found — Guarantor';
          mount(
            root,
            h('h1', {}, 'Incident not available'),
            h('p', { role: 'alert' }, error.message),
            h('p', {}, h('a', { href: '/' }, 'Back to the operations room')),
          );
        });
    });

  function say(message: string, link?: { href: string; text: string }): void {
    flash.hidden = false;
    mount(flash, message, link ? [' ', h('a', { href: link.href }, link.text)] : null);
    flash.focus();
  }

  function render(detail: IncidentDetail): void {
    // One per drawing, shared by the incident, its reports and their evidence: the latest checkpoint is
    // fetched and verified once, and again after a change redraws the page.
    const checker = new InclusionChecker();
    document.title = `Incident ${detail.id.slice(0, 8)}… (${words(detail.status)}) — Guarantor`;
    const incidentLedger = h(
      'p',
      { class: 'ledger-line', 'data-testid': 'incident-ledger', 'aria-live': 'polite' },
      'Ledger: ',
      ledgerBadge(CHECKING),
    );
    const reportLedger = new Map<string, HTMLElement>();
    mount(
      root,
      h(
        'div',
        { class: 'page-head' },
        h('p', { class: 'crumbs' }, h('a', { href: '/' }, '← Operations room')),
        // The confidentiality label, as a banner heads a marked document: who this may be shown to.
        h('p', { class: 'label-banner', 'data-testid': 'incident-label' }, formatLabel(detail.label)),
        h(
          'h1',
          {},
          `Incident: ${words(detail.primaryType)} `,
          h('span', { class: 'status-now', 'data-testid': 'incident-status' }, statusBadge(detail.status)),
        ),
        h(
          'p',
          { class: 'muted' },
          h('code', {}, detail.id),
          ' · ',
          h(
            'a',
            { href: spotReportUrl(detail.id), target: '_blank', rel: 'noopener' },
            'Printable spot report',
          ),
        ),
        incidentLedger,
      ),
      flash,
      detail.mergedInto
        ? h(
            'p',
            { class: 'notice', role: 'note' },
            'This incident was merged into ',
            h('a', { href: incidentPath(detail.mergedInto) }, detail.mergedInto),
            '; its reports now belong there.',
          )
        : null,
      h(
        'div',
        { class: 'incident-top' },
        h('div', {}, summary(detail, oblastNames), attributionPanel(detail)),
        h(
          'section',
          { 'aria-labelledby': 'map-heading', class: 'card' },
          h('h2', { id: 'map-heading' }, 'Where'),
          mapEl,
          h(
            'p',
            { class: 'muted' },
            'Coloured circle: the incident’s estimated place (colour by status). Small white dots: each report’s estimated place.',
          ),
        ),
      ),
      detail.mergedInto ? null : may.transition ? verification(detail) : readOnlyNote(detail),
      reportsSection(detail, reportLedger),
      evidenceSection(detail.reports, ctx.session, () => disposed, checker),
      detail.mergedInto || !may.merge ? null : mergeSection(detail),
      historySection(detail),
    );
    showOnMap(detail);
    checkLedger(detail, incidentLedger, reportLedger, checker);
  }

  /** Verifies, in this browser, the incident's and each report's inclusion in the ledger. */
  function checkLedger(
    detail: IncidentDetail,
    incidentSlot: HTMLElement,
    reportSlots: Map<string, HTMLElement>,
    checker: InclusionChecker,
  ) {
    const jobs: { record: RecordRef; show: (status: InclusionStatus) => void }[] = [
      {
        record: { id: detail.id, kinds: RECORD_KINDS.incident },
        show: (status) => mount(incidentSlot, 'Ledger: ', ledgerBadge(incidentStatus(detail, status))),
      },
      ...detail.reports.flatMap((r) => {
        const slot = reportSlots.get(r.id);
        return slot
          ? [
              {
                record: { id: r.id, kinds: RECORD_KINDS.report },
                show: (s: InclusionStatus) => mount(slot, ledgerBadge(s)),
              },
            ]
          : [];
      }),
    ];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < jobs.length; i = next++) {
        const job = jobs[i]!;
        const status = await checker.check(job.record).catch(
          (e: unknown): InclusionStatus => ({
            state: 'failed',
            reason: String((e as Error)?.message ?? e),
          }),
        );
        if (disposed) return;
        job.show(status);
      }
    };
    for (let n = 0; n < Math.min(LEDGER_CONCURRENCY, jobs.length); n++) void worker();
  }

  function showOnMap(detail: IncidentDetail): void {
    const points: [number, number][] = [
      [detail.lon, detail.lat],
      ...detail.reports.map((r) => [r.estimated.lon, r.estimated.lat] as [number, number]),
    ];
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    // At least ~25 km across, so a lone point is seen with the lines around it.
    const pad = 0.12;
    const bounds: [[number, number], [number, number]] = [
      [Math.min(...lons) - pad, Math.min(...lats) - pad],
      [Math.max(...lons) + pad, Math.max(...lats) + pad],
    ];
    if (!appMap)
      appMap = createMap(mapEl, { withReports: true, bounds, label: 'Map of the incident and its reports' });
    else appMap.map.fitBounds(bounds, { padding: 30, duration: 0 });
    const { map, ready } = appMap;
    ready
      .then(() => {
        if (disposed) return;
        const { reports: _reports, history: _history, ...incident } = detail;
        setSourceData(map, SOURCES.incidents, {
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              geometry: { type: 'Point', coordinates: [detail.lon, detail.lat] },
              properties: incident,
            },
          ],
        });
        setSourceData(map, SOURCES.reports, {
          type: 'FeatureCollection',
          features: detail.reports.map((r) => ({
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [r.estimated.lon, r.estimated.lat] },
            properties: { id: r.id },
          })),
        });
        map.once('idle', () => {
          mapEl.dataset.mapReady = 'true';
        });
        map.triggerRepaint();
      })
      .catch((error: Error) => {
        mapEl.replaceChildren(h('p', { role: 'alert' }, `The map could not load: ${error.message}`));
      });
  }

  /** What a reader without the analyst's actions sees where the actions would be. */
  function readOnlyNote(detail: IncidentDetail): HTMLElement {
    return card(
      { key: 'verify', title: 'Verification', attrs: { 'data-testid': 'read-only' } },
      h('p', {}, 'Current status: ', statusBadge(detail.status)),
      h(
        'p',
        { class: 'muted' },
        `Analysts verify, split and merge incidents; your roles (${rolesText(ctx.session.account?.roles ?? [])}) let you read them.`,
      ),
    );
  }

  function reasonField(label = 'Reason'): { input: HTMLTextAreaElement; field: Field } {
    const input = h('textarea', { name: 'reason', rows: 2, required: true, minlength: 3, maxlength: 5000 });
    return { input, field: field(label, input) };
  }

  function verification(detail: IncidentDetail): HTMLElement {
    const next = nextStatuses(detail.status);
    const formSlot = h('div', {});
    const buttons = next.map((to) =>
      h(
        'button',
        { type: 'button', class: 'action', 'data-to': to, 'aria-controls': 'transition-form-slot' },
        `Mark ${words(to)}`,
      ),
    );
    formSlot.id = 'transition-form-slot';
    buttons.forEach((button, i) => {
      button.addEventListener('click', () => {
        for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
        mount(
          formSlot,
          transitionForm(detail, next[i]!, () => {
            formSlot.replaceChildren();
            for (const b of buttons) b.setAttribute('aria-pressed', 'false');
            button.focus();
          }),
        );
        formSlot.querySelector<HTMLElement>('textarea')?.focus();
      });
    });
    return card(
      { key: 'verify', title: 'Verification' },
      h('p', {}, 'Current status: ', statusBadge(detail.status)),
      next.length
        ? h('div', { class: 'actions', role: 'group', 'aria-label': 'Change the status to' }, ...buttons)
        : h('p', {}, 'No status can follow this one.'),
      formSlot,
    );
  }

  function transitionForm(detail: IncidentDetail, to: IncidentStatus, close: () => void): HTMLElement {
    const reason = reasonField();
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const fields: Record<string, Field> = { reason: reason.field };
    const party = h('input', { type: 'text', name: 'party', maxlength: 200 });
    const confidence = h(
      'select',
      { name: 'confidence' },
      ...CONFIDENCES.map((c) => h('option', { value: c, selected: c === 'medium' }, c)),
    );
    const basisBoxes = ATTRIBUTION_BASES.map((b) =>
      h('input', { type: 'checkbox', name: 'basis', value: b }),
    );
    const basisSet = h(
      'fieldset',
      { class: 'basis' },
      h('legend', {}, 'Basis (at least one when a party is given)'),
      ...ATTRIBUTION_BASES.map((b, i) => h('label', { class: 'check' }, basisBoxes[i]!, words(b))),
    );
    let attributionPart: HTMLElement | null = null;
    if (to === 'verified') {
      fields['attribution.party'] = field('Party responsible (optional)', party, {
        hint: 'The secretariat’s assessment, kept apart from what any report claims.',
      });
      fields['attribution.confidence'] = field('Confidence', confidence);
      fields['attribution.basis'] = field('Basis', basisSet);
      attributionPart = h(
        'fieldset',
        { class: 'attribution-fields' },
        h('legend', {}, 'Assessed attribution'),
        fields['attribution.party']!.element,
        fields['attribution.confidence']!.element,
        fields['attribution.basis']!.element,
      );
    }
    const submit = h('button', { type: 'submit', class: 'primary' }, `Change to ${words(to)}`);
    const form = h(
      'form',
      { class: 'transition-form', novalidate: true, 'aria-labelledby': 'transition-heading' },
      h('h3', { id: 'transition-heading' }, `Change status: ${words(detail.status)} → ${words(to)}`),
      general,
      reason.field.element,
      attributionPart,
      h('div', { class: 'buttons' }, submit, h('button', { type: 'button', onclick: close }, 'Cancel')),
    );
    onAction(
      form,
      submit,
      fields,
      general,
      () =>
        checkTransition({
          to,
          reason: reason.input.value,
          party: party.value,
          confidence: confidence.value,
          basis: basisBoxes.filter((b) => b.checked).map((b) => b.value),
        }),
      async (body) => {
        const updated = await api.transition(detail.id, body);
        return () => {
          render(updated);
          say(`Status changed to ${words(updated.status)}.`);
        };
      },
      () => disposed,
    );
    return form;
  }

  function reportsSection(detail: IncidentDetail, ledgerSlots: Map<string, HTMLElement>): HTMLElement {
    const boxes = detail.reports.map((r) =>
      h('input', {
        type: 'checkbox',
        name: 'reportIds',
        value: r.id,
        'aria-label': `Select report ${r.id.slice(0, 8)} for splitting`,
      }),
    );
    const canSplit = may.split && !detail.mergedInto && detail.reports.length > 1;
    const table = h(
      'table',
      { class: 'data reports' },
      h(
        'caption',
        {},
        `${counted(detail.reports.length, 'report')}; the link column says why correlation joined each one to this incident.`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          canSplit ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Select')) : null,
          ...[
            'Source',
            'Observed',
            'What',
            'Count',
            'Estimated place',
            'Zones',
            'Claimed attribution',
            'Link',
            'Ledger',
          ].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        ...detail.reports.map((r, i) => {
          const slot = h('td', { class: 'ledger', 'data-testid': 'report-ledger' }, ledgerBadge(CHECKING));
          ledgerSlots.set(r.id, slot);
          return reportRow(r, canSplit ? boxes[i]! : null, slot);
        }),
      ),
    );
    return card(
      { key: 'reports', title: 'Reports' },
      h('div', { class: 'table-scroll' }, table),
      canSplit ? splitForm(detail, boxes) : null,
    );
  }

  function reportRow(r: Report, box: HTMLInputElement | null, ledgerCell: HTMLElement): HTMLElement {
    const zone = r.zone;
    const zoneText = [
      zone?.contactLineKm !== null && zone?.contactLineKm !== undefined
        ? `${formatKm(zone.contactLineKm)} from contact line`
        : null,
      zone?.inBufferZone ? 'in buffer zone' : null,
      zone?.withdrawalViolation
        ? `withdrawal violation: ${words(zone.withdrawalViolation.weaponClass)} ${formatKm(zone.withdrawalViolation.actualKm)} from the line (min ${formatKm(zone.withdrawalViolation.requiredKm)})`
        : null,
    ].filter(Boolean);
    return h(
      'tr',
      { 'data-report-id': r.id },
      box ? h('td', {}, box) : null,
      h(
        'td',
        {},
        h('strong', {}, r.source.participant),
        ' ',
        words(r.source.kind),
        h('br'),
        h('small', { class: 'muted' }, r.source.id),
        h('br'),
        r.signedBy
          ? h(
              'small',
              { class: 'signed', title: `Signature verified with the key of device ${r.signedBy}` },
              'signed ✓',
            )
          : h('small', { class: 'muted' }, 'unsigned'),
      ),
      h(
        'td',
        {},
        formatSpan(r.observedFrom, r.observedTo),
        h('br'),
        h('small', { class: 'muted' }, `${r.means}`),
      ),
      h(
        'td',
        {},
        words(r.type),
        h('br'),
        h('small', { class: 'muted' }, words(r.weaponClass ?? 'undetermined')),
      ),
      h('td', { class: 'num' }, `${r.countApproximate ? '~' : ''}${r.count ?? 1}`),
      h(
        'td',
        {},
        formatCoordinate(r.estimated.lon, r.estimated.lat),
        h('br'),
        h('small', { class: 'muted' }, `± ${formatMetres(r.estimated.uncertaintyM)} (${r.estimated.method})`),
      ),
      h('td', {}, zoneText.length ? zoneText.join('; ') : '—'),
      h('td', { class: 'claimed' }, r.claimedAttribution ? `claims: ${r.claimedAttribution}` : '—'),
      h(
        'td',
        {},
        r.link ? [h('strong', {}, r.link.score.toFixed(2)), h('br'), h('small', {}, r.link.reason)] : '—',
        r.notes ? [h('br'), h('small', { class: 'muted' }, `Notes: ${r.notes}`)] : null,
      ),
      ledgerCell,
    );
  }

  function splitForm(detail: IncidentDetail, boxes: HTMLInputElement[]): HTMLElement {
    const reason = reasonField();
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const selection = h('p', { class: 'field-error', id: 'split-selection-error', hidden: true });
    const fields: Record<string, Field> = {
      reportIds: {
        element: selection,
        setError(message) {
          selection.hidden = !message;
          selection.textContent = message ?? '';
        },
      },
      reason: reason.field,
    };
    const submit = h('button', { type: 'submit' }, 'Split ticked reports into a new incident');
    const form = h(
      'form',
      { class: 'inline-form', novalidate: true, 'aria-labelledby': 'split-heading' },
      h('h3', { id: 'split-heading' }, 'Split'),
      h(
        'p',
        { class: 'hint' },
        'Tick the reports that describe a different event; they move into a new incident.',
      ),
      selection,
      general,
      reason.field.element,
      submit,
    );
    onAction(
      form,
      submit,
      fields,
      general,
      () =>
        checkSplit({
          reportIds: boxes.filter((b) => b.checked).map((b) => b.value),
          reportCount: detail.reports.length,
          reason: reason.input.value,
        }),
      async (body) => {
        const { from, to } = await api.split(detail.id, body);
        return () => {
          render(from);
          say(`Moved ${body.reportIds.length} report(s) into a new incident.`, {
            href: incidentPath(to.id),
            text: 'Open the new incident',
          });
        };
      },
      () => disposed,
    );
    return form;
  }

  function mergeSection(detail: IncidentDetail): HTMLElement {
    const ids = h('textarea', { name: 'incidentIds', rows: 2, spellcheck: 'false' });
    const reason = reasonField();
    const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const fields: Record<string, Field> = {
      incidentIds: field('Incident ids to merge into this one', ids, {
        hint: 'One or more ids, separated by commas or spaces.',
      }),
      reason: reason.field,
    };
    const submit = h('button', { type: 'submit' }, 'Merge into this incident');
    const form = h(
      'form',
      { class: 'inline-form', novalidate: true, 'aria-labelledby': 'merge-heading' },
      general,
      fields.incidentIds!.element,
      reason.field.element,
      submit,
    );
    onAction(
      form,
      submit,
      fields,
      general,
      () => checkMerge({ ids: ids.value, reason: reason.input.value }, detail.id),
      async (body) => {
        const merged = await api.merge(detail.id, body);
        return () => {
          render(merged);
          say(`Merged ${body.incidentIds.length} incident(s) into this one.`);
        };
      },
      () => disposed,
    );
    return card(
      {
        key: 'merge',
        title: 'Merge',
        hint: 'When other incidents describe this same event, merge them here; their reports join this one.',
      },
      form,
    );
  }

  return () => {
    disposed = true;
    appMap?.map.remove();
  };
}

/**
 * An incident gets leaves of its own only when an analyst (or correlation merging it) changes it, so
 * one never changed has none: say that rather than leave it looking late.
 */
function incidentStatus(detail: IncidentDetail, status: InclusionStatus): InclusionStatus {
  if (status.state !== 'pending' || status.code !== 'not_in_checkpoint') return status;
  if (detail.history.some((e) => e.action !== 'created')) return status;
  return {
    ...status,
    reason:
      'no ledger entry of its own yet: an incident is written to the ledger when it is triaged, split or merged; each of its reports is checked below',
  };
}

function summary(detail: IncidentDetail, oblastNames: Map<string, string>): HTMLElement {
  const row = (term: string, ...value: (Node | string)[]) => [h('dt', {}, term), h('dd', {}, ...value)];
  return card(
    { key: 'summary', title: 'Figures' },
    h(
      'dl',
      { class: 'facts' },
      ...row('Observed', formatSpan(detail.firstObserved, detail.lastObserved)),
      ...row('Types', detail.types.map(words).join(', ')),
      ...row(
        'Counts',
        formatCounts(detail.counts),
        h('small', { class: 'muted' }, ' (without double counting across sources)'),
      ),
      ...row('Place', formatCoordinate(detail.lon, detail.lat), ` ± ${formatMetres(detail.uncertaintyM)}`),
      ...row(
        'Oblast',
        detail.oblast ? `${oblastNames.get(detail.oblast) ?? ''} (${detail.oblast})`.trim() : '—',
      ),
      ...row('Sector', detail.sectorId ?? '—'),
      ...row('Reports', `${detail.reportCount} from ${counted(detail.sourceCount, 'independent source')}`),
      ...row(
        'Weapon withdrawal',
        detail.weaponViolation
          ? h('strong', { class: 'flag' }, 'violation reported')
          : 'no violation reported',
      ),
      ...row('Correlation', detail.locked ? 'locked by an analyst’s split or merge' : 'automatic'),
      ...row('Updated', formatTime(detail.updatedAt)),
    ),
  );
}

function attributionPanel(detail: IncidentDetail): HTMLElement {
  const a = detail.assessedAttribution;
  const claims = [
    ...new Set(detail.reports.map((r) => r.claimedAttribution).filter((c): c is string => !!c)),
  ];
  return h(
    'section',
    { class: 'card attribution', 'aria-labelledby': 'attribution-heading' },
    h('h2', { id: 'attribution-heading' }, 'Attribution'),
    h(
      'div',
      { class: 'assessed' },
      h('h3', {}, 'Assessed by the secretariat'),
      a
        ? h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Party'),
            h('dd', {}, h('strong', {}, a.party)),
            h('dt', {}, 'Confidence'),
            h('dd', {}, a.confidence),
            h('dt', {}, 'Basis'),
            h('dd', {}, a.basis.map(words).join(', ')),
            a.notes ? [h('dt', {}, 'Notes'), h('dd', {}, a.notes)] : null,
          )
        : h('p', {}, 'Not assessed.'),
    ),
    h(
      'div',
      { class: 'claimed' },
      h('h3', {}, 'Claimed in reports (not an assessment)'),
      claims.length
        ? h('ul', {}, ...claims.map((c) => h('li', {}, c)))
        : h('p', {}, 'No report claims an attribution.'),
    ),
  );
}

function historySection(detail: IncidentDetail): HTMLElement {
  return card(
    { key: 'history', title: 'History' },
    h(
      'ol',
      { class: 'timeline', 'data-testid': 'history' },
      ...detail.history.map((e) =>
        h(
          'li',
          { class: 'timeline-entry', 'data-history-id': e.id },
          h('time', { datetime: e.at }, formatTime(e.at)),
          ' ',
          h('strong', {}, e.actor),
          ' ',
          words(e.action),
          e.fromStatus || e.toStatus
            ? [': ', e.fromStatus ? words(e.fromStatus) : '—', ' → ', e.toStatus ? words(e.toStatus) : '—']
            : null,
          e.reason ? h('p', { class: 'reason' }, `“${e.reason}”`) : null,
          e.details ? h('p', { class: 'muted details' }, detailsText(e.details)) : null,
        ),
      ),
    ),
  );
}

function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(
      ([k, v]) =>
        `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`,
    )
    .join('; ');
}
