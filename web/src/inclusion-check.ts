/**
 * Checks in the browser that a record is in the ledger, without taking the server's word for it:
 * the checkpoint's signature (and the witnesses' cosignatures) are verified here with the same
 * portable Ed25519 the CLI uses, the record's leaf hash is recomputed from what it commits to, and
 * the inclusion proof is walked up to the checkpoint's root. The server only supplies bytes.
 *
 * The checkpoint is the latest one a quorum of member witnesses cosigned when witnesses are
 * configured, else the latest log-signed one, which the status says is not witnessed: a checkpoint
 * only the log signed shows what the log claims, not that anyone else saw the same history.
 *
 * What this cannot show, and the status says so: the keys come from the same server (a member state
 * checks them against the keys it was given, with `guarantor verify`), and a leaf commits to the
 * record's content through a salt that readers are not given yet, so the content shown on the page
 * is not compared with the leaf unless an opening (salt and content) is passed in.
 *
 * Pure apart from `fetch`, which is injected; no server or node: code, so vite bundles it as is.
 */
import { bytesEqual, fromBase64, fromHex, toBase64, toHex, utf8 } from '../../src/kernel/ledger/bytes.ts';
import { canonicalJson } from '../../src/kernel/ledger/canonical.ts';
import { cosignatureVerifier, openCheckpoint } from '../../src/kernel/ledger/checkpoint.ts';
import { portableEd25519 } from '../../src/kernel/ledger/ed25519-portable.ts';
import { leafHash, verifyInclusion } from '../../src/kernel/ledger/merkle.ts';
import { ed25519Verifier, parseEd25519VerifierKey } from '../../src/kernel/ledger/note.ts';
import { sha256 } from '../../src/kernel/ledger/sha256.ts';
import { counted } from '../../src/kernel/text/counted.ts';

/** The leaf kinds each record is written under (see the appendLeaves calls in src/monitoring). */
export const RECORD_KINDS = {
  report: ['report'],
  incident: ['incident.transition', 'incident.split', 'incident.merged'],
} as const;

export interface RecordRef {
  id: string;
  kinds: readonly string[];
  /** The salt (hex) and content, where they are released to this reader, to open the commitment. */
  opening?: { salt: string; content: unknown };
}

/** A checkpoint whose signatures verified here. */
export interface TrustedCheckpoint {
  origin: string;
  size: number;
  /** base64 */
  root: string;
  rootHash: Uint8Array;
  /** A quorum of the configured witnesses cosigned it, and every cosignature verified. */
  witnessed: boolean;
  /** Cosignatures needed; 0 when the deployment configures no witnesses. */
  quorum: number;
  /** Witnesses whose cosignature verified. */
  cosigners: string[];
  /** Signatures from keys the server does not publish, which therefore could not be checked. */
  unchecked: number;
}

export type InclusionStatus =
  | {
      state: 'verified';
      checkpoint: TrustedCheckpoint;
      kind: string;
      leafIndex: number;
      at: string;
      /** The commitment was opened with the released salt and content and matched. */
      contentChecked: boolean;
    }
  | {
      state: 'pending';
      /** `no_witnessed_checkpoint`: none cosigned by a quorum yet; `not_in_checkpoint`: no leaf below
       * the checkpoint's size; `newer_change`: an earlier leaf verifies, the latest is newer. */
      code: 'checking' | 'no_witnessed_checkpoint' | 'not_in_checkpoint' | 'newer_change';
      reason: string;
      checkpoint?: TrustedCheckpoint;
      /** For `newer_change`: the leaf that did verify. */
      leafIndex?: number;
    }
  | { state: 'failed'; reason: string; checkpoint?: TrustedCheckpoint };

export interface PublishedWitnesses {
  quorum: number;
  witnesses: readonly { name: string; vkey: string }[];
}

/** A check that cannot pass; its message is what the reader is shown. */
export class InclusionFailure extends Error {
  override name = 'InclusionFailure';
}

/** The leaf data append.ts writes (without its node: imports): canonical JSON of the leaf fields. */
export function recordLeafData(kind: string, id: string, at: string, commitment: string): string {
  return canonicalJson({ v: 1, kind, id, at, commitment });
}

