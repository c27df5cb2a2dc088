import fc from 'fast-check';
import type { Polygon } from 'geojson';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { distanceToLineM } from './geo/geodesy.ts';
import { EVENT_TYPES, WEAPON_CLASSES } from './report-schema.ts';
import type { Sector, Zone } from './types.ts';
import {
  assessZones,
  prepareSectors,
  prepareZones,
  sectorAt,
  sectorInputSchema,
  type ZoneInput,
  zoneInputSchema,
} from './zones.ts';

const box = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ],
  ],
});

const contactCoords = [
  [37.0, 48.0],
  [37.5, 48.02],
  [38.0, 48.0],
];

/** A small synthetic front: a contact line near Donetsk, a buffer zone around it, and withdrawal lines. */
const ZONES: Zone[] = [
  {
    id: 'z1-contact',
    kind: 'contact_line',
    name: 'Contact line',
    weaponClasses: [],
    distanceKm: null,
    geometry: { type: 'LineString', coordinates: contactCoords },
  },
  {
    id: 'z2-buffer',
    kind: 'buffer_zone',
    name: 'Buffer zone',
    weaponClasses: [],
    distanceKm: null,
    geometry: box(36.9, 47.9, 38.1, 48.1),
  },
  {
    id: 'z3-w15',
    kind: 'withdrawal_line',
    name: 'Withdrawal 15 km',
    weaponClasses: ['artillery_100mm_plus', 'tank', 'mortar_120mm'],
    distanceKm: 15,
    geometry: { type: 'LineString', coordinates: contactCoords.map(([x, y]) => [x!, y! + 0.135]) },
  },
  {
    id: 'z4-w40',
    kind: 'withdrawal_line',
    name: 'Withdrawal 40 km',
    weaponClasses: ['mlrs', 'artillery_100mm_plus'],
    distanceKm: 40,
    geometry: { type: 'LineString', coordinates: contactCoords.map(([x, y]) => [x!, y! + 0.36]) },
  },
  {
    id: 'z5-storage',
    kind: 'storage_site',
    name: 'Storage site',
    weaponClasses: ['tank'],
    distanceKm: null,
    geometry: box(37.2, 47.92, 37.3, 47.98),
  },
  {
    id: 'z6-holding',
    kind: 'holding_area',
    name: 'Holding area',
    weaponClasses: ['mlrs'],
    distanceKm: null,
    geometry: box(37.4, 48.45, 37.6, 48.55),
  },
];

const PREPARED = prepareZones(ZONES);

