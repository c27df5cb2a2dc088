/**
 * Compliance per sector and UTC day, and the reliable-ceasefire determination: the deployment gate
 * that says the ceasefire has held well enough, for long enough, in every sector.
 *
 * An incident belongs to the day it was first observed, so a long incident weighs on one day only.
 * Verified incidents are violations; received, triaged and under-investigation ones are unverified
 * and count only when the rule says so; unverifiable, rejected and duplicate ones never count.
 */
import { z } from 'zod';
import { counted } from '../kernel/text/counted.ts';
import { addDays, compareIds, utcDayOf, utcDayStart } from './daily-report.ts';
import { addEventCounts, type EventCounts } from './event-counts.ts';
import type { IncidentStatus } from './types.ts';

export const reliableCeasefireRuleSchema = z
  .object({
    /** Days in a row, up to and including the day of the determination, that must all be within limits. */
    consecutiveDays: z.number().int().min(1).max(366).default(14),
    maxVerifiedPerSectorDay: z.number().int().min(0).max(10_000).default(2),
    maxWeaponViolationsPerSectorDay: z.number().int().min(0).max(10_000).default(0),
    /** Count incidents still awaiting verification as if verified: the cautious reading. */
    countUnverified: z.boolean().default(false),
  })
  .strict();
export type ReliableCeasefireRule = z.output<typeof reliableCeasefireRuleSchema>;
export type ReliableCeasefireRuleInput = z.input<typeof reliableCeasefireRuleSchema>;

export const COMPLIANCE_LEVELS = ['held', 'strained', 'broken'] as const;
/** held: nothing that counts; strained: some, within the rule's limits; broken: over a limit. */
export type ComplianceLevel = (typeof COMPLIANCE_LEVELS)[number];

export interface ComplianceIncident {
  id: string;
  status: IncidentStatus;
  sectorId: string | null;
  /** RFC 3339. */
  firstObserved: string;
  /** Event counts of the incident (from `countIncidentEvents`), summed into the sector-day. */
  counts?: EventCounts;
  /** Some report of the incident put a weapon inside its withdrawal line. */
  weaponViolation: boolean;
}

export interface ComplianceInput {
  /** First and last UTC day, YYYY-MM-DD, both included. */
  from: string;
  to: string;
  sectors: { id: string; name: string }[];
  incidents: ComplianceIncident[];
  /** Thresholds for the compliance level; the defaults when absent. */
  rule?: ReliableCeasefireRuleInput;
}

export interface SectorDay {
  date: string;
  /** null: incidents not placed in any sector, which count like a sector of their own. */
  sectorId: string | null;
  sectorName: string;
  /** Verified incidents first observed this day. */
  verified: number;
  /** Received, triaged or under investigation. */
  unverified: number;
  /** Verified incidents with a weapon inside its withdrawal line. */
  weaponViolations: number;
  unverifiedWeaponViolations: number;
  /** Events of the counted incidents (every status but rejected and duplicate). */
  events: EventCounts;
  level: ComplianceLevel;
}

const UNVERIFIED: readonly IncidentStatus[] = ['received', 'triaged', 'under_investigation'];
const MAX_RANGE_DAYS = 3_660;

/** What the rule counts for one sector-day. */
export function countedViolations(
  rule: ReliableCeasefireRule,
  day: SectorDay,
): { verified: number; weapons: number } {
  return rule.countUnverified
    ? {
        verified: day.verified + day.unverified,
        weapons: day.weaponViolations + day.unverifiedWeaponViolations,
      }
    : { verified: day.verified, weapons: day.weaponViolations };
}

export function isWithinRule(rule: ReliableCeasefireRule, day: SectorDay): boolean {
  const c = countedViolations(rule, day);
  return c.verified <= rule.maxVerifiedPerSectorDay && c.weapons <= rule.maxWeaponViolationsPerSectorDay;
}

export function complianceLevel(rule: ReliableCeasefireRule, day: SectorDay): ComplianceLevel {
  if (!isWithinRule(rule, day)) return 'broken';
  const c = countedViolations(rule, day);
  return c.verified === 0 && c.weapons === 0 ? 'held' : 'strained';
}

