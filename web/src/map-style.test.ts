import { describe, expect, it } from 'vitest';
import { INCIDENT_STATUSES } from '../../src/monitoring/types.ts';
import { INCIDENT_LAYER, offlineStyle, REPORT_LAYER, STATUS_COLOURS } from './map-style.ts';

describe('offline map style', () => {
  const style = offlineStyle({ withReports: true });
  const text = JSON.stringify(style);

  it('needs nothing from the network: no tiles, glyphs, sprite or text layers', () => {
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    expect(text).not.toMatch(/https?:\/\//);
    expect(text).not.toContain('text-field');
    for (const source of Object.values(style.sources)) expect(source.type).toBe('geojson');
  });

  it('draws every layer from a source it defines, incidents above the zones', () => {
    for (const layer of style.layers) {
      if ('source' in layer) expect(Object.keys(style.sources)).toContain(layer.source);
    }
    const ids = style.layers.map((l) => l.id);
    expect(ids[0]).toBe('background');
    expect(ids.indexOf(INCIDENT_LAYER)).toBeGreaterThan(ids.indexOf('zones-contact-line'));
    expect(ids.at(-1)).toBe(REPORT_LAYER);
    expect(offlineStyle().layers.map((l) => l.id)).not.toContain(REPORT_LAYER);
  });

  it('has a distinct colour for every status', () => {
    expect(Object.keys(STATUS_COLOURS).sort()).toEqual([...INCIDENT_STATUSES].sort());
    expect(new Set(Object.values(STATUS_COLOURS)).size).toBe(INCIDENT_STATUSES.length);
  });
});
