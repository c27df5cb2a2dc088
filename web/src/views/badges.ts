/** Small pieces shared by the pages: status badges and the map legend. */
import type { IncidentStatus } from '../api.ts';
import { h } from '../dom.ts';
import { words } from '../format.ts';
import { describeInclusion, type InclusionStatus } from '../inclusion-check.ts';
import { STATUS_COLOURS, ZONE_COLOURS } from '../map-style.ts';

const DARK_TEXT = new Set<IncidentStatus>(['rejected', 'duplicate']);

export function statusBadge(status: IncidentStatus): HTMLElement {
  return h(
    'span',
    {
      class: 'badge',
      'data-status': status,
      style: `background:${STATUS_COLOURS[status]};color:${DARK_TEXT.has(status) ? '#1f2937' : '#ffffff'}`,
    },
    words(status),
  );
}

const LEDGER_COLOURS: Record<InclusionStatus['state'], { background: string; color: string }> = {
  verified: { background: '#166534', color: '#ffffff' },
  pending: { background: '#e5e7eb', color: '#1f2937' },
  failed: { background: '#b91c1c', color: '#ffffff' },
};

/**
 * Whether a record's inclusion in the ledger verified in this browser: a badge, with the tree size
 * and root on a line after it and the full explanation as its tooltip.
 */
export function ledgerBadge(status: InclusionStatus): (HTMLElement | string)[] {
  const { label, detail, title } = describeInclusion(status);
  const colours = LEDGER_COLOURS[status.state];
  const witnessed = status.state === 'verified' ? String(status.checkpoint.witnessed) : null;
  return [
    h(
      'span',
      {
        class: 'badge',
        'data-ledger': status.state,
        'data-witnessed': witnessed,
        title,
        style: `background:${colours.background};color:${colours.color}`,
      },
      label,
    ),
    ' ',
    h('small', { class: 'muted ledger-detail' }, detail),
  ];
}

/** The map's key; without incidents (a reader who may not see them) only the zones are explained. */
export function legend(options: { incidents?: boolean } = {}): HTMLElement {
  const incidents = options.incidents ?? true;
  const swatch = (style: string) => h('span', { class: 'swatch', style, 'aria-hidden': 'true' });
  return h(
    'div',
    { class: 'legend', role: 'group', 'aria-label': 'Map legend' },
    incidents
      ? h(
          'ul',
          { class: 'legend-list' },
          ...Object.entries(STATUS_COLOURS).map(([status, colour]) =>
            h(
              'li',
              { class: 'legend-item' },
              swatch(`background:${colour};border-radius:50%`),
              words(status),
            ),
          ),
        )
      : null,
    h(
      'ul',
      { class: 'legend-list' },
      h(
        'li',
        { class: 'legend-item' },
        swatch(`background:${ZONE_COLOURS.contact_line};height:4px`),
        'contact line',
      ),
      h(
        'li',
        { class: 'legend-item' },
        swatch(`background:${ZONE_COLOURS.buffer_zone};opacity:0.4`),
        'buffer zone',
      ),
      h(
        'li',
        { class: 'legend-item' },
        swatch(`border-top:2px dashed ${ZONE_COLOURS.withdrawal_line};height:0`),
        'withdrawal line',
      ),
      h(
        'li',
        { class: 'legend-item' },
        swatch(`background:${ZONE_COLOURS.storage_site};opacity:0.5`),
        'storage site / holding area',
      ),
      incidents
        ? h(
            'li',
            { class: 'legend-item' },
            swatch('background:#fff;border:2.5px solid #111827;border-radius:50%'),
            'weapon withdrawal violation',
          )
        : null,
    ),
    incidents ? h('p', { class: 'muted' }, 'Circle size grows with the number of reports.') : null,
  );
}
