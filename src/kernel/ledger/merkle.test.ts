import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toHex, utf8 } from './bytes.ts';
import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  inclusionProofNodes,
  leafHash,
  nodeHash,
  rootAt,
  rootFromInclusionProof,
  rootFromLeafHashes,
  type TreeReader,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
import { MerkleTree } from './merkle-tree.ts';
import { VerificationError } from './verification-error.ts';

function vectors<T>(file: string): T {
  return JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/vectors/${file}`, import.meta.url), 'utf8'),
  ) as T;
}

interface ReferenceTree {
  leafInputs: string[];
  nodeHashesByLevel: string[][];
  rootsBySize: string[];
  hasherVectors: {
    desc: string;
    want: string;
    leafInputHex?: string;
    leafInputAscii?: string;
    leftAscii?: string;
    rightAscii?: string;
  }[];
}
interface InclusionCase {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  wantErr: boolean;
}
interface ConsistencyCase {
  file: string;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  wantErr: boolean;
}

const reference = vectors<ReferenceTree>('merkle/rfc6962-reference-tree.json');
const inclusion = vectors<{ count: number; wantErrCount: number; cases: InclusionCase[] }>(
  'merkle/tdev-inclusion.json',
);
const consistency = vectors<{ count: number; wantErrCount: number; cases: ConsistencyCase[] }>(
  'merkle/tdev-consistency.json',
);

/** Runs `f` and reports whether it threw a VerificationError; any other exception is a bug. */
function fails(f: () => void): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof VerificationError) return true;
    throw e;
  }
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >>> 3]! ^= 1 << (bit & 7);
  return out;
}

describe('RFC 9162 hashing against the reference tree', () => {
  const leaves = reference.leafInputs.map((hex) => leafHash(fromHex(hex)));

  it('gives the published root for every size 0..8', () => {
    for (let size = 0; size <= 8; size++) {
      expect(toHex(rootFromLeafHashes(leaves.slice(0, size))), `size ${size}`).toBe(
        reference.rootsBySize[size],
      );
    }
  });

  it('gives the published hash of every complete subtree', () => {
    const tree = new MerkleTree();
    for (const l of leaves) tree.append(l);
    reference.nodeHashesByLevel.forEach((hashes, level) => {
      hashes.forEach((hash, index) => {
        expect(toHex(tree.nodeHash(level, index))).toBe(hash);
      });
    });
  });

  it('in-memory tree roots match at every past size', () => {
    const tree = new MerkleTree();
    for (const l of leaves) tree.append(l);
    for (let size = 0; size <= 8; size++) expect(toHex(tree.root(size))).toBe(reference.rootsBySize[size]);
  });

  it('matches the hasher vectors, including the empty tree', () => {
    for (const v of reference.hasherVectors) {
      let got: Uint8Array;
      if (v.leftAscii !== undefined && v.rightAscii !== undefined)
        got = nodeHash(utf8(v.leftAscii), utf8(v.rightAscii));
      else if (v.leafInputHex !== undefined) got = leafHash(fromHex(v.leafInputHex));
      else if (v.leafInputAscii !== undefined) got = leafHash(utf8(v.leafInputAscii));
      else got = emptyRoot();
      expect(toHex(got), v.desc).toBe(v.want);
    }
  });
});

describe('verifyInclusion against transparency-dev vectors', () => {
  it('holds every case', () => {
    expect(inclusion.cases).toHaveLength(inclusion.count);
    expect(inclusion.cases.filter((c) => c.wantErr)).toHaveLength(inclusion.wantErrCount);
  });

  for (const c of inclusion.cases) {
    it(`${c.wantErr ? 'rejects' : 'accepts'} ${c.file}`, () => {
      const proof = (c.proof ?? []).map(fromBase64);
      const run = () =>
        verifyInclusion(c.leafIdx, c.treeSize, fromBase64(c.leafHash), proof, fromBase64(c.root));
      expect(fails(run)).toBe(c.wantErr);
    });
  }
});

describe('verifyConsistency against transparency-dev vectors', () => {
  it('holds every case', () => {
    expect(consistency.cases).toHaveLength(consistency.count);
    expect(consistency.cases.filter((c) => c.wantErr)).toHaveLength(consistency.wantErrCount);
  });

  // The one deliberate deviation: transparency-dev accepts equal sizes with equal 12-byte "roots"
  // ("don't care 2"). We hold every root to 32 bytes as the project's strictness rules say (and RFC
  // 9162 2.1.4.2 would reject the empty proof anyway), so this vector must fail here.
  const stricter = 'testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json';

  for (const c of consistency.cases) {
    const wantErr = c.wantErr || c.file === stricter;
    it(`${wantErr ? 'rejects' : 'accepts'} ${c.file}`, () => {
      const proof = (c.proof ?? []).map(fromBase64);
      const run = () => verifyConsistency(c.size1, c.size2, fromBase64(c.root1), fromBase64(c.root2), proof);
      expect(fails(run)).toBe(wantErr);
    });
  }

  it('accepts equal sizes with equal 32-byte roots and no proof', () => {
    const stricterCase = consistency.cases.find((c) => c.file === stricter)!;
    expect(fromBase64(stricterCase.root1)).toHaveLength(12);
    const root = leafHash(utf8('x'));
    verifyConsistency(1, 1, root, root, []);
    expect(() =>
      verifyConsistency(1, 1, fromBase64(stricterCase.root1), fromBase64(stricterCase.root2), []),
    ).toThrow(/12 bytes/);
  });

  it('refuses a proof from the empty tree even to the empty tree', () => {
    const e = emptyRoot();
    expect(() => verifyConsistency(0, 0, e, e, [])).toThrow(/empty tree/);
  });
});

describe('reasons', () => {
  const h = new Uint8Array(32);
  it('says when a hash has the wrong length before checking anything else', () => {
    expect(() => verifyInclusion(0, 1, new Uint8Array(31), [], h)).toThrow(
      expect.objectContaining({ code: 'bad_input' }),
    );
  });
  it('says when the proof leads elsewhere', () => {
    expect(() => verifyInclusion(0, 1, h, [], leafHash(h))).toThrow(
      expect.objectContaining({ code: 'proof_mismatch' }),
    );
  });
});

/** Random trees: leaf hashes are derived from a seed so shrinking stays cheap. */
const treeAndSizes = fc.integer({ min: 1, max: 300 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    size1: fc.integer({ min: 1, max: n }),
    size2: fc.integer({ min: 1, max: n }),
    index: fc.integer({ min: 0, max: n - 1 }),
    bit: fc.nat(255),
    which: fc.nat(),
  }),
);

function build(n: number, seed: number): { tree: MerkleTree; leaves: Uint8Array[] } {
  const tree = new MerkleTree();
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const l = leafHash(utf8(`${seed}:${i}`));
    leaves.push(l);
    tree.append(l);
  }
  return { tree, leaves };
}

describe('MerkleTree proofs (property)', () => {
  it('every inclusion proof verifies and any flipped bit breaks it', () => {
    fc.assert(
      fc.property(treeAndSizes, ({ n, seed, size2, index, bit, which }) => {
        const size = Math.max(size2, index + 1);
        const { tree, leaves } = build(n, seed);
        const root = tree.root(size);
        expect(toHex(root)).toBe(toHex(rootFromLeafHashes(leaves.slice(0, size))));
        const proof = tree.inclusionProof(index, size);
        const leaf = leaves[index]!;
        verifyInclusion(index, size, leaf, proof, root);
        expect(fails(() => verifyInclusion(index, size, flipBit(leaf, bit), proof, root))).toBe(true);
        expect(fails(() => verifyInclusion(index, size, leaf, proof, flipBit(root, bit)))).toBe(true);
        if (proof.length > 0) {
          const k = which % proof.length;
          const bad = proof.map((p, i) => (i === k ? flipBit(p, bit) : p));
          expect(fails(() => verifyInclusion(index, size, leaf, bad, root))).toBe(true);
        }
        // A proof for one index does not prove another leaf at that index.
        if (size > 1)
          expect(fails(() => verifyInclusion((index + 1) % size, size, leaf, proof, root))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('every consistency proof verifies and any flipped bit breaks it', () => {
    fc.assert(
      fc.property(treeAndSizes, ({ n, seed, size1, size2, bit, which }) => {
        const [m, k] = size1 <= size2 ? [size1, size2] : [size2, size1];
        const { tree } = build(n, seed);
        const root1 = tree.root(m);
        const root2 = tree.root(k);
        const proof = tree.consistencyProof(m, k);
        verifyConsistency(m, k, root1, root2, proof);
        expect(fails(() => verifyConsistency(m, k, flipBit(root1, bit), root2, proof))).toBe(true);
        expect(fails(() => verifyConsistency(m, k, root1, flipBit(root2, bit), proof))).toBe(true);
        if (proof.length > 0) {
          const j = which % proof.length;
          const bad = proof.map((p, i) => (i === j ? flipBit(p, bit) : p));
          expect(fails(() => verifyConsistency(m, k, root1, root2, bad))).toBe(true);
          expect(fails(() => verifyConsistency(m, k, root1, root2, proof.slice(1)))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('proofs at a past size are the same as those of a tree that stopped there', () => {
    fc.assert(
      fc.property(treeAndSizes, ({ n, seed, size1, index }) => {
        const { tree, leaves } = build(n, seed);
        const small = new MerkleTree();
        for (const l of leaves.slice(0, size1)) small.append(l);
        const i = index % size1;
        expect(tree.inclusionProof(i, size1).map(toHex)).toEqual(small.inclusionProof(i).map(toHex));
      }),
      { numRuns: 50 },
    );
  });
});

describe('proof generation through a TreeReader', () => {
  it('reads only the nodes it announced, so a database can fetch them in one query', () => {
    const { tree } = build(1000, 7);
    const asked: string[] = [];
    const reader: TreeReader = {
      nodeHash(level, index) {
        asked.push(`${level}/${index}`);
        return tree.nodeHash(level, index);
      },
    };
    const proof = inclusionProof(613, 999, reader);
    expect(asked.sort()).toEqual(
      inclusionProofNodes(613, 999)
        .map((n) => `${n.level}/${n.index}`)
        .sort(),
    );
    verifyInclusion(613, 999, tree.nodeHash(0, 613), proof, rootAt(999, reader));
    const c = consistencyProof(100, 999, reader);
    verifyConsistency(100, 999, tree.root(100), tree.root(999), c);
  });

  it('recomputes the root from a proof when the root is not yet known', () => {
    const { tree } = build(37, 1);
    expect(toHex(rootFromInclusionProof(20, 37, tree.nodeHash(0, 20), tree.inclusionProof(20)))).toBe(
      toHex(tree.root()),
    );
  });

  it('refuses proofs that make no sense', () => {
    const { tree } = build(8, 1);
    expect(() => tree.inclusionProof(8)).toThrow(RangeError);
    expect(() => tree.consistencyProof(0, 8)).toThrow(RangeError);
    expect(() => tree.consistencyProof(3, 9)).toThrow(RangeError);
    expect(() => tree.append(new Uint8Array(31))).toThrow(RangeError);
  });
});
