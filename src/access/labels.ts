/**
 * Confidentiality labels in the manner of STANAG 4774: a classification under Guarantor's policy and
 * the participants (or groups) a record is releasable to. Deny by default: a reader sees a record only
 * when cleared for its classification and named, directly or through a group, in its releasability.
 *
 * Stored as two columns so every list can filter in SQL: the classification's level, and the
 * releasability as `,FRA,GBR,` (sorted, comma-fenced) so `like '%,FRA,%'` finds a name exactly.
 */
import { z } from 'zod';
import type { Principal } from './principal.ts';

export const CLASSIFICATIONS = ['PUBLIC', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** Every participant of the coalition, including those that take part without having signed. */
export const COALITION = 'COALITION';
/**
 * The secretariat runs the mechanism: every report reaches it whatever else its label says, since
 * correlation and verification need them all. Its members' accounts belong to this participant.
 */
export const SECRETARIAT = 'CWS';

const NAME = /^[A-Z][A-Z0-9-]{1,15}$/;

export const labelSchema = z
  .object({
    classification: z.enum(CLASSIFICATIONS),
    releasableTo: z
      .array(z.string().regex(NAME, 'a participant code such as FRA, or a group such as COALITION'))
      .max(64)
      .default([COALITION]),
  })
  .strict();
/** A label as `labelSchema` gives it back: checked, with the default releasability filled in. */
export type ParsedLabel = z.output<typeof labelSchema>;

export interface Label {
  classification: Classification;
  /** Sorted, without duplicates; empty for PUBLIC, which everyone may read. */
  releasableTo: string[];
}

export const DEFAULT_LABEL: Label = { classification: 'RESTRICTED', releasableTo: [COALITION] };
export const PUBLIC_LABEL: Label = { classification: 'PUBLIC', releasableTo: [] };

export function isDefaultLabel(label: Label): boolean {
  return (
    label.classification === DEFAULT_LABEL.classification &&
    label.releasableTo.length === 1 &&
    label.releasableTo[0] === COALITION
  );
}

/**
 * The stored form of a label already checked by `labelSchema` (every report's is, by the report
 * schema): not parsed again, since ingest normalises each report's label on the hot path.
 */
export function normalizeLabel(parsed: ParsedLabel | undefined): Label {
  if (!parsed) return DEFAULT_LABEL;
  if (parsed.classification === 'PUBLIC') return PUBLIC_LABEL;
  // The coalition already includes every participant; naming some beside it adds nothing.
  if (parsed.releasableTo.includes(COALITION))
    return { classification: parsed.classification, releasableTo: [COALITION] };
  return { classification: parsed.classification, releasableTo: [...new Set(parsed.releasableTo)].sort() };
}

export function levelOf(c: Classification): number {
  return CLASSIFICATIONS.indexOf(c);
}

/** The two stored columns of a label. */
export interface LabelColumns {
  label_level: number;
  label_releasable: string;
}

export function labelColumns(label: Label): LabelColumns {
  return {
    label_level: levelOf(label.classification),
    label_releasable: label.releasableTo.length ? `,${label.releasableTo.join(',')},` : ',',
  };
}

export function labelFromColumns(c: LabelColumns): Label {
  const classification = CLASSIFICATIONS[c.label_level] ?? 'SECRET';
  if (classification === 'PUBLIC') return PUBLIC_LABEL;
  return { classification, releasableTo: c.label_releasable.split(',').filter(Boolean) };
}

/** As a banner reads: `RESTRICTED REL TO COALITION`, `PUBLIC`. */
export function formatLabel(label: Label): string {
  if (label.classification === 'PUBLIC') return 'PUBLIC';
  return `${label.classification} REL TO ${label.releasableTo.join(', ') || 'SECRETARIAT ONLY'}`;
}

/**
 * The label of something made from several records (an incident from its reports, a day's figures):
 * the highest classification, releasable only where every part is. COALITION includes every
 * participant, so it gives way to any narrower list.
 */
export function highWaterMark(labels: readonly Label[]): Label {
  let level = 0;
  // Undefined: no narrower list seen yet, so as wide as the coalition.
  let releasable: Set<string> | undefined;
  for (const label of labels) {
    level = Math.max(level, levelOf(label.classification));
    if (label.classification === 'PUBLIC' || label.releasableTo.includes(COALITION)) continue;
    releasable = releasable
      ? new Set(label.releasableTo.filter((n) => releasable!.has(n)))
      : new Set(label.releasableTo);
  }
  const classification = CLASSIFICATIONS[level]!;
  if (classification === 'PUBLIC') return PUBLIC_LABEL;
  return { classification, releasableTo: releasable ? [...releasable].sort() : [COALITION] };
}

/** What a reader is cleared for and which names in a releasability list are theirs. */
export interface Reader {
  /** Highest level readable; -1 for nothing at all. */
  clearance: number;
  /** Names that make a record releasable to this reader; empty for the public. */
  names: string[];
  /** The secretariat reads every non-public record up to its clearance. */
  secretariat: boolean;
}

export const PUBLIC_READER: Reader = { clearance: 0, names: [], secretariat: false };

/** Guarantor itself (the demonstration loader, the command line on the server): reads everything. */
export const SYSTEM_READER: Reader = { clearance: CLASSIFICATIONS.length - 1, names: [], secretariat: true };

/** What a machine (a sensor, an integration) is cleared to read: it sends, and reads little. */
export const MACHINE_CLEARANCE: Classification = 'RESTRICTED';

/**
 * The reader a principal is. An account is cleared as its record says (read afresh with every
 * request, so a lowered clearance holds from the next one); machines to MACHINE_CLEARANCE.
 */
export function readerOf(principal: Principal): Reader {
  switch (principal.kind) {
    case 'public':
      return PUBLIC_READER;
    case 'machine':
      return {
        clearance: levelOf(MACHINE_CLEARANCE),
        names: [principal.participant, COALITION],
        secretariat: principal.participant === SECRETARIAT,
      };
    case 'account':
      return {
        clearance: levelOf(principal.clearance),
        names: [principal.participant, COALITION],
        secretariat: principal.participant === SECRETARIAT,
      };
  }
}

export function mayRead(reader: Reader, label: Label): boolean {
  if (label.classification === 'PUBLIC') return true;
  if (levelOf(label.classification) > reader.clearance) return false;
  if (reader.secretariat) return true;
  return label.releasableTo.some((n) => reader.names.includes(n));
}

/** A key shared by every reader who sees exactly the same records, for caching what they read. */
export function readerKey(reader: Reader): string {
  return `${reader.clearance}:${reader.secretariat ? '*' : [...reader.names].sort().join('+')}`;
}