/**
 * One row per day and sector over [from, to], sectors by id then the unassigned incidents (only when
 * there are any in the range), so that a quiet day still shows as held rather than missing.
 */
export function complianceByDay(input: ComplianceInput): SectorDay[] {
  const rule = reliableCeasefireRuleSchema.parse(input.rule ?? {});
  const start = utcDayStart(input.from);
  const end = utcDayStart(input.to);
  if (end < start) throw new RangeError(`'to' (${input.to}) is before 'from' (${input.from})`);
  const days = Math.round((end - start) / 86_400_000) + 1;
  if (days > MAX_RANGE_DAYS) throw new RangeError(`at most ${MAX_RANGE_DAYS} days at once`);

  const inRange = input.incidents
    .map((incident) => ({ incident, date: utcDayOf(incident.firstObserved) }))
    .filter(({ date }) => date >= input.from && date <= input.to);

  // A sector missing from the list still answers for its incidents; it must not vanish from the rule.
  const names = new Map<string, string>();
  for (const { incident } of inRange)
    if (incident.sectorId !== null) names.set(incident.sectorId, incident.sectorId);
  for (const s of input.sectors) names.set(s.id, s.name);
  const sectors = new Map<string | null, string>([...names].sort(([a], [b]) => compareIds(a, b)));
  if (inRange.some(({ incident }) => incident.sectorId === null)) sectors.set(null, 'Unassigned');

  const rows = new Map<string, SectorDay>();
  const key = (date: string, sectorId: string | null) => `${date}\u0000${sectorId ?? ''}`;
  const result: SectorDay[] = [];
  for (let i = 0; i < days; i++) {
    const date = addDays(input.from, i);
    for (const [sectorId, sectorName] of sectors) {
      const row: SectorDay = {
        date,
        sectorId,
        sectorName,
        verified: 0,
        unverified: 0,
        weaponViolations: 0,
        unverifiedWeaponViolations: 0,
        events: {},
        level: 'held',
      };
      rows.set(key(date, sectorId), row);
      result.push(row);
    }
  }

  for (const { incident, date } of inRange) {
    const row = rows.get(key(date, incident.sectorId))!;
    if (incident.status === 'rejected' || incident.status === 'duplicate') continue;
    if (incident.counts) addEventCounts(row.events, incident.counts);
    if (incident.status === 'verified') {
      row.verified += 1;
      if (incident.weaponViolation) row.weaponViolations += 1;
    } else if (UNVERIFIED.includes(incident.status)) {
      row.unverified += 1;
      if (incident.weaponViolation) row.unverifiedWeaponViolations += 1;
    }
  }
  for (const row of result) row.level = complianceLevel(rule, row);
  return result;
}

export interface CeasefireEvidence {
  date: string;
  sectorId: string | null;
  /** As the rule counts them: with the unverified ones added when `countUnverified` is set. */
  verified: number;
  weaponViolations: number;
  within: boolean;
}

export interface ReliableCeasefireDetermination {
  reliable: boolean;
  asOf: string;
  rule: ReliableCeasefireRule;
  /** Days in a row, ending on `asOf`, on which every sector was within the limits. */
  streakDays: number;
  /** First day of that streak; absent when the streak is empty. */
  since?: string;
  /** When not reliable: the day that ended the streak (a sector over a limit, or no figures). */
  brokenOn?: string;
  /** Every sector-day in the window of `consecutiveDays` days ending on `asOf`, by date then sector. */
  evidence: CeasefireEvidence[];
  reason: string;
}

function sectorLabel(sectorId: string | null): string {
  return sectorId === null ? 'the incidents outside every sector' : `sector ${sectorId}`;
}

