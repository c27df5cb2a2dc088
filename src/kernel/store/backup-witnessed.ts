/**
 * The witnessed checkpoint a restore verifies against. The log's own signature proves only that
 * whoever holds the log key vouches for a ledger; a backup forged by that holder (or with that key)
 * carries a checkpoint signed just as well. What it cannot carry is the cosignatures of a quorum of
 * member witnesses on its own rewritten root: each witness cosigns only checkpoints consistent with
 * what it saw before. So the restored ledger is held against the latest checkpoint that a quorum of
 * the configured witnesses cosigned, counted under the restore's policy (not whatever the backup's
 * database says was witnessed).
 */
import { bytesEqual } from '../ledger/bytes.ts';
import { cosignatureVerifier, openCheckpoint } from '../ledger/checkpoint.ts';
import { nodeEd25519 } from '../ledger/ed25519-node.ts';
import type { MerkleTree } from '../ledger/merkle-tree.ts';
import { VerificationError } from '../ledger/verification-error.ts';
import type { WitnessPolicy } from '../ledger/witness-collector.ts';
import type { LogVerifier } from './backup-ledger.ts';

/** A checkpoint note with cosignature lines after the log's signature (`ledger_witnessed`). */
export interface WitnessedRow {
  size: number;
  note: string;
}

export interface Witnessed {
  size: number;
  /** Configured witnesses whose cosignature verified, in configuration order. */
  cosigners: string[];
  quorum: number;
  /** Witnesses configured. */
  of: number;
}

/**
 * How many of the newest witnessed rows are looked at. Each costs a signature check per witness,
 * and a policy that none of the newest few meets has not been in force for a long time: better to
 * say "not witnessed" than to reach for a checkpoint from long ago.
 */
export const WITNESSED_CANDIDATES = 16;

/** The `n` rows of largest size, each note once. */
export function newestRows(rows: WitnessedRow[], n = WITNESSED_CANDIDATES): WitnessedRow[] {
  const byNote = new Map<string, WitnessedRow>();
  for (const r of rows) byNote.set(r.note, r);
  return [...byNote.values()].sort((a, b) => b.size - a.size).slice(0, n);
}

interface WitnessedCheck {
  witnessed: Witnessed | null;
  /** Cosignatures that do not verify, or a witnessed root the ledger does not reach. */
  problems: string[];
}

/**
 * The newest of `rows` that a quorum of `policy` cosigned, checked against the rebuilt tree. A
 * cosignature from a configured witness that does not verify is a problem (someone edited it), as
 * is a witnessed root that the ledger's leaves do not hash to (a rewritten history).
 */
export function checkWitnessed(input: {
  rows: WitnessedRow[];
  policy: WitnessPolicy;
  verifier: LogVerifier;
  tree: MerkleTree;
}): WitnessedCheck {
  const { policy, verifier, tree } = input;
  const members = policy.witnesses.map((w) => cosignatureVerifier(w.vkey, nodeEd25519));
  const problems: string[] = [];
  for (const row of newestRows(input.rows)) {
    let opened: ReturnType<typeof openCheckpoint>;
    try {
      opened = openCheckpoint(row.note, { origin: verifier.origin, log: verifier, witnesses: members });
    } catch (e) {
      const why = (e as Error).message;
      problems.push(
        e instanceof VerificationError && e.code === 'invalid_signature'
          ? `the witnessed checkpoint at size ${row.size} carries a signature that does not verify (${why})`
          : `the witnessed checkpoint at size ${row.size} does not verify with the log key ${verifier.origin}: ${why}`,
      );
      continue;
    }
    const signed = new Set(opened.cosignatures.map((c) => c.name));
    const cosigners = policy.witnesses.map((w) => w.name).filter((n) => signed.has(n));
    if (cosigners.length < policy.quorum) continue;
    const { size, rootHash } = opened.checkpoint;
    if (size !== row.size) {
      problems.push(`the witnessed checkpoint stored at size ${row.size} is a checkpoint of size ${size}`);
    } else if (size > tree.size) {
      problems.push(
        `witnesses ${cosigners.join(', ')} cosigned ${size} leaves but only ${tree.size} verify in the backup`,
      );
    } else if (!bytesEqual(tree.root(size), rootHash)) {
      problems.push(
        `the ledger's first ${size} leaves do not hash to the root that witnesses ${cosigners.join(', ')} cosigned: this is not the history they saw`,
      );
    }
    return {
      witnessed: { size, cosigners, quorum: policy.quorum, of: policy.witnesses.length },
      problems,
    };
  }
  return { witnessed: null, problems };
}
