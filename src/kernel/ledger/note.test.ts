import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toHex, utf8 } from './bytes.ts';
import { nodeEd25519 } from './ed25519-node.ts';
import {
  ed25519Signer,
  ed25519Verifier,
  formatNote,
  formatSignerKey,
  formatVerifierKey,
  hasControlCharacter,
  keyId,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  SIGNATURE_TYPE,
  signNote,
} from './note.ts';

function vectors<T>(file: string): T {
  return JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/vectors/${file}`, import.meta.url), 'utf8'),
  ) as T;
}

interface SignedNoteVectors {
  keyPairs: {
    name: string;
    vkey: string;
    skey: string;
    publicKeyHex: string;
    seedHex: string;
    keyIdHex: string;
  }[];
  positive: {
    desc?: string;
    vkeys: string[];
    skey?: string;
    text?: string;
    note: string;
    noteBase64: string;
    wantVerified: string[];
    wantUnverified: number;
  }[];
  negative: { desc: string; vkeys: string[]; noteBase64: string; wantError: string }[];
  badVkeys: { vkey: string; why: string }[];
}

const v = vectors<SignedNoteVectors>('note/signed-note.json');
const verifiersOf = (vkeys: string[]) => vkeys.map((k) => ed25519Verifier(k, nodeEd25519));

describe('signed-note keys', () => {
  for (const kp of v.keyPairs) {
    it(`parses ${kp.name}'s verifier and signer keys and formats them back`, () => {
      const vk = parseVerifierKey(kp.vkey);
      expect(vk.name).toBe(kp.name);
      expect(vk.keyId.toString(16).padStart(8, '0')).toBe(kp.keyIdHex);
      expect(toHex(vk.publicKey)).toBe(kp.publicKeyHex);
      const sk = parseSignerKey(kp.skey, nodeEd25519);
      expect(toHex(sk.seed)).toBe(kp.seedHex);
      expect(toHex(sk.publicKey)).toBe(kp.publicKeyHex);
      expect(formatVerifierKey(kp.name, SIGNATURE_TYPE.ed25519, vk.publicKey)).toBe(kp.vkey);
      expect(formatSignerKey(kp.name, sk.seed, nodeEd25519)).toBe(kp.skey);
    });
  }

  for (const bad of v.badVkeys) {
    it(`refuses a bad vkey: ${bad.why}`, () => {
      expect(() => ed25519Verifier(bad.vkey, nodeEd25519)).toThrow(
        expect.objectContaining({ code: 'malformed_key' }),
      );
    });
  }

  it('refuses every truncation and every one-character change of a vkey', () => {
    const vkey = v.keyPairs[0]!.vkey;
    for (let i = 0; i < vkey.length; i++)
      expect(() => ed25519Verifier(vkey.slice(0, i), nodeEd25519)).toThrow();
    fc.assert(
      fc.property(fc.nat(vkey.length - 1), fc.constantFrom(...'abAB09+/=x '), (i, c) => {
        fc.pre(vkey[i] !== c);
        const mangled = vkey.slice(0, i) + c + vkey.slice(i + 1);
        expect(() => ed25519Verifier(mangled, nodeEd25519)).toThrow();
      }),
    );
  });

  it('refuses a signer key whose key ID belongs to another name', () => {
    const skey = v.keyPairs[0]!.skey.replace('PeterNeumann', 'PeterNeuman');
    expect(() => parseSignerKey(skey, nodeEd25519)).toThrow(/key ID does not match/);
  });
});

describe('signed-note positive vectors', () => {
  for (const p of v.positive) {
    it(`opens: ${p.desc ?? 'the C2SP example'}`, () => {
      const opened = openNote(fromBase64(p.noteBase64), verifiersOf(p.vkeys));
      expect(opened.verified.map((s) => s.name)).toEqual(p.wantVerified);
      expect(opened.unverified).toHaveLength(p.wantUnverified);
      expect(new TextDecoder().decode(fromBase64(p.noteBase64))).toBe(p.note);
      // Parsing and formatting round-trips the exact bytes.
      expect(formatNote(parseNote(p.note))).toBe(p.note);
    });
  }

  it('signs byte-for-byte like Go (deterministic Ed25519)', () => {
    const p = v.positive.find((x) => x.skey !== undefined)!;
    expect(signNote(p.text!, [ed25519Signer(p.skey!, nodeEd25519)])).toBe(p.note);
  });
});

describe('signed-note negative vectors', () => {
  for (const n of v.negative) {
    it(`refuses: ${n.desc}`, () => {
      expect(() => openNote(fromBase64(n.noteBase64), verifiersOf(n.vkeys))).toThrow(n.wantError);
    });
  }
});

describe('signed-note rules', () => {
  const kp = v.keyPairs[0]!;
  const signer = ed25519Signer(kp.skey, nodeEd25519);
  const verifier = ed25519Verifier(kp.vkey, nodeEd25519);
  const other = v.keyPairs[1]!;

  it('ignores a signature from a key sharing only the name or only the key ID with a trusted key', () => {
    const text = 'hello\n';
    const good = signNote(text, [signer]);
    const sig = parseNote(good).signatures[0]!;
    const sameName = { ...sig, keyId: (sig.keyId + 1) >>> 0, signature: new Uint8Array(64) };
    const sameId = { ...sig, name: 'SomeoneElse', signature: new Uint8Array(64) };
    const opened = openNote(formatNote({ text, signatures: [sameName, sameId, sig] }), [verifier]);
    expect(opened.verified).toHaveLength(1);
    expect(opened.unverified).toHaveLength(2);
  });

  it('accepts at least 16 signatures and counts each trusted key once', () => {
    const signers = v.keyPairs.map((k) => ed25519Signer(k.skey, nodeEd25519));
    const text = 'sixteen\n';
    const once = parseNote(signNote(text, signers)).signatures;
    const many = [...once, ...once, ...once].slice(0, 16);
    const opened = openNote(
      formatNote({ text, signatures: many }),
      verifiersOf(v.keyPairs.map((k) => k.vkey)),
    );
    expect(opened.verified.map((s) => s.name)).toEqual(v.keyPairs.map((k) => k.name));
  });

  it('keeps blank lines inside the text: the last blank line separates the signatures', () => {
    const text = 'para one\n\npara two\n';
    const opened = openNote(signNote(text, [signer]), [verifier]);
    expect(opened.text).toBe(text);
  });

  it('rejects a note whose text was changed after signing, for any change', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        (a, b) => {
          fc.pre(a !== b && !hasControlCharacter(a + b) && !(a + b).includes('\n'));
          const signed = signNote(`${a}\n`, [signer]);
          const sigs = parseNote(signed).signatures;
          const forged = formatNote({ text: `${b}\n`, signatures: sigs });
          expect(() => openNote(forged, [verifier])).toThrow(
            expect.objectContaining({ code: 'invalid_signature' }),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses carriage returns and other control characters, and text without a final newline', () => {
    expect(() => openNote(`a\r\n\n— x AAAAAAA=\n`, [verifier])).toThrow('malformed note');
    expect(() => signNote('no newline', [signer])).toThrow('malformed note');
    expect(() => signNote('tab\there\n', [signer])).toThrow('malformed note');
  });

  it('computes key IDs as SHA-256(name || 0x0A || type || key)[:4]', () => {
    const pub = fromHex(other.publicKeyHex);
    expect(keyId(other.name, SIGNATURE_TYPE.ed25519, pub).toString(16).padStart(8, '0')).toBe(other.keyIdHex);
    expect(utf8(other.name).length).toBeGreaterThan(0);
  });
});
