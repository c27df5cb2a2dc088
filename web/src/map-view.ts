/**
 * Creates the app's maplibre maps: the offline style, Ukraine's oblasts and the ceasefire's zones
 * (fetched once and shared by every map), and a worker served from this origin, which the
 * page's Content-Security-Policy (worker-src 'self' blob:) allows.
 */
import 'maplibre-gl/dist/maplibre-gl.css';
import {
  type GeoJSONSource,
  type LngLatBoundsLike,
  Map as MapLibreMap,
  NavigationControl,
  setWorkerUrl,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { api } from './api.ts';
import { offlineStyle, SOURCES, UKRAINE_BOUNDS } from './map-style.ts';

setWorkerUrl(workerUrl);

let geography: Promise<{ oblasts: GeoJSON.FeatureCollection; zones: GeoJSON.FeatureCollection }> | null =
  null;

/** Oblasts and zones, fetched once per page load; a failure is not cached so a later map can retry. */
export function loadGeography() {
  geography ??= Promise.all([api.oblasts(), api.zones()]).then(([oblasts, zones]) => ({ oblasts, zones }));
  geography.catch(() => {
    geography = null;
  });
  return geography;
}

export function setSourceData(map: MapLibreMap, source: string, data: GeoJSON.FeatureCollection): void {
  (map.getSource(source) as GeoJSONSource | undefined)?.setData(data);
}

export interface AppMap {
  map: MapLibreMap;
  /** Resolves once the style is loaded and oblasts and zones are on the map. */
  ready: Promise<void>;
}

export function createMap(
  container: HTMLElement,
  options: { withReports?: boolean; bounds?: LngLatBoundsLike; label: string },
): AppMap {
  container.setAttribute('role', 'region');
  container.setAttribute('aria-label', options.label);
  const map = new MapLibreMap({
    container,
    style: offlineStyle({ withReports: options.withReports ?? false }),
    bounds: options.bounds ?? UKRAINE_BOUNDS,
    fitBoundsOptions: { padding: 20 },
    attributionControl: false,
    maxZoom: 14,
    minZoom: 3,
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.touchZoomRotate.disableRotation();
  const loaded = new Promise<void>((resolve) => map.once('load', () => resolve()));
  const ready = Promise.all([loaded, loadGeography()]).then(([, g]) => {
    setSourceData(map, SOURCES.oblasts, g.oblasts);
    setSourceData(map, SOURCES.zones, g.zones);
  });
  return { map, ready };
}

/** Runs `fn` once the map has drawn everything it was given, e.g. after new data. */
export function whenIdle(map: MapLibreMap, fn: () => void): void {
  map.once('idle', fn);
  // An idle map fires nothing more, so nudge it to draw one frame.
  map.triggerRepaint();
}
