/**
 * The operations room: the map of incidents in a chosen window of days, a filter bar, and the list
 * of incidents in view. Filters live in the address (`?status=&type=&oblast=&sector=&from=&to=`),
 * so a reload or a shared link shows the same picture. Readers who may not see incidents get the
 * published map (public-map.ts).
 */
import { type MapGeoJSONFeature, Popup } from 'maplibre-gl';
import { counted } from '../../../src/kernel/text/counted.ts';
import { EVENT_TYPES } from '../../../src/monitoring/report-schema.ts';
import { INCIDENT_STATUSES } from '../../../src/monitoring/types.ts';
import { can } from '../access.ts';
import { api, type Incident, type IncidentFeatures, type IncidentStatus, incidentFeatures } from '../api.ts';
import { h, mount } from '../dom.ts';
import { filtersFromQuery, filtersToQuery } from '../filters.ts';
import { formatCounts, formatTime, words } from '../format.ts';
import { INCIDENT_LAYER, SOURCES } from '../map-style.ts';
import { createMap, loadGeography, setSourceData, whenIdle } from '../map-view.ts';
import { incidentPath } from '../router.ts';
import { normaliseWindow, WINDOW_DAYS, windowLabel, windowRange } from '../time-window.ts';
import { legend, statusBadge } from './badges.ts';
import { publicMap } from './public-map.ts';
import type { View } from './view.ts';

/** The list shows at most this many rows; the heading still counts them all. */
const LIST_LIMIT = 300;

