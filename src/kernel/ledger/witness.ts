/**
 * A C2SP tlog-witness (c2sp.org/tlog-witness): the member state's own check that the ledger only
 * ever grows. For each log it follows it keeps the latest checkpoint it cosigned, and it cosigns a new
 * one only when the log signed it and a consistency proof shows it extends that checkpoint. A log that
 * shows one capital one history and another capital another cannot get both past the same witness,
 * so with a quorum of honest witnesses a forked ledger cannot be witnessed twice.
 *
 * Pure and browser-safe: Ed25519 is injected, and the last-seen state lives behind
 * {@link WitnessStateStore} (a file for `guarantor witness`, memory in tests). The HTTP server is in
 * witness-server.ts.
 */
import { fromBase64, fromUtf8, toBase64, utf8 } from './bytes.ts';
import { type Checkpoint, cosignatureSigner, parseCheckpoint } from './checkpoint.ts';
import { HASH_SIZE, verifyConsistency } from './merkle.ts';
import {
  type Ed25519,
  ed25519Verifier,
  formatSignatureLine,
  type NoteSigner,
  type NoteVerifier,
  openNote,
  parseEd25519VerifierKey,
  parseNote,
} from './note.ts';
import { VerificationError } from './verification-error.ts';

/** The spec's cap on consistency proof lines. */
export const MAX_PROOF_LINES = 63;

/** The latest checkpoint a witness cosigned for one origin. */
export interface WitnessedCheckpoint {
  size: number;
  /** base64 root hash */
  root: string;
  /** The signed note as submitted, kept as the log's own word for what it committed to. */
  note: string;
  cosignedAt: string;
}

/** A refused submission that carried a valid log signature: evidence the log misbehaved (or a bug). */
export interface WitnessEvidence {
  origin: string;
  at: string;
  status: number;
  reason: string;
  /** The request body as received. */
  body: string;
}

export interface WitnessStateStore {
  get(origin: string): Promise<WitnessedCheckpoint | undefined>;
  /** Must be durable when it returns: the witness answers only after it. */
  put(origin: string, state: WitnessedCheckpoint): Promise<void>;
  recordEvidence?(evidence: WitnessEvidence): Promise<void>;
}

export class MemoryWitnessState implements WitnessStateStore {
  readonly logs = new Map<string, WitnessedCheckpoint>();
  readonly evidence: WitnessEvidence[] = [];
  async get(origin: string) {
    return this.logs.get(origin);
  }
  async put(origin: string, state: WitnessedCheckpoint) {
    this.logs.set(origin, state);
  }
  async recordEvidence(e: WitnessEvidence) {
    this.evidence.push(e);
  }
}

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Uint8Array[];
  /** The signed checkpoint note. */
  note: string;
}

/** An HTTP answer, as the spec fixes status codes and bodies. */
export interface WitnessResponse {
  status: 200 | 400 | 403 | 404 | 409 | 422;
  contentType: string;
  body: string;
}

const TEXT = 'text/plain; charset=utf-8';
/** The spec's content type for a 409's body (the witness's current size). */
export const SIZE_CONTENT_TYPE = 'text/x.tlog.size';

class Refusal extends Error {
  constructor(
    readonly status: WitnessResponse['status'],
    message: string,
    /** For a 409: the size of the last cosigned checkpoint, the body the spec asks for. */
    readonly sizeBody?: number,
    /** A plain old-size mismatch is how a log learns the witness's size, not misbehaviour. */
    readonly routine = false,
  ) {
    super(message);
  }
}

function decimal(text: string, what: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(text))
    throw new Refusal(400, `${what} is not a decimal without leading zeros`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Refusal(400, `${what} is beyond 2^53 - 1`);
  return n;
}

/** Parses an add-checkpoint body: `old N`, proof lines, an empty line, the checkpoint note. */
export function parseAddCheckpoint(body: string | Uint8Array): AddCheckpointRequest {
  let text: string;
  try {
    text = typeof body === 'string' ? body : fromUtf8(body);
  } catch {
    throw new Refusal(400, 'the body is not UTF-8');
  }
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw new Refusal(400, 'no empty line before the checkpoint');
  const [oldLine, ...proofLines] = text.slice(0, blank).split('\n');
  const m = /^old (.*)$/.exec(oldLine ?? '');
  if (!m) throw new Refusal(400, 'the first line is not `old <size>`');
  const oldSize = decimal(m[1]!, 'the old size');
  if (proofLines.length > MAX_PROOF_LINES) throw new Refusal(400, `more than ${MAX_PROOF_LINES} proof lines`);
  const proof = proofLines.map((line) => {
    let h: Uint8Array;
    try {
      h = fromBase64(line);
    } catch {
      throw new Refusal(400, 'a proof line is not base64');
    }
    if (h.length !== HASH_SIZE) throw new Refusal(400, `a proof hash is ${h.length} bytes, not ${HASH_SIZE}`);
    return h;
  });
  return { oldSize, proof, note: text.slice(blank + 2) };
}

/** The body a log sends: the request's wire form. */
export function formatAddCheckpoint(oldSize: number, proof: readonly Uint8Array[], note: string): string {
  return `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join('')}\n${note}`;
}