describe('assessZones', () => {
  it('measures the distance to the contact line in km', () => {
    const a = assessZones({ lon: 37.5, lat: 48.2 }, 'undetermined', 'explosion', PREPARED);
    expect(a.contactLineKm).toBeCloseTo(distanceToLineM(37.5, 48.2, contactCoords) / 1000, 9);
    expect(a.contactLineKm).toBeCloseTo(0.18 * 111.195, 0);
  });

  it('says null for the contact line when none is defined', () => {
    const a = assessZones({ lon: 37.5, lat: 48.2 }, 'tank', 'weapon_sighting', ZONES.slice(1));
    expect(a.contactLineKm).toBeNull();
    expect(a.withdrawalViolation).toBeNull();
  });

  it('lists the area zones holding the place, in id order, and flags the buffer zone', () => {
    const inStorage = assessZones({ lon: 37.25, lat: 47.95 }, 'tank', 'weapon_sighting', PREPARED);
    expect(inStorage.inBufferZone).toBe(true);
    expect(inStorage.zoneIds).toEqual(['z2-buffer', 'z5-storage']);
    const inHolding = assessZones({ lon: 37.5, lat: 48.5 }, 'mlrs', 'weapon_sighting', PREPARED);
    expect(inHolding.inBufferZone).toBe(false);
    expect(inHolding.zoneIds).toEqual(['z6-holding']);
  });

  it('reports the most severe withdrawal violation for a weapon sighting', () => {
    // ~11 km from the line: inside both the 15 km and the 40 km limits for heavy artillery.
    const a = assessZones({ lon: 37.5, lat: 48.12 }, 'artillery_100mm_plus', 'weapon_sighting', PREPARED);
    expect(a.withdrawalViolation).toEqual({
      zoneId: 'z4-w40',
      zoneName: 'Withdrawal 40 km',
      weaponClass: 'artillery_100mm_plus',
      requiredKm: 40,
      actualKm: a.contactLineKm,
    });
    const tank = assessZones({ lon: 37.5, lat: 48.12 }, 'tank', 'weapon_sighting', PREPARED);
    expect(tank.withdrawalViolation?.zoneId).toBe('z3-w15');
  });

  it('reports no violation beyond the distance, for unlisted classes, or for other event types', () => {
    expect(
      assessZones({ lon: 37.5, lat: 48.3 }, 'tank', 'weapon_sighting', PREPARED).withdrawalViolation,
    ).toBeNull();
    expect(
      assessZones({ lon: 37.5, lat: 48.12 }, 'small_arms', 'weapon_sighting', PREPARED).withdrawalViolation,
    ).toBeNull();
    expect(assessZones({ lon: 37.5, lat: 48.12 }, 'tank', 'shot', PREPARED).withdrawalViolation).toBeNull();
  });

  it('applies withdrawal lines on both sides of the contact line', () => {
    const a = assessZones({ lon: 37.5, lat: 47.7 }, 'mlrs', 'weapon_sighting', PREPARED);
    expect(a.withdrawalViolation?.zoneId).toBe('z4-w40');
  });

  const place = fc.record({
    lon: fc.double({ min: 36.5, max: 38.5, noNaN: true }),
    lat: fc.double({ min: 47.3, max: 48.7, noNaN: true }),
  });
  const weapon = fc.constantFrom(...WEAPON_CLASSES);
  const eventType = fc.constantFrom(...EVENT_TYPES);

  it('finds a violation iff a withdrawal line lists the class and asks for more than the distance', () => {
    fc.assert(
      fc.property(place, weapon, (p, weaponClass) => {
        const a = assessZones(p, weaponClass, 'weapon_sighting', PREPARED);
        const km = a.contactLineKm!;
        const broken = ZONES.filter(
          (z) => z.kind === 'withdrawal_line' && z.weaponClasses.includes(weaponClass) && z.distanceKm! > km,
        );
        expect(a.withdrawalViolation !== null).toBe(broken.length > 0);
        if (a.withdrawalViolation) {
          expect(a.withdrawalViolation.requiredKm).toBe(Math.max(...broken.map((z) => z.distanceKm!)));
          expect(a.withdrawalViolation.actualKm).toBe(km);
          expect(a.withdrawalViolation.weaponClass).toBe(weaponClass);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same answer for plain and prepared zones, in any order', () => {
    fc.assert(
      fc.property(
        place,
        weapon,
        eventType,
        fc.shuffledSubarray(ZONES, { minLength: ZONES.length }),
        (p, w, t, zs) => {
          expect(assessZones(p, w, t, zs)).toEqual(assessZones(p, w, t, PREPARED));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('picks the lowest zone id when two withdrawal lines ask for the same distance', () => {
    const twin: Zone = { ...ZONES[3]!, id: 'z0-twin', name: 'Twin' };
    const a = assessZones({ lon: 37.5, lat: 48.12 }, 'mlrs', 'weapon_sighting', [...ZONES, twin]);
    expect(a.withdrawalViolation?.zoneId).toBe('z0-twin');
  });
});

describe('sectorAt', () => {
  const SECTORS: Sector[] = [
    { id: 's3', name: 'South', geometry: box(36, 46, 39, 48) },
    { id: 's1', name: 'North', geometry: box(36, 48, 39, 50) },
    { id: 's2', name: 'Overlap', geometry: box(37, 47.5, 38, 48.5) },
  ];

  it('gives the containing sector, the lowest id where sectors overlap, null outside', () => {
    expect(sectorAt(36.5, 49, SECTORS)).toBe('s1');
    expect(sectorAt(36.5, 47, SECTORS)).toBe('s3');
    expect(sectorAt(37.5, 48.2, SECTORS)).toBe('s1');
    expect(sectorAt(37.5, 47.7, SECTORS)).toBe('s2');
    expect(sectorAt(30, 50, SECTORS)).toBeNull();
  });

  it('does not depend on the order sectors are given in', () => {
    const prepared = prepareSectors(SECTORS);
    fc.assert(
      fc.property(
        fc.double({ min: 35, max: 40, noNaN: true }),
        fc.double({ min: 45, max: 51, noNaN: true }),
        fc.shuffledSubarray(SECTORS, { minLength: 3 }),
        (lon, lat, shuffled) => {
          expect(sectorAt(lon, lat, shuffled)).toBe(sectorAt(lon, lat, prepared));
        },
      ),
    );
  });
});

describe('zoneInputSchema', () => {
  const contactLine = {
    kind: 'contact_line',
    name: 'Contact line',
    geometry: { type: 'LineString', coordinates: contactCoords },
  };
  const withdrawal = {
    kind: 'withdrawal_line',
    name: 'Heavy artillery',
    weaponClasses: ['artillery_100mm_plus'],
    distanceKm: 15,
    geometry: { type: 'MultiLineString', coordinates: [contactCoords] },
  };

  const issues = (input: unknown) =>
    (zoneInputSchema.safeParse(input).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

  it('accepts a contact line, with no classes and no distance by default', () => {
    expect(zoneInputSchema.parse(contactLine)).toEqual({
      ...contactLine,
      weaponClasses: [],
      distanceKm: null,
    });
  });

  it('accepts a withdrawal line and area zones', () => {
    expect(zoneInputSchema.safeParse(withdrawal).success).toBe(true);
    for (const kind of ['buffer_zone', 'holding_area', 'storage_site']) {
      expect(zoneInputSchema.safeParse({ kind, name: 'Area', geometry: box(37, 48, 38, 49) }).success).toBe(
        true,
      );
    }
  });

  it('needs a positive distance and weapon classes on a withdrawal line, and no distance elsewhere', () => {
    expect(issues({ ...withdrawal, distanceKm: null })).toEqual([expect.stringMatching(/^distanceKm: /)]);
    expect(issues({ ...withdrawal, distanceKm: 0 })).toEqual([expect.stringMatching(/^distanceKm: /)]);
    expect(issues({ ...withdrawal, weaponClasses: [] })).toEqual([expect.stringMatching(/^weaponClasses: /)]);
    expect(issues({ ...contactLine, distanceKm: 5 })).toEqual([expect.stringMatching(/^distanceKm: /)]);
  });

  it('matches the geometry to the kind', () => {
    expect(issues({ ...contactLine, geometry: box(37, 48, 38, 49) })).toEqual([
      'geometry.type: a contact_line is a LineString or MultiLineString',
    ]);
    expect(issues({ kind: 'buffer_zone', name: 'B', geometry: contactLine.geometry })).toEqual([
      'geometry.type: a buffer_zone is a Polygon or MultiPolygon',
    ]);
  });

  it('rejects open or short rings, positions out of range, unknown kinds, classes and fields', () => {
    const open = {
      type: 'Polygon',
      coordinates: [
        [
          [37, 48],
          [38, 48],
          [38, 49],
          [37, 49],
          [37, 48.5],
        ],
      ],
    };
    const short = {
      type: 'Polygon',
      coordinates: [
        [
          [37, 48],
          [38, 48],
          [37, 48],
        ],
      ],
    };
    expect(issues({ kind: 'buffer_zone', name: 'B', geometry: open })[0]).toMatch(/closed/);
    expect(issues({ kind: 'buffer_zone', name: 'B', geometry: short })[0]).toMatch(/at least 4 positions/);
    const far = {
      type: 'LineString',
      coordinates: [
        [37, 48],
        [200, 48],
      ],
    };
    expect(issues({ ...contactLine, geometry: far })[0]).toMatch(/^geometry\.coordinates\.1\.0: /);
    const high = {
      type: 'LineString',
      coordinates: [
        [37, 48],
        [38, 91],
      ],
    };
    expect(issues({ ...contactLine, geometry: high })[0]).toMatch(/^geometry\.coordinates\.1\.1: /);
    const one = { type: 'LineString', coordinates: [[37, 48]] };
    expect(issues({ ...contactLine, geometry: one })[0]).toMatch(/at least 2 positions/);
    expect(issues({ ...contactLine, kind: 'front' })[0]).toMatch(/^kind: /);
    expect(issues({ ...withdrawal, weaponClasses: ['laser'] })[0]).toMatch(/^weaponClasses\.0: /);
    expect(issues({ ...withdrawal, weaponClasses: ['tank', 'tank'] })[0]).toMatch(/twice/);
    expect(issues({ ...contactLine, colour: 'red' })[0]).toMatch(/colour/);
    expect(issues({ ...contactLine, name: '  ' })[0]).toMatch(/^name: /);
    expect(issues({ ...contactLine, geometry: { type: 'Point', coordinates: [37, 48] } })[0]).toMatch(
      /^geometry/,
    );
  });

  it('keeps an altitude but drops unknown geometry members such as bbox', () => {
    const geometry = {
      type: 'LineString',
      coordinates: [
        [37, 48, 120],
        [38, 48, 130],
      ],
      bbox: [37, 48, 38, 48],
    };
    expect(zoneInputSchema.parse({ ...contactLine, geometry }).geometry).toEqual({
      type: 'LineString',
      coordinates: geometry.coordinates,
    });
    const fourD = {
      type: 'LineString',
      coordinates: [
        [37, 48, 1, 2],
        [38, 48],
      ],
    };
    expect(issues({ ...contactLine, geometry: fourD })[0]).toMatch(/lon, lat/);
  });

  it('accepts any closed ring of in-range positions and returns it unchanged', () => {
    const pos = fc.tuple(
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.double({ min: -90, max: 90, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(pos, { minLength: 3, maxLength: 20 }), (positions) => {
        const ring = [...positions, positions[0]!];
        const input = { kind: 'holding_area', name: 'H', geometry: { type: 'Polygon', coordinates: [ring] } };
        expect(zoneInputSchema.parse(input).geometry.coordinates).toEqual([ring]);
      }),
    );
  });

  it('produces a Zone without its id', () => {
    expectTypeOf<ZoneInput>().toExtend<Omit<Zone, 'id'>>();
  });
});

describe('sectorInputSchema', () => {
  it('accepts a named polygon and rejects a line', () => {
    expect(sectorInputSchema.safeParse({ name: 'Sector North', geometry: box(36, 48, 39, 50) }).success).toBe(
      true,
    );
    const line = { type: 'LineString', coordinates: contactCoords };
    expect(sectorInputSchema.safeParse({ name: 'Sector North', geometry: line }).success).toBe(false);
    expect(sectorInputSchema.safeParse({ geometry: box(36, 48, 39, 50) }).success).toBe(false);
  });
});