export const operationsRoom: View = (root, ctx) => {
  // Without incident:read the list would only earn a 403: show the published map instead.
  if (!can(ctx.session, 'incident:read')) return publicMap(root, ctx);
  document.title = 'Operations room — Guarantor';
  const filters = filtersFromQuery(location.search);
  const aborter = { current: null as AbortController | null };
  let features: IncidentFeatures = { type: 'FeatureCollection', features: [] };
  let oblastNames = new Map<string, string>();
  let disposed = false;

  // Filter bar.
  const statusBoxes = INCIDENT_STATUSES.map((status) =>
    h('input', {
      type: 'checkbox',
      name: 'status',
      value: status,
      checked: filters.statuses.includes(status),
    }),
  );
  const typeSelect = h(
    'select',
    { id: 'filter-type', name: 'type' },
    h('option', { value: '' }, 'All types'),
    ...EVENT_TYPES.map((t) => h('option', { value: t, selected: t === filters.type }, words(t))),
  );
  const oblastSelect = h(
    'select',
    { id: 'filter-oblast', name: 'oblast' },
    h('option', { value: '' }, 'All oblasts'),
  );
  const sectorSelect = h(
    'select',
    { id: 'filter-sector', name: 'sector' },
    h('option', { value: '' }, 'All sectors'),
  );
  const rangeInput = (id: string, value: number, label: string) =>
    h('input', {
      id,
      type: 'range',
      min: 0,
      max: WINDOW_DAYS - 1,
      step: 1,
      value,
      'aria-label': label,
      // Days ago run right to left, so the slider reads like a timeline: today at the right end.
      dir: 'rtl',
    });
  const startRange = rangeInput(
    'window-start',
    filters.window.startAgo,
    'First day shown, in days before today',
  );
  const endRange = rangeInput('window-end', filters.window.endAgo, 'Last day shown, in days before today');
  const windowOutput = h(
    'output',
    { for: 'window-start window-end', id: 'window-label' },
    windowLabel(filters.window, Date.now()),
  );

  const filterForm = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter incidents', role: 'search' },
    h(
      'fieldset',
      { class: 'status-filter' },
      h('legend', {}, 'Status'),
      ...INCIDENT_STATUSES.map((status, i) => h('label', { class: 'check' }, statusBoxes[i]!, words(status))),
    ),
    h('div', { class: 'field' }, h('label', { for: 'filter-type' }, 'Type'), typeSelect),
    h('div', { class: 'field' }, h('label', { for: 'filter-oblast' }, 'Oblast'), oblastSelect),
    h('div', { class: 'field' }, h('label', { for: 'filter-sector' }, 'Sector'), sectorSelect),
    h(
      'fieldset',
      { class: 'time-window' },
      h('legend', {}, 'Days shown (last 30 days)'),
      h(
        'div',
        { class: 'ranges' },
        h('div', { class: 'range-row' }, h('label', { for: 'window-start' }, 'first'), startRange),
        h('div', { class: 'range-row' }, h('label', { for: 'window-end' }, 'last'), endRange),
      ),
      windowOutput,
    ),
  );
  filterForm.addEventListener('submit', (e) => e.preventDefault());

  // Map and list.
  const mapEl = h('div', {
    class: 'map',
    id: 'ops-map',
    'data-map-ready': 'false',
    'data-incident-count': '0',
  });
  const listHeading = h('h2', { id: 'incident-list-heading' }, 'Incidents in view');
  const listStatus = h(
    'p',
    { class: 'list-status', role: 'status', 'aria-live': 'polite' },
    'Loading incidents…',
  );
  const list = h('ol', { class: 'incident-list', 'aria-labelledby': 'incident-list-heading' });

  mount(
    root,
    h('h1', { class: 'visually-hidden' }, 'Operations room'),
    filterForm,
    h(
      'div',
      { class: 'ops-layout' },
      h('div', { class: 'map-column' }, mapEl, legend()),
      h(
        'aside',
        { class: 'incident-panel', 'aria-labelledby': 'incident-list-heading' },
        listHeading,
        listStatus,
        list,
      ),
    ),
  );

  const { map, ready } = createMap(mapEl, { label: 'Map of incidents, oblasts and ceasefire zones' });
  const popup = new Popup({ closeButton: false, closeOnClick: false, maxWidth: '280px' });

  map.on('mouseenter', INCIDENT_LAYER, () => {
    map.getCanvas().style.cursor = 'pointer';
  });
  map.on('mouseleave', INCIDENT_LAYER, () => {
    map.getCanvas().style.cursor = '';
    popup.remove();
  });
  map.on('mousemove', INCIDENT_LAYER, (e) => {
    const feature = e.features?.[0];
    if (!feature) return;
    popup.setLngLat(e.lngLat).setDOMContent(popupContent(feature, oblastNames)).addTo(map);
  });
  map.on('click', INCIDENT_LAYER, (e) => {
    const id = e.features?.[0]?.properties?.id;
    if (typeof id === 'string') ctx.navigate(incidentPath(id));
  });
  map.on('moveend', () => renderList());

  function renderList(): void {
    if (disposed) return;
    const bounds = map.getBounds();
    const inView = features.features
      .filter((f) => bounds.contains(f.geometry.coordinates as [number, number]))
      .map((f) => ({ ...f.properties, lon: f.geometry.coordinates[0]!, lat: f.geometry.coordinates[1]! }))
      .sort((a, b) => b.lastObserved.localeCompare(a.lastObserved) || b.id.localeCompare(a.id));
    listHeading.textContent = `Incidents in view (${inView.length})`;
    listStatus.textContent =
      inView.length > LIST_LIMIT
        ? `Showing the newest ${LIST_LIMIT} of ${inView.length}; zoom in or filter to see the rest.`
        : inView.length
          ? `${features.features.length} incidents match the filters; ${inView.length} are in the map’s view.`
          : 'No incidents match the filters in this view.';
    mount(list, ...inView.slice(0, LIST_LIMIT).map((i) => listRow(i, oblastNames)));
  }

  async function refresh(): Promise<void> {
    aborter.current?.abort();
    const controller = new AbortController();
    aborter.current = controller;
    mapEl.dataset.loading = 'true';
    listStatus.textContent = 'Loading incidents…';
    const { from, to } = windowRange(filters.window, Date.now());
    try {
      const query = {
        from,
        to,
        ...(filters.statuses.length !== INCIDENT_STATUSES.length ? { status: filters.statuses } : {}),
        ...(filters.type ? { type: filters.type } : {}),
        ...(filters.oblast ? { oblast: filters.oblast } : {}),
        ...(filters.sectorId ? { sectorId: filters.sectorId } : {}),
      };
      // Unticking every status means "show none", which the API has no word for.
      const got = filters.statuses.length
        ? await incidentFeatures(query, controller.signal)
        : ({ type: 'FeatureCollection', features: [] } as IncidentFeatures);
      await ready;
      if (controller.signal.aborted || disposed) return;
      features = got;
      setSourceData(map, SOURCES.incidents, features as GeoJSON.FeatureCollection);
      renderList();
      whenIdle(map, () => {
        if (controller.signal.aborted || disposed) return;
        // Test and monitoring hook: what the map really drew, not what it was sent.
        mapEl.dataset.incidentCount = String(map.queryRenderedFeatures({ layers: [INCIDENT_LAYER] }).length);
        mapEl.dataset.loading = 'false';
        mapEl.dataset.mapReady = 'true';
      });
    } catch (error) {
      if (controller.signal.aborted || disposed) return;
      mapEl.dataset.loading = 'false';
      listStatus.textContent = `Could not load incidents: ${(error as Error).message}`;
    }
  }

  function onFilterChange(): void {
    filters.statuses = INCIDENT_STATUSES.filter((_, i) => statusBoxes[i]!.checked);
    filters.type = typeSelect.value;
    filters.oblast = oblastSelect.value;
    filters.sectorId = sectorSelect.value;
    history.replaceState(null, '', `/${filtersToQuery(filters)}`);
    void refresh();
  }

  function onWindowInput(moved: 'start' | 'end'): void {
    let startAgo = Number(startRange.value);
    let endAgo = Number(endRange.value);
    // Dragging one end past the other pushes the other along, so the window never turns inside out.
    if (startAgo < endAgo) {
      if (moved === 'start') endAgo = startAgo;
      else startAgo = endAgo;
    }
    startRange.value = String(startAgo);
    endRange.value = String(endAgo);
    filters.window = normaliseWindow({ startAgo, endAgo });
    windowOutput.textContent = windowLabel(filters.window, Date.now());
  }

  for (const box of statusBoxes) box.addEventListener('change', onFilterChange);
  for (const select of [typeSelect, oblastSelect, sectorSelect])
    select.addEventListener('change', onFilterChange);
  startRange.addEventListener('input', () => onWindowInput('start'));
  endRange.addEventListener('input', () => onWindowInput('end'));
  // Refetch when the slider is let go, not on every step of a drag.
  startRange.addEventListener('change', onFilterChange);
  endRange.addEventListener('change', onFilterChange);

  loadGeography()
    .then(({ oblasts }) => {
      if (disposed) return;
      oblastNames = new Map(
        oblasts.features.map((f) => [String(f.properties?.iso), String(f.properties?.name)]),
      );
      const sorted = [...oblastNames].sort((a, b) => a[1].localeCompare(b[1]));
      oblastSelect.append(
        ...sorted.map(([iso, name]) =>
          h('option', { value: iso, selected: iso === filters.oblast }, `${name} (${iso})`),
        ),
      );
      renderList();
    })
    .catch((error: Error) => {
      listStatus.textContent = `Could not load the map’s geography: ${error.message}`;
    });
  api
    .sectors()
    .then(({ items }) => {
      if (disposed) return;
      sectorSelect.append(
        ...items.map((s) =>
          h('option', { value: s.id, selected: s.id === filters.sectorId }, `${s.id}: ${s.name}`),
        ),
      );
    })
    .catch(() => {
      sectorSelect.disabled = true;
    });
  void refresh();

  return () => {
    disposed = true;
    aborter.current?.abort();
    popup.remove();
    map.remove();
  };
};

