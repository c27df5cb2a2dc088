import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventType } from '../report-schema.ts';
import {
  CLASS_BIT,
  classesMask,
  classRelation,
  compatibleTypes,
  sightingClassesConflict,
  TYPE_BIT,
  typeFitsMask,
  typeMasksCompatible,
  typesMask,
  typesOf,
} from './compatibility.ts';

describe('compatibleTypes', () => {
  it.each<[EventType, EventType]>([
    ['explosion', 'impact'],
    ['projectile', 'muzzle_flash'],
    ['explosion', 'muzzle_flash'],
    ['burst', 'shot'],
    ['illumination_flare', 'explosion'],
    ['illumination_flare', 'burst'],
    ['uav_flight', 'uav_flight'],
    ['weapon_sighting', 'weapon_sighting'],
    ['movement_restriction', 'movement_restriction'],
  ])('%s may describe the same incident as %s', (a, b) => {
    expect(compatibleTypes(a, b)).toBe(true);
  });

  it.each<[EventType, EventType]>([
    ['explosion', 'burst'],
    ['shot', 'impact'],
    ['uav_flight', 'explosion'],
    ['weapon_sighting', 'movement_restriction'],
    ['movement_restriction', 'shot'],
    ['illumination_flare', 'uav_flight'],
  ])('%s never describes the same incident as %s', (a, b) => {
    expect(compatibleTypes(a, b)).toBe(false);
  });

  it('is symmetric and reflexive', () => {
    for (const a of EVENT_TYPES) {
      expect(compatibleTypes(a, a)).toBe(true);
      for (const b of EVENT_TYPES) expect(compatibleTypes(a, b)).toBe(compatibleTypes(b, a));
    }
  });
});

describe('incident type sets', () => {
  it('refuses a type that conflicts with any type already present, so a flare bridges nothing', () => {
    const fireAndFlare = typesMask(['explosion', 'illumination_flare']);
    expect(typeFitsMask('impact', fireAndFlare)).toBe(true);
    expect(typeFitsMask('burst', fireAndFlare)).toBe(false);
    expect(typeMasksCompatible(fireAndFlare, typesMask(['shot']))).toBe(false);
    expect(typeMasksCompatible(fireAndFlare, typesMask(['projectile', 'illumination_flare']))).toBe(true);
  });

  it('lists types in schema order and shares the list', () => {
    const mask = typesMask(['impact', 'explosion']);
    expect(typesOf(mask)).toEqual(['explosion', 'impact']);
    expect(typesOf(mask)).toBe(typesOf(TYPE_BIT.explosion | TYPE_BIT.impact));
    expect(Object.isFrozen(typesOf(mask))).toBe(true);
  });
});

describe('weapon classes', () => {
  it('treats undetermined as compatible with every class', () => {
    expect(classRelation('undetermined', CLASS_BIT.mlrs)).toBe('undetermined');
    expect(classRelation('mlrs', CLASS_BIT.undetermined)).toBe('undetermined');
    expect(classRelation('mlrs', classesMask(['mlrs', 'undetermined']))).toBe('same');
    expect(classRelation('tank', classesMask(['mlrs', 'undetermined']))).toBe('different');
  });

  it('keeps sightings of two determined classes apart, and only sightings', () => {
    const sighting = TYPE_BIT.weapon_sighting;
    expect(sightingClassesConflict(sighting, CLASS_BIT.tank, sighting, CLASS_BIT.mlrs)).toBe(true);
    expect(sightingClassesConflict(sighting, CLASS_BIT.tank, sighting, CLASS_BIT.tank)).toBe(false);
    expect(sightingClassesConflict(sighting, CLASS_BIT.tank, sighting, CLASS_BIT.undetermined)).toBe(false);
    expect(
      sightingClassesConflict(TYPE_BIT.explosion, CLASS_BIT.tank, TYPE_BIT.explosion, CLASS_BIT.mlrs),
    ).toBe(false);
  });
});
