/**
 * The map's style, built in code so the map works with no network beyond this server: no tile
 * server, no glyphs, no sprite. Oblast outlines, zones and incidents are GeoJSON sources filled by
 * the app; text goes in HTML popups and panels, never in map layers (there are no fonts to draw it).
 */
import type { MapOptions } from 'maplibre-gl';
import type { IncidentStatus } from './api.ts';

export type StyleSpecification = Exclude<MapOptions['style'], string | undefined>;
export type LayerSpecification = StyleSpecification['layers'][number];

export const UKRAINE_BOUNDS: [[number, number], [number, number]] = [
  [22.1, 44.3],
  [40.3, 52.4],
];

/** Colours by verification status; the same in the map, the list badges and the legend. */
export const STATUS_COLOURS: Record<IncidentStatus, string> = {
  received: '#64748b',
  triaged: '#0284c7',
  under_investigation: '#ea580c',
  verified: '#be123c',
  unverifiable: '#7c3aed',
  rejected: '#a8a29e',
  duplicate: '#d6d3d1',
};

export const ZONE_COLOURS = {
  contact_line: '#dc2626',
  buffer_zone: '#f59e0b',
  withdrawal_line: '#7c2d12',
  holding_area: '#2563eb',
  storage_site: '#0f766e',
} as const;

const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };

export const SOURCES = {
  oblasts: 'oblasts',
  zones: 'zones',
  incidents: 'incidents',
  reports: 'reports',
} as const;
export const INCIDENT_LAYER = 'incidents';
export const REPORT_LAYER = 'reports';

/** A `match` expression from status to colour; typed loosely because the style-spec types are not exported. */
function statusColour(): unknown[] {
  return ['match', ['get', 'status'], ...Object.entries(STATUS_COLOURS).flat(), '#334155'];
}

/** Incidents drawn as circles, coloured by status and sized by how many reports describe them. */
const incidentLayer: LayerSpecification = {
  id: INCIDENT_LAYER,
  type: 'circle',
  source: SOURCES.incidents,
  paint: {
    'circle-color': statusColour() as never,
    'circle-radius': ['interpolate', ['linear'], ['get', 'reportCount'], 1, 6, 3, 8, 8, 13, 20, 18],
    'circle-opacity': 0.85,
    'circle-stroke-color': ['case', ['boolean', ['get', 'weaponViolation'], false], '#111827', '#ffffff'],
    'circle-stroke-width': ['case', ['boolean', ['get', 'weaponViolation'], false], 2.5, 1],
  },
};

const reportLayer: LayerSpecification = {
  id: REPORT_LAYER,
  type: 'circle',
  source: SOURCES.reports,
  paint: {
    'circle-color': '#ffffff',
    'circle-radius': 2.5,
    'circle-stroke-color': '#0f172a',
    'circle-stroke-width': 1,
  },
};

/** The offline style: background, oblasts, zones, then incidents (and reports, on the incident page). */
export function offlineStyle(options: { withReports?: boolean } = {}): StyleSpecification {
  const kind = (k: string) => ['==', ['get', 'kind'], k] as never;
  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': '#cfdde8' } },
    {
      id: 'oblasts-fill',
      type: 'fill',
      source: SOURCES.oblasts,
      paint: { 'fill-color': '#f8f5ee', 'fill-opacity': 1 },
    },
    {
      id: 'oblasts-outline',
      type: 'line',
      source: SOURCES.oblasts,
      paint: { 'line-color': '#8a8f98', 'line-width': 0.8 },
    },
    {
      id: 'zones-buffer',
      type: 'fill',
      source: SOURCES.zones,
      filter: kind('buffer_zone'),
      paint: { 'fill-color': ZONE_COLOURS.buffer_zone, 'fill-opacity': 0.18 },
    },
    {
      id: 'zones-areas',
      type: 'fill',
      source: SOURCES.zones,
      filter: ['in', ['get', 'kind'], ['literal', ['holding_area', 'storage_site']]] as never,
      paint: {
        'fill-color': [
          'match',
          ['get', 'kind'],
          'holding_area',
          ZONE_COLOURS.holding_area,
          ZONE_COLOURS.storage_site,
        ],
        'fill-opacity': 0.35,
      },
    },
    {
      id: 'zones-area-outline',
      type: 'line',
      source: SOURCES.zones,
      filter: ['in', ['get', 'kind'], ['literal', ['buffer_zone', 'holding_area', 'storage_site']]] as never,
      paint: { 'line-color': '#92400e', 'line-width': 0.8, 'line-opacity': 0.6 },
    },
    {
      id: 'zones-withdrawal',
      type: 'line',
      source: SOURCES.zones,
      filter: kind('withdrawal_line'),
      paint: { 'line-color': ZONE_COLOURS.withdrawal_line, 'line-width': 1.5, 'line-dasharray': [3, 2] },
    },
    {
      id: 'zones-contact-line',
      type: 'line',
      source: SOURCES.zones,
      filter: kind('contact_line'),
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': ZONE_COLOURS.contact_line, 'line-width': 3.5 },
    },
    incidentLayer,
  ];
  if (options.withReports) layers.push(reportLayer);
  return {
    version: 8,
    name: 'Guarantor offline',
    sources: {
      [SOURCES.oblasts]: { type: 'geojson', data: EMPTY },
      [SOURCES.zones]: { type: 'geojson', data: EMPTY },
      [SOURCES.incidents]: { type: 'geojson', data: EMPTY },
      ...(options.withReports ? { [SOURCES.reports]: { type: 'geojson', data: EMPTY } } : {}),
    },
    layers,
  };
}