/** commitment = SHA-256(salt || canonical(content)), hex, as append.ts computes it. */
export function recordCommitment(saltHex: string, content: unknown): string {
  return toHex(sha256(fromHex(saltHex), utf8(canonicalJson(content))));
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Verifies a checkpoint note with the log's vkey and, when witnesses are configured, their
 * cosignatures. Throws {@link InclusionFailure}. `requireQuorum` is set for the witnessed
 * checkpoint, which must carry a quorum of good cosignatures to be called witnessed at all.
 */
export function openTrustedCheckpoint(
  note: string,
  vkey: string,
  witnesses: PublishedWitnesses,
  requireQuorum: boolean,
): TrustedCheckpoint {
  let origin: string;
  let log: ReturnType<typeof ed25519Verifier>;
  try {
    origin = parseEd25519VerifierKey(vkey).name;
    log = ed25519Verifier(vkey, portableEd25519);
  } catch (e) {
    throw new InclusionFailure(`the log's verifier key is unusable: ${message(e)}`);
  }
  let verifiers: ReturnType<typeof cosignatureVerifier>[];
  try {
    verifiers = witnesses.witnesses.map((w) => cosignatureVerifier(w.vkey, portableEd25519));
  } catch (e) {
    throw new InclusionFailure(`a published witness key is unusable: ${message(e)}`);
  }
  let opened: ReturnType<typeof openCheckpoint>;
  try {
    opened = openCheckpoint(note, { origin, log, witnesses: verifiers });
  } catch (e) {
    throw new InclusionFailure(`the checkpoint does not verify: ${message(e)}`);
  }
  const cosigners = opened.cosignatures.map((c) => c.name);
  const witnessed = witnesses.quorum > 0 && cosigners.length >= witnesses.quorum;
  if (requireQuorum && !witnessed) {
    throw new InclusionFailure(
      `the witnessed checkpoint carries ${counted(cosigners.length, 'good cosignature')}, short of the quorum of ${witnesses.quorum}`,
    );
  }
  const { size, rootHash } = opened.checkpoint;
  return {
    origin,
    size,
    root: toBase64(rootHash),
    rootHash,
    witnessed,
    quorum: witnesses.quorum,
    cosigners,
    unchecked: opened.note.unverified.length,
  };
}

interface LeafAnswer {
  kind: string;
  leafIndex: number;
  leafHash: string;
  commitment: string;
  at: string;
  proof: string[];
}

function isLeaf(x: unknown): x is LeafAnswer {
  if (typeof x !== 'object' || x === null) return false;
  const l = x as Record<string, unknown>;
  return (
    typeof l.kind === 'string' &&
    Number.isSafeInteger(l.leafIndex) &&
    typeof l.leafHash === 'string' &&
    typeof l.commitment === 'string' &&
    typeof l.at === 'string' &&
    Array.isArray(l.proof) &&
    l.proof.every((p) => typeof p === 'string')
  );
}

/**
 * Checks the server's answer from /api/v1/ledger/inclusion against a checkpoint verified here.
 * Every failure names what did not hold; nothing the server says about itself is believed.
 */
export function verifyRecordInclusion(
  checkpoint: TrustedCheckpoint,
  record: RecordRef,
  answer: unknown,
): InclusionStatus {
  const failed = (reason: string): InclusionStatus => ({ state: 'failed', reason, checkpoint });
  if (typeof answer !== 'object' || answer === null) return failed('the inclusion answer is not an object');
  const a = answer as { id?: unknown; treeSize?: unknown; leaf?: unknown; laterLeafIndexes?: unknown };
  if (a.id !== record.id) return failed('the inclusion answer is about another record');
  if (a.treeSize !== checkpoint.size) {
    return failed(
      `the proof is for a tree of ${String(a.treeSize)} leaves, not the checkpoint's ${checkpoint.size}`,
    );
  }
  if (a.leaf === null) {
    return {
      state: 'pending',
      code: 'not_in_checkpoint',
      reason: `not in the checkpoint of ${checkpoint.size} leaves yet`,
      checkpoint,
    };
  }
  if (!isLeaf(a.leaf)) return failed('the inclusion answer is malformed');
  const leaf = a.leaf;
  if (!record.kinds.includes(leaf.kind)) return failed(`the leaf is a ${leaf.kind}, not this record`);
  if (leaf.leafIndex < 0 || leaf.leafIndex >= checkpoint.size) {
    return failed(`leaf ${leaf.leafIndex} is outside the checkpoint of ${checkpoint.size} leaves`);
  }
  let contentChecked = false;
  if (record.opening !== undefined) {
    let commitment: string;
    try {
      commitment = recordCommitment(record.opening.salt, record.opening.content);
    } catch (e) {
      return failed(`the released content cannot be committed: ${message(e)}`);
    }
    if (commitment !== leaf.commitment) return failed('the content shown is not what the leaf commits to');
    contentChecked = true;
  }
  // The leaf hash is recomputed rather than taken: a server could otherwise prove some other leaf.
  const expected = leafHash(utf8(recordLeafData(leaf.kind, record.id, leaf.at, leaf.commitment)));
  let served: Uint8Array;
  let proof: Uint8Array[];
  try {
    served = fromBase64(leaf.leafHash);
    proof = leaf.proof.map((p) => fromBase64(p));
  } catch {
    return failed('the inclusion answer is not base64');
  }
  if (!bytesEqual(served, expected)) {
    return failed(`leaf ${leaf.leafIndex} is not this record's leaf (its hash does not match)`);
  }
  try {
    verifyInclusion(leaf.leafIndex, checkpoint.size, expected, proof, checkpoint.rootHash);
  } catch (e) {
    return failed(`leaf ${leaf.leafIndex} does not lead to the checkpoint's root: ${message(e)}`);
  }
  const later = Array.isArray(a.laterLeafIndexes)
    ? a.laterLeafIndexes.filter((i): i is number => Number.isSafeInteger(i) && i >= checkpoint.size)
    : [];
  if (later.length > 0) {
    return {
      state: 'pending',
      code: 'newer_change',
      reason: `its latest change (leaf ${later[later.length - 1]}) is not in the checkpoint of ${checkpoint.size} leaves yet; the version before it (leaf ${leaf.leafIndex}) verifies`,
      checkpoint,
      leafIndex: leaf.leafIndex,
    };
  }
  return {
    state: 'verified',
    checkpoint,
    kind: leaf.kind,
    leafIndex: leaf.leafIndex,
    at: leaf.at,
    contentChecked,
  };
}

type Fetch = (input: string) => Promise<Response>;

/** Runs checks against one server, verifying its checkpoint once for all of them. */
export class InclusionChecker {
  private checkpoint: Promise<TrustedCheckpoint | InclusionStatus> | undefined;
  private readonly fetch: Fetch;

  constructor(options: { fetch?: Fetch; base?: string } = {}) {
    const f = options.fetch ?? ((input: string) => globalThis.fetch(input));
    const base = options.base ?? '';
    this.fetch = (path) => f(`${base}${path}`);
  }

  private async get(path: string, as: 'json' | 'text'): Promise<unknown> {
    let res: Response;
    try {
      res = await this.fetch(path);
    } catch (e) {
      throw new InclusionFailure(`the server could not be reached for ${path}: ${message(e)}`);
    }
    if (!res.ok) throw new InclusionFailure(`the server answered ${res.status} for ${path}`);
    return as === 'json' ? res.json() : res.text();
  }

  private async witnesses(): Promise<PublishedWitnesses> {
    let res: Response;
    try {
      res = await this.fetch('/api/v1/ledger/witnesses');
    } catch (e) {
      throw new InclusionFailure(`the server could not be reached for its witness list: ${message(e)}`);
    }
    // A server without the route publishes no witness keys; cosignatures then count as unchecked.
    if (res.status === 404) return { quorum: 0, witnesses: [] };
    if (!res.ok) throw new InclusionFailure(`the server answered ${res.status} for its witness list`);
    const body = (await res.json()) as Partial<PublishedWitnesses>;
    if (!Number.isSafeInteger(body.quorum) || !Array.isArray(body.witnesses)) {
      throw new InclusionFailure('the witness list is malformed');
    }
    return { quorum: body.quorum!, witnesses: body.witnesses };
  }

  private async loadCheckpoint(): Promise<TrustedCheckpoint | InclusionStatus> {
    try {
      const vkey = String(await this.get('/ledger/vkey', 'text')).trim();
      const witnesses = await this.witnesses();
      if (witnesses.quorum > 0) {
        const res = await this.fetch('/api/v1/ledger/witnessed-checkpoint');
        if (res.status === 404) {
          return {
            state: 'pending',
            code: 'no_witnessed_checkpoint',
            reason: `no checkpoint has been cosigned by a quorum of ${witnesses.quorum} member witnesses yet`,
          };
        }
        if (!res.ok)
          throw new InclusionFailure(`the server answered ${res.status} for the witnessed checkpoint`);
        const body = (await res.json()) as { note?: unknown };
        return openTrustedCheckpoint(String(body.note ?? ''), vkey, witnesses, true);
      }
      const body = (await this.get('/api/v1/ledger/checkpoint', 'json')) as { note?: unknown };
      return openTrustedCheckpoint(String(body.note ?? ''), vkey, witnesses, false);
    } catch (e) {
      return { state: 'failed', reason: message(e) };
    }
  }

  /** The checkpoint every check of this checker is against, verified on first use. */
  latest(): Promise<TrustedCheckpoint | InclusionStatus> {
    this.checkpoint ??= this.loadCheckpoint();
    return this.checkpoint;
  }

  async check(record: RecordRef): Promise<InclusionStatus> {
    const cp = await this.latest();
    if ('state' in cp) return cp;
    const query = new URLSearchParams({
      id: record.id,
      kinds: record.kinds.join(','),
      size: String(cp.size),
    });
    let answer: unknown;
    try {
      answer = await this.get(`/api/v1/ledger/inclusion?${query}`, 'json');
    } catch (e) {
      return { state: 'failed', reason: message(e), checkpoint: cp };
    }
    return verifyRecordInclusion(cp, record, answer);
  }
}

/** What the badge says: a label, a one-line detail with the tree size and root, and a full explanation. */
export function describeInclusion(status: InclusionStatus): { label: string; detail: string; title: string } {
  if (status.state === 'failed') {
    return {
      label: 'Inclusion check failed',
      detail: status.reason,
      title: `The ledger check failed in this browser: ${status.reason}.`,
    };
  }
  if (status.state === 'pending') {
    const size = status.checkpoint ? ` (checkpoint of ${status.checkpoint.size} leaves)` : '';
    return {
      label: status.code === 'checking' ? 'Checking the ledger…' : 'Inclusion pending',
      detail: `${status.reason}${size}`,
      title: `Not verified yet: ${status.reason}${size}.`,
    };
  }
  const cp = status.checkpoint;
  const witness = cp.witnessed
    ? `cosigned by ${cp.cosigners.join(', ')} (quorum ${cp.quorum})`
    : cp.unchecked > 0
      ? `not witnessed: signed by the log; ${counted(cp.unchecked, 'cosignature')} from keys the server does not publish went unchecked`
      : 'not witnessed: signed by the log only, no member witnesses are configured';
  const witnessSentence = cp.witnessed
    ? `The checkpoint is signed by the log and cosigned by ${counted(cp.cosigners.length, 'member witness', 'member witnesses')} (${cp.cosigners.join(', ')}), meeting the quorum of ${cp.quorum}.`
    : 'The checkpoint is signed by the log only and is not witnessed: no member witness has confirmed that it saw the same history.';
  const contentSentence = status.contentChecked
    ? 'The content shown matches what the leaf commits to.'
    : 'The leaf commits to the content with a salt that readers are not given, so the content shown is not compared with it here.';
  return {
    label: cp.witnessed ? 'Inclusion verified · witnessed' : 'Inclusion verified · not witnessed',
    detail: `leaf ${status.leafIndex} in the checkpoint of ${cp.size} leaves, root ${cp.root.slice(0, 12)}…; ${witness}`,
    title: `Checked in this browser: leaf ${status.leafIndex} (${status.kind}, recorded ${status.at}) is in the checkpoint of ${cp.size} leaves of ${cp.origin}, root ${cp.root}. ${witnessSentence} ${contentSentence} The keys are the ones this server publishes; for an independent check run guarantor verify with the key you were given.`,
  };
}
