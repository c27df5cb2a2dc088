/**
 * The evidence tables as migration 0008 leaves them, for Kysely. Kept beside the evidence code and
 * added to the shared `Database` type with `withTables`, so the evidence module's schema changes stay
 * in the evidence module.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, EvidenceDerivedTable } from '../../kernel/store/schema.ts';

/** `evidence_derived` with how each copy was made (null on copies recorded before 0008). */
export interface EvidenceDerivedRow extends EvidenceDerivedTable {
  width: number | null;
  height: number | null;
  /** JSON */
  params: string | null;
}

/** An attempt to derive a copy (a thumbnail) that made none. */
export interface EvidenceDerivationFailureTable {
  id: string;
  evidence_id: string;
  purpose: string;
  method: string;
  reason: string;
  created_at: string;
}

// A type alias, not an interface: `withTables` wants an index-signature-compatible record.
export type EvidenceTables = {
  evidence_derived: EvidenceDerivedRow;
  evidence_derivation_failures: EvidenceDerivationFailureTable;
};

export type EvidenceDatabase = Database & EvidenceTables;

export function evidenceDb(db: Kysely<Database>): Kysely<EvidenceDatabase>;
export function evidenceDb(db: Transaction<Database>): Transaction<EvidenceDatabase>;
export function evidenceDb(
  db: Kysely<Database> | Transaction<Database>,
): Kysely<EvidenceDatabase> | Transaction<EvidenceDatabase> {
  return db.withTables<EvidenceTables>() as Kysely<EvidenceDatabase>;
}
