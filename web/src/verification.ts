/**
 * The analyst's verification actions as pure rules: which statuses may follow, and what the
 * forms must hold before they are sent. The server checks the same rules; checking here first
 * saves a round trip and puts the message next to the field at once.
 *
 * No form names who acts: the server records the signed-in account, whatever a body might claim.
 */
import {
  type AssessedAttribution,
  ATTRIBUTION_BASES,
  TRANSITIONS,
} from '../../src/monitoring/incident-status.ts';
import type { IncidentStatus } from '../../src/monitoring/types.ts';

export { ATTRIBUTION_BASES };
export const CONFIDENCES = ['low', 'medium', 'high'] as const;

export function nextStatuses(status: IncidentStatus): readonly IncidentStatus[] {
  return TRANSITIONS[status] ?? [];
}

export type FieldErrors = Partial<Record<string, string>>;

export interface TransitionForm {
  to: IncidentStatus;
  reason: string;
  party: string;
  confidence: string;
  basis: string[];
}

export type TransitionBody = {
  to: IncidentStatus;
  reason: string;
  attribution?: AssessedAttribution;
};

function checkReason(reason: string, errors: FieldErrors): void {
  if (reason.trim().length < 3) errors.reason = 'Say why, in a few words (at least 3 characters).';
}

/** The request body, or the message for each field that is not ready. */
export function checkTransition(form: TransitionForm): { body?: TransitionBody; errors: FieldErrors } {
  const errors: FieldErrors = {};
  checkReason(form.reason, errors);
  const party = form.party.trim();
  let attribution: AssessedAttribution | undefined;
  if (form.to === 'verified' && party) {
    const basis = form.basis.filter((b): b is AssessedAttribution['basis'][number] =>
      (ATTRIBUTION_BASES as readonly string[]).includes(b),
    );
    if (!basis.length) errors['attribution.basis'] = 'Choose at least one basis for the attribution.';
    if (!(CONFIDENCES as readonly string[]).includes(form.confidence)) {
      errors['attribution.confidence'] = 'Choose a confidence: low, medium or high.';
    }
    attribution = { party, confidence: form.confidence as AssessedAttribution['confidence'], basis };
  }
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    body: {
      to: form.to,
      reason: form.reason.trim(),
      ...(attribution ? { attribution } : {}),
    },
  };
}

/** Ids typed or pasted by a person: split on commas, spaces or new lines, duplicates dropped. */
export function parseIdList(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkMerge(
  form: { ids: string; reason: string },
  selfId: string,
): { body?: { incidentIds: string[]; reason: string }; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const ids = parseIdList(form.ids);
  const bad = ids.filter((id) => !UUID.test(id));
  if (!ids.length) errors.incidentIds = 'Enter the id of at least one incident to merge into this one.';
  else if (bad.length) errors.incidentIds = `Not an incident id: ${bad.slice(0, 3).join(', ')}`;
  else if (ids.some((id) => id.toLowerCase() === selfId.toLowerCase())) {
    errors.incidentIds = 'An incident cannot be merged into itself.';
  }
  checkReason(form.reason, errors);
  if (Object.keys(errors).length) return { errors };
  return { errors, body: { incidentIds: ids, reason: form.reason.trim() } };
}

export function checkSplit(form: { reportIds: string[]; reportCount: number; reason: string }): {
  body?: { reportIds: string[]; reason: string };
  errors: FieldErrors;
} {
  const errors: FieldErrors = {};
  if (!form.reportIds.length) errors.reportIds = 'Tick the reports to move into a new incident.';
  else if (form.reportIds.length >= form.reportCount) {
    errors.reportIds = 'Leave at least one report in this incident; tick only the ones to move.';
  }
  checkReason(form.reason, errors);
  if (Object.keys(errors).length) return { errors };
  return { errors, body: { reportIds: form.reportIds, reason: form.reason.trim() } };
}