export interface WitnessLog {
  origin: string;
  /** The log's signed-note verifier keys (several while a key is being rotated). */
  vkeys: readonly string[];
}

export interface WitnessOptions {
  /** The witness's cosignature signer key, `PRIVATE+KEY+<name>+<id>+base64(0x04 || seed)`. */
  skey: string;
  logs: readonly WitnessLog[];
  ed25519: Ed25519;
  state: WitnessStateStore;
  /** POSIX seconds; the cosignature's timestamp. */
  now?: () => number;
}

export class Witness {
  private readonly signer: NoteSigner;
  private readonly logs = new Map<string, NoteVerifier[]>();
  private readonly now: () => number;
  private readonly state: WitnessStateStore;
  /** Submissions run one at a time, so checking the old size and storing the new one are atomic. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: WitnessOptions) {
    this.now = options.now ?? (() => Date.now() / 1000);
    this.signer = cosignatureSigner(options.skey, options.ed25519, this.now);
    this.state = options.state;
    for (const log of options.logs) {
      const verifiers = log.vkeys.map((v) => ed25519Verifier(v, options.ed25519));
      this.logs.set(log.origin, [...(this.logs.get(log.origin) ?? []), ...verifiers]);
    }
  }

  get name(): string {
    return this.signer.name;
  }

  /** Handles one add-checkpoint body; never throws for anything the client sent. */
  addCheckpoint(body: string | Uint8Array): Promise<WitnessResponse> {
    const run = this.queue.then(() => this.handle(body));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async handle(body: string | Uint8Array): Promise<WitnessResponse> {
    let origin: string | undefined;
    let signed = false;
    try {
      const request = parseAddCheckpoint(body);
      const checkpoint = this.parse(request.note);
      origin = checkpoint.origin;
      const verifiers = this.logs.get(origin);
      if (verifiers === undefined) throw new Refusal(404, `unknown log ${JSON.stringify(origin)}`);
      try {
        openNote(request.note, verifiers);
      } catch (e) {
        throw new Refusal(
          403,
          `the checkpoint is not signed by a known key of ${origin}: ${(e as Error).message}`,
        );
      }
      signed = true;
      if (request.oldSize > checkpoint.size) {
        throw new Refusal(400, `old size ${request.oldSize} is above the checkpoint's ${checkpoint.size}`);
      }
      const last = await this.state.get(origin);
      this.check(request, checkpoint, last);
      const line = formatSignatureLine({
        name: this.signer.name,
        keyId: this.signer.keyId,
        signature: this.signer.sign(utf8(parseNote(request.note).text)),
      });
      await this.state.put(origin, {
        size: checkpoint.size,
        root: toBase64(checkpoint.rootHash),
        note: request.note,
        cosignedAt: new Date(this.now() * 1000).toISOString(),
      });
      return { status: 200, contentType: TEXT, body: line };
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      if (signed && origin !== undefined && !e.routine) await this.keepEvidence(origin, e, body);
      if (e.sizeBody !== undefined) {
        return { status: 409, contentType: SIZE_CONTENT_TYPE, body: `${e.sizeBody}\n` };
      }
      return { status: e.status, contentType: TEXT, body: `${e.message}\n` };
    }
  }

  private parse(note: string): Checkpoint {
    try {
      return parseCheckpoint(parseNote(note).text);
    } catch (e) {
      if (e instanceof VerificationError) throw new Refusal(400, e.message);
      throw e;
    }
  }

  /** The spec's checks against the last cosigned checkpoint; throws a {@link Refusal}. */
  private check(
    request: AddCheckpointRequest,
    checkpoint: Checkpoint,
    last: WitnessedCheckpoint | undefined,
  ) {
    const lastSize = last?.size ?? 0;
    if (request.oldSize !== lastSize) {
      throw new Refusal(
        409,
        `old size ${request.oldSize} is not the last cosigned ${lastSize}`,
        lastSize,
        true,
      );
    }
    if (last === undefined || request.oldSize === 0) {
      if (request.proof.length > 0) throw new Refusal(422, 'a proof from size 0 must be empty');
      return;
    }
    const lastRoot = fromBase64(last.root);
    try {
      verifyConsistency(last.size, checkpoint.size, lastRoot, checkpoint.rootHash, request.proof);
    } catch (e) {
      if (!(e instanceof VerificationError)) throw e;
      // Same size, another root: a fork, which the spec answers with a conflict.
      if (checkpoint.size === last.size && request.proof.length === 0) {
        throw new Refusal(409, `a different root for size ${last.size}: the log has forked`, last.size);
      }
      throw new Refusal(422, `the consistency proof from ${last.size} does not verify: ${e.message}`);
    }
  }

  private async keepEvidence(origin: string, e: Refusal, body: string | Uint8Array): Promise<void> {
    await this.state.recordEvidence?.({
      origin,
      at: new Date(this.now() * 1000).toISOString(),
      status: e.status,
      reason: e.message,
      body: typeof body === 'string' ? body : new TextDecoder().decode(body),
    });
  }
}

/** The origin a log vkey names (in Guarantor, and in Go's sumdb, the key's name is the origin). */
export function originOfVkey(vkey: string): string {
  return parseEd25519VerifierKey(vkey).name;
}
