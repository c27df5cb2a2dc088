/**
 * The verification workflow as data: which status may follow which. Closed outcomes
 * (verified, unverifiable, rejected, duplicate) can be reopened, never silently changed to another outcome,
 * so every change of verdict passes through review with its own recorded reason.
 */
import { z } from 'zod';
import { INCIDENT_STATUSES, type IncidentStatus } from './types.ts';

export const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  received: ['triaged', 'under_investigation', 'rejected', 'duplicate'],
  triaged: ['under_investigation', 'verified', 'unverifiable', 'rejected', 'duplicate'],
  under_investigation: ['verified', 'unverifiable', 'rejected', 'duplicate', 'triaged'],
  verified: ['under_investigation'],
  unverifiable: ['under_investigation'],
  rejected: ['triaged'],
  duplicate: ['triaged'],
};

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export const ATTRIBUTION_BASES = [
  'crater_analysis',
  'imagery',
  'multi_observer_triangulation',
  'acoustic_triangulation',
  'uav_observation',
  'witness_statements',
  'munition_remnants',
  'other',
] as const;

export const assessedAttributionSchema = z
  .object({
    party: z.string().min(1).max(200),
    confidence: z.enum(['low', 'medium', 'high']),
    basis: z.array(z.enum(ATTRIBUTION_BASES)).min(1).max(ATTRIBUTION_BASES.length),
    notes: z.string().max(10_000).optional(),
  })
  .strict();
export type AssessedAttribution = z.infer<typeof assessedAttributionSchema>;

const reason = z.string().trim().min(3, 'say why, in a few words').max(5_000);
/** Kept for clients of the first API version; the server records the signed-in caller instead. */
const actor = z.string().trim().min(1).max(200).optional();

export const transitionInputSchema = z
  .object({
    to: z.enum(INCIDENT_STATUSES),
    reason,
    actor,
    /** Assessed attribution, kept apart from what reports claim; only with `verified`. */
    attribution: assessedAttributionSchema.optional(),
    /** When marking a duplicate: the incident this one duplicates. */
    duplicateOf: z.uuid().optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.attribution && t.to !== 'verified') {
      ctx.addIssue({
        code: 'custom',
        path: ['attribution'],
        message: 'an attribution is assessed only when verifying',
      });
    }
  });
export type TransitionInput = z.infer<typeof transitionInputSchema>;

export const splitInputSchema = z
  .object({
    reportIds: z.array(z.uuid()).min(1).max(10_000),
    reason,
    actor,
  })
  .strict();

export const mergeInputSchema = z
  .object({
    incidentIds: z.array(z.uuid()).min(1).max(1_000),
    reason,
    actor,
  })
  .strict();
