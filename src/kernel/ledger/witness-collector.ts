/**
 * The log's side of C2SP tlog-witness: after each checkpoint, Guarantor submits it with a consistency
 * proof to every configured member witness, keeps the cosignatures they return, and counts the
 * checkpoint as witnessed once a quorum of them has cosigned it.
 *
 * Member witnesses are configured in `<data dir>/witnesses.json` (one file, so the list a deployment
 * trusts is reviewable and versionable, and no secret is in it):
 *
 * ```json
 * { "quorum": 2,
 *   "witnesses": [
 *     { "vkey": "witness.fra.example+1a2b3c4d+BB...", "url": "https://witness.fra.example" },
 *     { "name": "witness.pol.example", "vkey": "witness.pol.example+...", "url": "http://10.0.0.7:7380" } ] }
 * ```
 *
 * `vkey` is the witness's cosignature verifier key (type 0x04), `url` its submission prefix (the
 * request goes to `<url>/add-checkpoint`), `name` optional and, when given, must be the key's name.
 * A witness that is down or refuses only delays the quorum: it is asked again on the next round.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Store } from '../store/store.ts';
import { cosignatureTimestamp, cosignatureVerifier } from './checkpoint.ts';
import { nodeEd25519 } from './ed25519-node.ts';
import type { LedgerService, SignedCheckpoint } from './ledger-service.ts';
import {
  formatSignatureLine,
  type NoteVerifier,
  openNote,
  parseEd25519VerifierKey,
  SIGNATURE_TYPE,
} from './note.ts';
import { formatAddCheckpoint, SIZE_CONTENT_TYPE } from './witness.ts';

export const WITNESS_CONFIG_FILE = 'witnesses.json';

export interface MemberWitness {
  name: string;
  vkey: string;
  /** The submission prefix, without a trailing slash. */
  url: string;
}

export interface WitnessPolicy {
  quorum: number;
  witnesses: MemberWitness[];
}

export class WitnessConfigError extends Error {
  override name = 'WitnessConfigError';
}

