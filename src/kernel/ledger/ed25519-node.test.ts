import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from './bytes.ts';
import { nodeEd25519 } from './ed25519-node.ts';

function vectors<T>(file: string): T {
  return JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/vectors/${file}`, import.meta.url), 'utf8'),
  ) as T;
}

interface CctvVector {
  number: number;
  key: string;
  sig: string;
  msg: string;
  flags: string[] | null;
}
interface Results {
  total: number;
  summary: { node: { accept: number; reject: number } };
  perVector: { number: number; nodeOpenSSL: boolean }[];
}

const cctv = vectors<CctvVector[]>('ed25519/cctv-ed25519vectors.json');
const results = vectors<Results>('ed25519/cctv-results-node20-noble.json');

describe('node:crypto Ed25519', () => {
  it('accepts exactly the CCTV edge-case signatures recorded for node:crypto (the acceptance rule)', () => {
    expect(cctv).toHaveLength(results.total);
    const recorded = new Map(results.perVector.map((r) => [r.number, r.nodeOpenSSL]));
    const disagreements: number[] = [];
    let accepted = 0;
    for (const v of cctv) {
      const ok = nodeEd25519.verify(fromHex(v.key), utf8(v.msg), fromHex(v.sig));
      if (ok) accepted++;
      if (ok !== recorded.get(v.number)) disagreements.push(v.number);
    }
    expect(disagreements).toEqual([]);
    expect(accepted).toBe(results.summary.node.accept);
  });

  it('signs deterministically per RFC 8032 (test 1) and derives the public key from the seed', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const pub = nodeEd25519.publicKey(seed);
    expect(toHex(pub)).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = nodeEd25519.sign(seed, new Uint8Array());
    expect(toHex(sig)).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(nodeEd25519.verify(pub, new Uint8Array(), sig)).toBe(true);
    expect(nodeEd25519.verify(pub, new Uint8Array([0]), sig)).toBe(false);
  });

  it('says no, without throwing, to keys and signatures of the wrong length', () => {
    expect(nodeEd25519.verify(new Uint8Array(31), new Uint8Array(), new Uint8Array(64))).toBe(false);
    expect(nodeEd25519.verify(new Uint8Array(32), new Uint8Array(), new Uint8Array(63))).toBe(false);
  });
});