/** "sector S-2 had 5 verified violations on 2026-11-20 (max 2)" */
function describeBreach(rule: ReliableCeasefireRule, e: CeasefireEvidence): string {
  const kind = rule.countUnverified ? 'verified or unverified' : 'verified';
  const overVerified = e.verified > rule.maxVerifiedPerSectorDay;
  const overWeapons = e.weaponViolations > rule.maxWeaponViolationsPerSectorDay;
  const verified = counted(e.verified, `${kind} violation`, `${kind} violations`);
  const weapons = counted(e.weaponViolations, 'weapon violation', 'weapon violations');
  const who = sectorLabel(e.sectorId);
  if (overVerified && overWeapons) {
    return `${who} had ${verified} (max ${rule.maxVerifiedPerSectorDay}) and ${weapons} (max ${rule.maxWeaponViolationsPerSectorDay}) on ${e.date}`;
  }
  if (overVerified) return `${who} had ${verified} on ${e.date} (max ${rule.maxVerifiedPerSectorDay})`;
  return `${who} had ${weapons} on ${e.date} (max ${rule.maxWeaponViolationsPerSectorDay})`;
}

export function determineReliableCeasefire(
  ruleInput: ReliableCeasefireRuleInput,
  sectorDays: readonly SectorDay[],
  asOf: string,
): ReliableCeasefireDetermination {
  const rule = reliableCeasefireRuleSchema.parse(ruleInput);
  utcDayStart(asOf);
  const byDate = new Map<string, CeasefireEvidence[]>();
  for (const day of sectorDays) {
    const counted = countedViolations(rule, day);
    const evidence: CeasefireEvidence = {
      date: day.date,
      sectorId: day.sectorId,
      verified: counted.verified,
      weaponViolations: counted.weapons,
      within: isWithinRule(rule, day),
    };
    const list = byDate.get(day.date) ?? [];
    list.push(evidence);
    byDate.set(day.date, list);
  }

  // Walk back from asOf while every sector was within; a day without figures ends the streak, since
  // a gap in monitoring is no evidence that the ceasefire held.
  let streakDays = 0;
  let date = asOf;
  for (;;) {
    const day = byDate.get(date);
    if (!day || day.length === 0 || !day.every((e) => e.within)) break;
    streakDays += 1;
    date = addDays(date, -1);
  }
  const breakDate = date;

  const windowStart = addDays(asOf, -(rule.consecutiveDays - 1));
  const evidence = [...byDate.entries()]
    .filter(([d]) => d >= windowStart && d <= asOf)
    .flatMap(([, list]) => list)
    .sort((a, b) => compareIds(a.date, b.date) || compareSectors(a.sectorId, b.sectorId));

  const reliable = streakDays >= rule.consecutiveDays;
  const since = streakDays > 0 ? addDays(asOf, -(streakDays - 1)) : undefined;
  const limits = `at most ${rule.maxVerifiedPerSectorDay} ${rule.countUnverified ? 'verified or unverified' : 'verified'} violations and ${rule.maxWeaponViolationsPerSectorDay} weapon violations per sector and day`;

  let reason: string;
  if (reliable) {
    reason = `Reliable: every sector stayed within the limits (${limits}) for ${streakDays} consecutive days, from ${since} to ${asOf} (${rule.consecutiveDays} required).`;
  } else {
    const breaches = (byDate.get(breakDate) ?? [])
      .filter((e) => !e.within)
      .sort((a, b) => compareSectors(a.sectorId, b.sectorId));
    const first = breaches[0];
    const cause = first
      ? `${describeBreach(rule, first)}${breaches.length > 1 ? `, and ${counted(breaches.length - 1, 'other sector was', 'other sectors were')} over the limits that day` : ''}`
      : `there are no compliance figures for ${breakDate}`;
    reason = `Not reliable: ${cause}. The ceasefire has held for ${counted(streakDays, 'day', 'days')} of the ${rule.consecutiveDays} required.`;
  }

  return {
    reliable,
    asOf,
    rule,
    streakDays,
    ...(since === undefined ? {} : { since }),
    ...(reliable ? {} : { brokenOn: breakDate }),
    evidence,
    reason,
  };
}

/** Sectors by id, the unassigned incidents last. */
function compareSectors(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareIds(a, b);
}