function placeText(i: Pick<Incident, 'oblast' | 'sectorId'>, oblastNames: Map<string, string>): string {
  const oblast = i.oblast ? (oblastNames.get(i.oblast) ?? i.oblast) : 'no oblast';
  return i.sectorId ? `${oblast}, sector ${i.sectorId}` : oblast;
}

function listRow(i: Incident, oblastNames: Map<string, string>): HTMLElement {
  return h(
    'li',
    { class: 'incident-item' },
    h(
      'a',
      { href: incidentPath(i.id), class: 'incident-row', 'data-incident-id': i.id },
      h(
        'span',
        { class: 'row-top' },
        statusBadge(i.status),
        h('strong', {}, words(i.primaryType)),
        i.weaponViolation ? h('span', { class: 'flag' }, 'weapon violation') : null,
      ),
      h(
        'span',
        { class: 'row-meta' },
        h('time', { datetime: i.lastObserved }, formatTime(i.lastObserved)),
        ' · ',
        placeText(i, oblastNames),
      ),
      h(
        'span',
        { class: 'row-meta' },
        `${counted(i.reportCount, 'report')} from ${counted(i.sourceCount, 'source')} · ${formatCounts(i.counts)}`,
      ),
    ),
  );
}

function popupContent(feature: MapGeoJSONFeature, oblastNames: Map<string, string>): HTMLElement {
  // Feature properties come back from the map flattened: nested objects arrive as JSON text.
  const p = feature.properties as Record<string, unknown>;
  const counts = typeof p.counts === 'string' ? (JSON.parse(p.counts) as Record<string, number>) : {};
  const status = String(p.status) as IncidentStatus;
  return h(
    'div',
    { class: 'popup' },
    h('p', {}, statusBadge(status), ' ', h('strong', {}, words(String(p.primaryType)))),
    h('p', {}, formatTime(String(p.lastObserved))),
    h(
      'p',
      {},
      placeText(
        { oblast: (p.oblast as string) ?? null, sectorId: (p.sectorId as string) ?? null },
        oblastNames,
      ),
    ),
    h('p', {}, `${p.reportCount} reports · ${formatCounts(counts)}`),
    h('p', { class: 'muted' }, 'Click to open the incident.'),
  );
}
