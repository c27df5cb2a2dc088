import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from './bytes.ts';
import { cosignatureVerifier, formatCheckpoint, openCheckpoint } from './checkpoint.ts';
import { nodeEd25519 } from './ed25519-node.ts';
import { generateLogKey, type LogKey } from './log-key.ts';
import { MerkleTree } from './merkle-tree.ts';
import { ed25519Verifier, signNote } from './note.ts';
import {
  formatAddCheckpoint,
  MemoryWitnessState,
  parseAddCheckpoint,
  SIZE_CONTENT_TYPE,
  Witness,
} from './witness.ts';
import { generateWitnessKey } from './witness-key.ts';

const ORIGIN = 'witness-test.invalid/ledger';

/** A log we control: its tree, its key, and checkpoints of any size. */
class TestLog {
  readonly tree = new MerkleTree();
  constructor(
    readonly key: LogKey = generateLogKey(ORIGIN),
    private readonly salt = 'a',
  ) {}
  grow(n: number): this {
    for (let i = 0; i < n; i++) this.tree.appendData(utf8(`${this.salt}-${this.tree.size}`));
    return this;
  }
  note(size = this.tree.size): string {
    const text = formatCheckpoint({
      origin: this.key.origin,
      size,
      rootHash: this.tree.root(size),
      extensions: [],
    });
    return signNote(text, [this.key.signer]);
  }
  /** The add-checkpoint body from `old` to the current size. */
  body(old: number, size = this.tree.size): string {
    const proof = old > 0 && old < size ? this.tree.consistencyProof(old, size) : [];
    return formatAddCheckpoint(old, proof, this.note(size));
  }
}

function aWitness(log: TestLog, state = new MemoryWitnessState(), name = 'witness.fra.invalid') {
  const key = generateWitnessKey(name);
  const witness = new Witness({
    skey: key.skey,
    logs: [{ origin: ORIGIN, vkeys: [log.key.vkey] }],
    ed25519: nodeEd25519,
    state,
    now: () => 1_790_000_000,
  });
  return { witness, key, state };
}

describe('tlog-witness add-checkpoint', () => {
  it('cosigns a growing log, each step proved consistent with the last, with a timestamped cosignature', async () => {
    const log = new TestLog().grow(5);
    const { witness, key, state } = aWitness(log);
    let old = 0;
    for (const step of [0, 3, 1, 250, 7]) {
      log.grow(step);
      const res = await witness.addCheckpoint(log.body(old));
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/^\u2014 witness\.fra\.invalid \S+\n$/);
      const opened = openCheckpoint(`${log.note()}${res.body}`, {
        origin: ORIGIN,
        log: ed25519Verifier(log.key.vkey, nodeEd25519),
        witnesses: [cosignatureVerifier(key.vkey, nodeEd25519)],
      });
      expect(opened.cosignatures).toEqual([
        expect.objectContaining({ name: key.name, timestamp: 1_790_000_000 }),
      ]);
      old = log.tree.size;
      expect((await state.get(ORIGIN))?.size).toBe(old);
    }
  });

  it('answers 409 with its size when the old size is not the one it last cosigned', async () => {
    const log = new TestLog().grow(10);
    const { witness } = aWitness(log);
    expect((await witness.addCheckpoint(log.body(0))).status).toBe(200);
    log.grow(5);
    const res = await witness.addCheckpoint(log.body(3));
    expect(res).toEqual({ status: 409, contentType: SIZE_CONTENT_TYPE, body: '10\n' });
    expect((await witness.addCheckpoint(log.body(10))).status).toBe(200);
  });

  it('refuses a fork: another root at the size it cosigned (409), or an extension of another history (422)', async () => {
    const honest = new TestLog().grow(20);
    const forked = new TestLog(honest.key, 'b').grow(20);
    const { witness, state } = aWitness(honest);
    expect((await witness.addCheckpoint(honest.body(0))).status).toBe(200);

    const sameSize = await witness.addCheckpoint(forked.body(20));
    expect(sameSize.status).toBe(409);
    expect(sameSize.body).toBe('20\n');

    forked.grow(4);
    const extension = await witness.addCheckpoint(forked.body(20));
    expect(extension.status).toBe(422);
    // The log's signed word for each conflicting checkpoint is kept as evidence.
    expect(state.evidence.map((e) => e.status)).toEqual([409, 422]);
    expect((await state.get(ORIGIN))?.size).toBe(20);
    expect((await witness.addCheckpoint(honest.grow(4).body(20))).status).toBe(200);
  });

  it('refuses a smaller tree than it cosigned, unknown logs and unknown keys with the spec codes', async () => {
    const log = new TestLog().grow(8);
    const { witness } = aWitness(log);
    expect((await witness.addCheckpoint(log.body(0))).status).toBe(200);
    expect((await witness.addCheckpoint(log.body(8, 6))).status).toBe(400);

    const stranger = new TestLog(generateLogKey('other.invalid/ledger')).grow(3);
    expect((await witness.addCheckpoint(stranger.body(0))).status).toBe(404);
    const impostor = new TestLog(generateLogKey(ORIGIN)).grow(3);
    expect((await witness.addCheckpoint(impostor.body(8, 3))).status).toBe(403);

    expect((await witness.addCheckpoint('nonsense')).status).toBe(400);
    expect((await witness.addCheckpoint(`old 08\n\n${log.note()}`)).status).toBe(400);
  });

  it('takes concurrent submissions one at a time, so a smaller size never overwrites a larger', async () => {
    const log = new TestLog().grow(4);
    const { witness, state } = aWitness(log);
    await witness.addCheckpoint(log.body(0));
    const a = log.body(4, 4);
    log.grow(6);
    const b = log.body(4);
    const [ra, rb] = await Promise.all([witness.addCheckpoint(b), witness.addCheckpoint(a)]);
    expect(ra.status).toBe(200);
    expect(rb.status).toBe(409);
    expect((await state.get(ORIGIN))?.size).toBe(10);
  });

  it('never cosigns a checkpoint whose proof was altered in any byte', async () => {
    const log = new TestLog().grow(37);
    const { witness } = aWitness(log);
    await witness.addCheckpoint(log.body(0, 13));
    const proof = log.tree.consistencyProof(13, 37);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(proof.length - 1),
        fc.nat(31),
        fc.integer({ min: 1, max: 255 }),
        async (which, byte, flip) => {
          const bad = proof.map((h) => h.slice());
          bad[which]![byte]! ^= flip;
          const res = await witness.addCheckpoint(formatAddCheckpoint(13, bad, log.note(37)));
          expect(res.status).toBe(422);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('add-checkpoint bodies', () => {
  it('round-trip through format and parse', () => {
    const log = new TestLog().grow(9);
    const proof = log.tree.consistencyProof(3, 9);
    const parsed = parseAddCheckpoint(formatAddCheckpoint(3, proof, log.note()));
    expect(parsed).toEqual({ oldSize: 3, proof, note: log.note() });
  });
});
