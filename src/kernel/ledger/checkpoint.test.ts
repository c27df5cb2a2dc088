import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, toHex, utf8 } from './bytes.ts';
import {
  type Checkpoint,
  cosignatureMessage,
  cosignatureSigner,
  cosignatureTimestamp,
  cosignatureVerifier,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
} from './checkpoint.ts';
import { nodeEd25519 } from './ed25519-node.ts';
import { leafHash } from './merkle.ts';
import { MerkleTree } from './merkle-tree.ts';
import {
  ed25519Signer,
  ed25519Verifier,
  formatNote,
  formatSignerKey,
  formatVerifierKey,
  hasControlCharacter,
  openNote,
  parseNote,
  SIGNATURE_TYPE,
  signNote,
} from './note.ts';

function vectors<T>(file: string): T {
  return JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/vectors/${file}`, import.meta.url), 'utf8'),
  ) as T;
}

interface CheckpointVectors {
  external: {
    c2spCheckpointExample: { note: string };
    c2spCosignedExample: { extraLine: string; cosignedMessageExample: string };
    cosigTimestamp: { sigBase64: string; wantUnixTime: number; notCosig: string };
    formatsUnmarshal: { valid: [string, string, number][]; invalid: string[] };
    goSumdbTree: { text: string };
  };
}

const x = vectors<CheckpointVectors>('note/checkpoints.json').external;

describe('checkpoint vectors', () => {
  it('parses the C2SP example and formats it back byte for byte', () => {
    const note = parseNote(x.c2spCheckpointExample.note);
    const c = parseCheckpoint(note.text);
    expect(c.origin).toBe('example.com/behind-the-sofa');
    expect(c.size).toBe(20852163);
    expect(toBase64(c.rootHash)).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(c.extensions).toEqual([]);
    expect(formatCheckpoint(c)).toBe(note.text);
    // Its public key is not published: without a trusted key the note must not open.
    expect(() => openNote(x.c2spCheckpointExample.note, [])).toThrow('note has no verifiable signatures');
  });

  it('reads the timestamp of the C2SP cosigned example and rebuilds its signed message', () => {
    const cosigned = `${x.c2spCheckpointExample.note}${x.c2spCosignedExample.extraLine}\n`;
    const note = parseNote(cosigned);
    const witness = note.signatures[1]!;
    expect(witness.name).toBe('witness.example.com/w1');
    const t = cosignatureTimestamp(witness.signature);
    expect(t).toBe(1679315147);
    expect(new TextDecoder().decode(cosignatureMessage(note.text, t))).toBe(
      x.c2spCosignedExample.cosignedMessageExample,
    );
  });

  it('decodes the timestamp of a transparency-dev cosignature and refuses a plain signature', () => {
    const raw = fromBase64(x.cosigTimestamp.sigBase64);
    expect(cosignatureTimestamp(raw.subarray(4))).toBe(x.cosigTimestamp.wantUnixTime);
    expect(() => cosignatureTimestamp(fromBase64(x.cosigTimestamp.notCosig).subarray(4))).toThrow(/72 bytes/);
  });

  it('parses the Go sum database tree note, whose root is the leaf hash of "hello world"', () => {
    const c = parseCheckpoint(x.goSumdbTree.text);
    expect(c.origin).toBe('go.sum database tree');
    expect(c.size).toBe(123456789012);
    expect(toHex(c.rootHash)).toBe(toHex(leafHash(utf8('hello world'))));
  });

  it('refuses the transparency-dev "valid" checkpoints for their non-32-byte roots only', () => {
    for (const [text, origin, size] of x.formatsUnmarshal.valid) {
      expect(() => parseCheckpoint(text)).toThrow(/root hash is \d+ bytes, not 32/);
      const [o, s] = text.split('\n');
      expect([o, Number(s)]).toEqual([origin, size]);
    }
  });

  it('refuses every transparency-dev invalid checkpoint', () => {
    for (const text of x.formatsUnmarshal.invalid) {
      expect(() => parseCheckpoint(text), JSON.stringify(text)).toThrow(
        expect.objectContaining({ code: 'malformed_checkpoint' }),
      );
    }
  });
});

describe('checkpoint strictness', () => {
  const root = toBase64(leafHash(utf8('r')));
  it.each([
    ['leading zero', `log\n007\n${root}\n`],
    ['negative size', `log\n-1\n${root}\n`],
    ['size with plus', `log\n+1\n${root}\n`],
    ['empty extension line', `log\n1\n${root}\n\next\n`],
    ['empty origin', `\n1\n${root}\n`],
    ['no final newline', `log\n1\n${root}`],
    ['size beyond 2^53', `log\n9007199254740993\n${root}\n`],
  ])('refuses %s', (_, text) => {
    expect(() => parseCheckpoint(text)).toThrow('malformed checkpoint');
  });

  it('round-trips any well-formed checkpoint', () => {
    const line = fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((s) => !hasControlCharacter(s) && !s.includes('\n'));
    fc.assert(
      fc.property(
        line,
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(line, { maxLength: 3 }),
        (origin, size, rootHash, extensions) => {
          const c: Checkpoint = { origin, size, rootHash, extensions };
          const back = parseCheckpoint(formatCheckpoint(c));
          expect({ ...back, rootHash: toHex(back.rootHash) }).toEqual({ ...c, rootHash: toHex(rootHash) });
        },
      ),
    );
  });
});

describe('signing and opening a cosigned checkpoint', () => {
  const seed = (n: number) => new Uint8Array(32).fill(n);
  const origin = 'guarantor.example/ledger';
  const logSkey = formatSignerKey(origin, seed(1), nodeEd25519);
  const logVkey = formatVerifierKey(origin, SIGNATURE_TYPE.ed25519, nodeEd25519.publicKey(seed(1)));
  const witnessSkey = formatSignerKey(
    'witness.example/w1',
    seed(2),
    nodeEd25519,
    SIGNATURE_TYPE.cosignatureV1,
  );
  const witnessVkey = formatVerifierKey(
    'witness.example/w1',
    SIGNATURE_TYPE.cosignatureV1,
    nodeEd25519.publicKey(seed(2)),
  );
  const tree = new MerkleTree();
  for (let i = 0; i < 10; i++) tree.appendData(utf8(`leaf ${i}`));
  const text = formatCheckpoint({ origin, size: tree.size, rootHash: tree.root(), extensions: [] });
  const logSigned = signNote(text, [ed25519Signer(logSkey, nodeEd25519)]);
  const cosigned = signNote(
    text,
    [cosignatureSigner(witnessSkey, nodeEd25519, () => 1_750_000_000)],
    parseNote(logSigned).signatures,
  );
  const trust = {
    origin,
    log: ed25519Verifier(logVkey, nodeEd25519),
    witnesses: [cosignatureVerifier(witnessVkey, nodeEd25519)],
  };

  it('opens with the log signature and reports each witness and its time', () => {
    const opened = openCheckpoint(cosigned, trust);
    expect(opened.checkpoint.size).toBe(10);
    expect(toHex(opened.checkpoint.rootHash)).toBe(toHex(tree.root()));
    expect(opened.cosignatures).toEqual([
      { name: 'witness.example/w1', keyId: trust.witnesses[0]!.keyId, timestamp: 1_750_000_000 },
    ]);
  });

  it('refuses a checkpoint only a witness signed', () => {
    const sigs = parseNote(cosigned).signatures.slice(1);
    expect(() => openCheckpoint(formatNote({ text, signatures: sigs }), trust)).toThrow(
      /not signed by the log/,
    );
  });

  it('refuses a cosignature whose timestamp was changed (the time is signed)', () => {
    const note = parseNote(cosigned);
    const w = note.signatures[1]!;
    const moved = w.signature.slice();
    moved[7]! ^= 1;
    const forged = formatNote({ text, signatures: [note.signatures[0]!, { ...w, signature: moved }] });
    expect(() => openCheckpoint(forged, trust)).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
  });

  it('refuses a checkpoint of another origin even when the key is trusted', () => {
    expect(() => openCheckpoint(cosigned, { ...trust, origin: 'other.example/log' })).toThrow(/origin/);
  });

  it('keeps cosignature keys apart from plain note keys (type 0x04 is not 0x01)', () => {
    expect(() => ed25519Verifier(witnessVkey, nodeEd25519)).toThrow(/signature type/);
    expect(() => cosignatureVerifier(logVkey, nodeEd25519)).toThrow(/signature type/);
  });
});
