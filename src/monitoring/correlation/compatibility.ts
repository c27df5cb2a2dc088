/**
 * Which event types and weapon classes may describe the same incident.
 *
 * Families:
 * - indirect and explosive fire: explosion, impact, projectile, muzzle_flash. One round is heard as an
 *   explosion by one monitor, seen as a projectile or muzzle flash by another, and found as an impact later.
 * - small arms: burst, shot.
 * - illumination_flare is compatible with itself and with both fire families, because flares light up
 *   exchanges of any fire. It never bridges the two families: every pair of types in an incident must be
 *   compatible, so an incident holding a flare and an explosion refuses a burst.
 * - uav_flight, weapon_sighting and movement_restriction are each compatible only with themselves.
 *
 * Weapon classes: `undetermined` is compatible with every class. For weapon sightings the class is what was
 * seen, so two different determined classes are two sightings and never correlate. For fire, monitors often
 * misjudge the class (a 120 mm mortar heard as artillery), so different determined classes only lower the
 * score (`weaponClassMismatchFactor`).
 *
 * Sets of types and classes are kept as bit masks: correlation tests them for every candidate.
 */
import { EVENT_TYPES, type EventType, WEAPON_CLASSES, type WeaponClass } from '../report-schema.ts';

export const TYPE_BIT: Readonly<Record<EventType, number>> = Object.freeze(
  Object.fromEntries(EVENT_TYPES.map((t, i) => [t, 1 << i])) as Record<EventType, number>,
);
export const CLASS_BIT: Readonly<Record<WeaponClass, number>> = Object.freeze(
  Object.fromEntries(WEAPON_CLASSES.map((c, i) => [c, 1 << i])) as Record<WeaponClass, number>,
);
const UNDETERMINED = CLASS_BIT.undetermined;
const SIGHTING = TYPE_BIT.weapon_sighting;

function mask(types: readonly EventType[]): number {
  let m = 0;
  for (const t of types) m |= TYPE_BIT[t];
  return m;
}

const EXPLOSIVE = mask(['explosion', 'impact', 'projectile', 'muzzle_flash']);
const SMALL_ARMS = mask(['burst', 'shot']);
const FLARE = TYPE_BIT.illumination_flare;

/** For each type, the mask of the types it is compatible with. */
const COMPATIBLE: Readonly<Record<EventType, number>> = {
  explosion: EXPLOSIVE | FLARE,
  impact: EXPLOSIVE | FLARE,
  projectile: EXPLOSIVE | FLARE,
  muzzle_flash: EXPLOSIVE | FLARE,
  burst: SMALL_ARMS | FLARE,
  shot: SMALL_ARMS | FLARE,
  illumination_flare: EXPLOSIVE | SMALL_ARMS | FLARE,
  uav_flight: TYPE_BIT.uav_flight,
  weapon_sighting: SIGHTING,
  movement_restriction: TYPE_BIT.movement_restriction,
};

/** Whether reports of these two types may describe the same incident (symmetric). */
export function compatibleTypes(a: EventType, b: EventType): boolean {
  return (COMPATIBLE[a] & TYPE_BIT[b]) !== 0;
}

/** Whether a report of `type` fits every type already in an incident. */
export function typeFitsMask(type: EventType, incidentTypes: number): boolean {
  return (incidentTypes & ~COMPATIBLE[type]) === 0;
}

/** Whether every type of one incident fits every type of another. */
export function typeMasksCompatible(a: number, b: number): boolean {
  for (let i = 0; i < EVENT_TYPES.length; i++) {
    if (a & (1 << i) && (b & ~COMPATIBLE[EVENT_TYPES[i]!]) !== 0) return false;
  }
  return true;
}

export type ClassRelation = 'same' | 'undetermined' | 'different';

/** How a report's weapon class relates to the classes an incident has seen. */
export function classRelation(weaponClass: WeaponClass, incidentClasses: number): ClassRelation {
  const determined = incidentClasses & ~UNDETERMINED;
  if (weaponClass === 'undetermined' || determined === 0) return 'undetermined';
  return determined & CLASS_BIT[weaponClass] ? 'same' : 'different';
}

/** Two weapon sightings of different determined classes are two sightings. */
export function sightingClassesConflict(
  typesA: number,
  classesA: number,
  typesB: number,
  classesB: number,
): boolean {
  if (!(typesA & SIGHTING && typesB & SIGHTING)) return false;
  const determined = (classesA | classesB) & ~UNDETERMINED;
  return (determined & (determined - 1)) !== 0;
}

export function typesMask(types: readonly EventType[]): number {
  return mask(types);
}

export function classesMask(classes: readonly WeaponClass[]): number {
  let m = 0;
  for (const c of classes) m |= CLASS_BIT[c];
  return m;
}

const typeLists = new Map<number, readonly EventType[]>();
const classLists = new Map<number, readonly WeaponClass[]>();

/**
 * The types of a mask in the order of EVENT_TYPES, so summaries compare equal. The list is frozen and
 * shared: every decision carries one, and a million copies of the same few lists would be waste.
 */
export function typesOf(m: number): readonly EventType[] {
  let list = typeLists.get(m);
  if (list === undefined) {
    list = Object.freeze(EVENT_TYPES.filter((_, i) => m & (1 << i)));
    typeLists.set(m, list);
  }
  return list;
}

/** The classes of a mask in the order of WEAPON_CLASSES, frozen and shared like typesOf. */
export function classesOf(m: number): readonly WeaponClass[] {
  let list = classLists.get(m);
  if (list === undefined) {
    list = Object.freeze(WEAPON_CLASSES.filter((_, i) => m & (1 << i)));
    classLists.set(m, list);
  }
  return list;
}