const configSchema = z
  .object({
    quorum: z.number().int().min(1),
    witnesses: z
      .array(
        z
          .object({
            name: z.string().min(1).optional(),
            vkey: z.string().min(1),
            url: z.url({ protocol: /^https?$/ }),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** Checks a witness configuration (the JSON above); throws {@link WitnessConfigError} naming the problem. */
export function parseWitnessPolicy(json: unknown): WitnessPolicy {
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new WitnessConfigError(`witness configuration: ${i.path.join('.') || 'root'}: ${i.message}`);
  }
  const witnesses = parsed.data.witnesses.map((w, n) => {
    let name: string;
    try {
      name = parseEd25519VerifierKey(w.vkey, SIGNATURE_TYPE.cosignatureV1).name;
    } catch (e) {
      throw new WitnessConfigError(
        `witness configuration: witnesses.${n}.vkey is not a cosignature key: ${(e as Error).message}`,
      );
    }
    if (w.name !== undefined && w.name !== name) {
      throw new WitnessConfigError(
        `witness configuration: witnesses.${n}: the key is named ${name}, not ${w.name}`,
      );
    }
    return { name, vkey: w.vkey, url: w.url.replace(/\/+$/, '') };
  });
  const names = new Set(witnesses.map((w) => w.name));
  if (names.size !== witnesses.length)
    throw new WitnessConfigError('witness configuration: a witness is listed twice');
  if (parsed.data.quorum > witnesses.length) {
    throw new WitnessConfigError(
      `witness configuration: a quorum of ${parsed.data.quorum} needs at least that many witnesses, not ${witnesses.length}`,
    );
  }
  return { quorum: parsed.data.quorum, witnesses };
}

/** The policy from `<dataDir>/witnesses.json`, or undefined when the deployment has no witnesses yet. */
export function loadWitnessPolicy(dataDir: string): WitnessPolicy | undefined {
  const file = join(dataDir, WITNESS_CONFIG_FILE);
  if (!existsSync(file)) return undefined;
  return readWitnessPolicy(file);
}

/** The witness policy in a JSON file; `WitnessConfigError` names the file and what is wrong with it. */
export function readWitnessPolicy(file: string): WitnessPolicy {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ? 'cannot be read' : 'is not JSON';
    throw new WitnessConfigError(`${file} ${why}: ${(e as Error).message}`);
  }
  try {
    return parseWitnessPolicy(json);
  } catch (e) {
    if (!(e instanceof WitnessConfigError)) throw e;
    throw new WitnessConfigError(`${file}: ${e.message}`);
  }
}

export interface CollectOutcome {
  size: number;
  /** Configured witnesses that have cosigned this checkpoint (now or earlier). */
  cosigners: string[];
  witnessed: boolean;
  /** Why the others have not, by witness name. */
  failures: { witness: string; reason: string }[];
}

/** A checkpoint with a quorum of cosignatures: `note` carries their lines after the log's signature. */
export interface WitnessedCheckpoint extends SignedCheckpoint {
  cosigners: string[];
  witnessedAt: string;
}

export interface WitnessCollectorOptions {
  fetch?: typeof fetch;
  /** Per request; a witness slower than this counts as down for this round. */
  timeoutMs?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

type Member = MemberWitness & {
  verifier: NoteVerifier;
  /** `<name>+<key ID>`, as its vkey starts: what `ledger_cosignatures.witness` holds. */
  id: string;
};

export class WitnessCollector {
  private readonly members: Member[];
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  /** The size each witness last cosigned, as far as we know: where its next proof starts. */
  private readonly known = new Map<string, number>();
  private running: Promise<CollectOutcome | undefined> | undefined;

  constructor(
    private readonly store: Store,
    private readonly ledger: LedgerService,
    readonly policy: WitnessPolicy,
    private readonly options: WitnessCollectorOptions = {},
  ) {
    this.members = policy.witnesses.map((w) => ({
      ...w,
      verifier: cosignatureVerifier(w.vkey, nodeEd25519),
      id: w.vkey.split('+', 2).join('+'),
    }));
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Asks every witness that has not cosigned `checkpoint` (default: the latest) to cosign it. */
  async collect(checkpoint?: SignedCheckpoint): Promise<CollectOutcome | undefined> {
    const cp = checkpoint ?? (await this.ledger.latestCheckpoint());
    if (cp === undefined) return undefined;
    const have = new Set(await this.cosignerNames(cp.size));
    // Key IDs keep a rotated key's old cosignatures from counting for the new one.
    const failures: CollectOutcome['failures'] = [];
    await Promise.all(
      this.members
        .filter((m) => !have.has(m.name))
        .map(async (m) => {
          try {
            await this.submit(m, cp);
          } catch (e) {
            failures.push({ witness: m.name, reason: (e as Error).message });
          }
        }),
    );
    const cosigners = await this.cosignerNames(cp.size);
    const witnessed = cosigners.length >= this.policy.quorum;
    if (witnessed) await this.markWitnessed(cp, cosigners);
    failures.sort((a, b) => a.witness.localeCompare(b.witness));
    return { size: cp.size, cosigners, witnessed, failures };
  }

  /** Submits to one witness, following a 409 to the witness's size once; throws with the reason on failure. */
  private async submit(m: Member, cp: SignedCheckpoint): Promise<void> {
    let old = this.known.get(m.id) ?? (await this.lastCosignedSize(m.id));
    for (let attempt = 0; ; attempt++) {
      if (old > cp.size) {
        throw new Error(`the witness is at size ${old}, beyond this checkpoint's ${cp.size}`);
      }
      const proof = old > 0 && old < cp.size ? await this.ledger.consistencyProof(old, cp.size) : [];
      const res = await this.fetch(`${m.url}/add-checkpoint`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: formatAddCheckpoint(old, proof, cp.note),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body = await res.text();
      if (res.status === 200) {
        await this.keepCosignature(m, cp, body);
        this.known.set(m.id, cp.size);
        return;
      }
      const isSize = (res.headers.get('content-type') ?? '').startsWith(SIZE_CONTENT_TYPE);
      const theirs = /^(0|[1-9][0-9]*)\n$/.exec(body);
      if (res.status === 409 && isSize && theirs && attempt === 0 && Number(theirs[1]) !== old) {
        old = Number(theirs[1]);
        this.known.set(m.id, old);
        continue;
      }
      if (res.status === 409 && theirs && Number(theirs[1]) === old) {
        throw new Error(`refused: the witness holds a different checkpoint of size ${old} (409)`);
      }
      throw new Error(`refused with ${res.status}: ${body.trim().slice(0, 200)}`);
    }
  }

  /** Checks the witness's answer and keeps the line that verifies with its key. */
  private async keepCosignature(m: Member, cp: SignedCheckpoint, body: string): Promise<void> {
    let opened: ReturnType<typeof openNote>;
    try {
      // The answer is signature lines; appended to the note they make one note with more signatures.
      opened = openNote(`${cp.note}${body}`, [m.verifier]);
    } catch (e) {
      throw new Error(`its cosignature does not verify: ${(e as Error).message}`);
    }
    const sig = opened.verified[0]!;
    const timestamp = cosignatureTimestamp(sig.signature);
    await this.store.db
      .insertInto('ledger_cosignatures')
      .values({
        size: cp.size,
        witness: m.id,
        line: formatSignatureLine(sig),
        cosigned_at: new Date(timestamp * 1000).toISOString(),
      })
      .onConflict((oc) => oc.columns(['size', 'witness']).doNothing())
      .execute();
  }

  private async lastCosignedSize(witness: string): Promise<number> {
    const row = await this.store.db
      .selectFrom('ledger_cosignatures')
      .select('size')
      .where('witness', '=', witness)
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.size) : 0;
  }

  /** Configured witnesses with a stored cosignature on `size`, in configuration order. */
  private async cosignerNames(size: number): Promise<string[]> {
    return (await this.lines(size)).map((l) => l.witness);
  }

  private async lines(size: number): Promise<{ witness: string; line: string }[]> {
    const rows = await this.store.db
      .selectFrom('ledger_cosignatures')
      .select(['witness', 'line'])
      .where('size', '=', size)
      .execute();
    const byId = new Map(rows.map((r) => [r.witness, r.line]));
    return this.members
      .filter((m) => byId.has(m.id))
      .map((m) => ({ witness: m.name, line: byId.get(m.id)! }));
  }

  private async markWitnessed(cp: SignedCheckpoint, cosigners: string[]): Promise<void> {
    const note = (await this.cosigned(cp)).note;
    await this.store.db
      .insertInto('ledger_witnessed')
      .values({ size: cp.size, note, cosigners: cosigners.length, witnessed_at: this.now().toISOString() })
      .onConflict((oc) =>
        oc
          .column('size')
          .doUpdateSet((eb) => ({ note: eb.ref('excluded.note'), cosigners: eb.ref('excluded.cosigners') })),
      )
      .execute();
  }

  /** The checkpoint with every cosignature collected for it so far appended to its note. */
  async cosigned(cp: SignedCheckpoint): Promise<SignedCheckpoint> {
    const lines = await this.lines(cp.size);
    return lines.length === 0 ? cp : { ...cp, note: `${cp.note}${lines.map((l) => l.line).join('')}` };
  }

  /** The latest checkpoint a quorum cosigned, with their cosignatures. */
  async latestWitnessed(): Promise<WitnessedCheckpoint | undefined> {
    const row = await this.store.db
      .selectFrom('ledger_witnessed')
      .selectAll()
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const cp = await this.ledger.checkpointAt(Number(row.size));
    if (cp === undefined) return undefined;
    return {
      ...cp,
      note: row.note,
      cosigners: await this.cosignerNames(cp.size),
      witnessedAt: row.witnessed_at,
    };
  }

  /**
   * Collects for the latest checkpoint now and every `intervalMs`, skipping a round while one is in
   * flight. Returns a stop function that waits for the round in progress.
   */
  start(intervalMs: number): () => Promise<void> {
    let stopped = false;
    const tick = () => {
      if (this.running !== undefined || stopped) return;
      this.running = this.collect()
        .catch((e: unknown) => {
          this.options.onError?.(e);
          return undefined;
        })
        .finally(() => {
          this.running = undefined;
        });
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return async () => {
      stopped = true;
      clearInterval(timer);
      await this.running;
    };
  }
}
