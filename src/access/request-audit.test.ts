import { describe, expect, it } from 'vitest';
import { restrictedRecords } from './request-audit.ts';

const restricted = { classification: 'RESTRICTED', releasableTo: ['COALITION'] };
const published = { classification: 'PUBLIC', releasableTo: [] };

describe('restrictedRecords', () => {
  it('finds labelled records above PUBLIC in lists, GeoJSON properties and details', () => {
    const page = {
      items: [
        { id: 'i1', label: restricted },
        { id: 'i2', label: published },
      ],
      nextCursor: null,
    };
    expect(restrictedRecords(page)).toEqual(['i1']);
    const geojson = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          id: 'i3',
          geometry: { type: 'Point', coordinates: [37, 48] },
          properties: { id: 'i3', label: restricted },
        },
      ],
    };
    expect(restrictedRecords(geojson)).toEqual(['i3']);
    const detail = {
      id: 'i4',
      label: published,
      reports: [
        { id: 'r1', label: restricted },
        { id: 'r2', label: published },
      ],
    };
    expect(restrictedRecords(detail)).toEqual(['r1']);
  });

  it('ignores what is not a record of its own: inherited keys, unlabelled objects, the label itself', () => {
    const inherited = Object.create({ leaked: { id: 'x', label: restricted } }) as Record<string, unknown>;
    inherited.id = 'plain';
    expect(restrictedRecords(inherited)).toEqual([]);
    expect(restrictedRecords({ id: 'no-label', nested: { id: 'still-none' } })).toEqual([]);
    expect(restrictedRecords({ label: { id: 'inside-label', label: restricted } })).toEqual([]);
  });

  it('stops at a depth no answer reaches, so a hostile shape cannot make it walk forever', () => {
    let deep: Record<string, unknown> = { id: 'bottom', label: restricted };
    for (let i = 0; i < 10; i++) deep = { child: deep };
    expect(restrictedRecords(deep)).toEqual([]);
  });
});
