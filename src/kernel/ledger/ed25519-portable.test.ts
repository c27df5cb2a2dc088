import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from './bytes.ts';
import { nodeEd25519 } from './ed25519-node.ts';
import { portableEd25519 } from './ed25519-portable.ts';

interface CctvVector {
  number: number;
  key: string;
  sig: string;
  msg: string;
  flags: string[] | null;
}

const cctv = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/vectors/ed25519/cctv-ed25519vectors.json', import.meta.url),
    'utf8',
  ),
) as CctvVector[];

describe('portable Ed25519 (noble plus OpenSSL acceptance checks)', () => {
  it('gives node:crypto’s answer on every one of the 914 CCTV edge-case vectors', () => {
    expect(cctv).toHaveLength(914);
    const disagreements: { number: number; node: boolean; portable: boolean; flags: string[] | null }[] = [];
    let accepted = 0;
    for (const v of cctv) {
      const key = fromHex(v.key);
      const msg = utf8(v.msg);
      const sig = fromHex(v.sig);
      const node = nodeEd25519.verify(key, msg, sig);
      const portable = portableEd25519.verify(key, msg, sig);
      if (portable) accepted++;
      if (node !== portable) disagreements.push({ number: v.number, node, portable, flags: v.flags });
    }
    expect(disagreements).toEqual([]);
    // The count recorded for node:crypto in cctv-results-node20-noble.json.
    expect(accepted).toBe(208);
  });

  it('signs like RFC 8032 test 1 and derives the same public key as node:crypto', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    expect(toHex(portableEd25519.publicKey(seed))).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
    expect(toHex(portableEd25519.sign(seed, new Uint8Array()))).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('rejects a malleated S + L, as OpenSSL does (no CCTV vector has a non-canonical S)', () => {
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    const seed = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
    const message = new Uint8Array([0x72]);
    const pub = nodeEd25519.publicKey(seed);
    const sig = nodeEd25519.sign(seed, message);
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
    const malleated = sig.slice();
    let t = s + L;
    for (let i = 32; i < 64; i++) {
      malleated[i] = Number(t & 0xffn);
      t >>= 8n;
    }
    // The same point equation holds for S + L, so only the range check stands in the way.
    expect(nodeEd25519.verify(pub, message, malleated)).toBe(false);
    expect(portableEd25519.verify(pub, message, malleated)).toBe(false);
    expect(portableEd25519.verify(pub, message, sig)).toBe(true);
  });

  it('says no, without throwing, to keys and signatures of the wrong length', () => {
    expect(portableEd25519.verify(new Uint8Array(31), new Uint8Array(), new Uint8Array(64))).toBe(false);
    expect(portableEd25519.verify(new Uint8Array(32), new Uint8Array(), new Uint8Array(63))).toBe(false);
    expect(portableEd25519.verify(new Uint8Array(33), new Uint8Array(), new Uint8Array(64))).toBe(false);
  });

  it('agrees with node:crypto on random signatures, and both reject any single flipped bit', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        fc.constantFrom('key', 'message', 'signature'),
        (seed, message, bit, where) => {
          const pub = nodeEd25519.publicKey(seed);
          expect(portableEd25519.publicKey(seed)).toEqual(pub);
          const sig = nodeEd25519.sign(seed, message);
          expect(portableEd25519.sign(seed, message)).toEqual(sig);
          expect(nodeEd25519.verify(pub, message, sig)).toBe(true);
          expect(portableEd25519.verify(pub, message, sig)).toBe(true);

          // An empty message has no bit to flip: flip the signature instead.
          const target = where === 'message' && message.length === 0 ? 'signature' : where;
          const key = pub.slice();
          const msg = message.slice();
          const bad = sig.slice();
          const bytes = target === 'key' ? key : target === 'message' ? msg : bad;
          const i = bit % (bytes.length * 8);
          bytes[i >> 3]! ^= 1 << (i & 7);
          expect(nodeEd25519.verify(key, msg, bad)).toBe(false);
          expect(portableEd25519.verify(key, msg, bad)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});
