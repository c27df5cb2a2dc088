/**
 * RFC 9162 (Certificate Transparency v2) Merkle tree hashing, proofs and their verification.
 *
 * This is the arithmetic every member state runs to convince itself that the ledger it was shown is
 * the one everybody else was shown: an inclusion proof ties one leaf to a signed root, a consistency
 * proof ties an older root to a newer one. It is pure and synchronous so the browser portal, the CLI
 * verifier and the server share one implementation.
 *
 * Verifiers follow RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step, plus the strictness the
 * transparency-dev test suite expects where the RFC is silent: every hash is exactly 32 bytes, and a
 * consistency proof from size 0 is refused even for 0 -> 0 (it proves nothing, so a caller asking for
 * one has a bug). They return normally or throw {@link VerificationError}.
 *
 * Proof generation reads hashes through {@link TreeReader}, one complete subtree at a time, so the
 * server can keep those hashes wherever it likes (tiles in the database, memory) and can learn in
 * advance which ones a proof needs ({@link inclusionProofNodes}) to fetch them in one query.
 */
import { bytesEqual } from './bytes.ts';
import { sha256 } from './sha256.ts';
import { VerificationError } from './verification-error.ts';

export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** The prefix byte keeps a leaf from ever hashing like an interior node (second-preimage defence). */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, data);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** MTH({}): the root of the empty tree is the hash of nothing, with no prefix. */
export function emptyRoot(): Uint8Array {
  return sha256();
}

/** MTH(D[n]) straight from the leaf hashes; O(n), for small trees, tiles and tests. */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return emptyRoot();
  // A stack of complete subtrees of strictly decreasing size, like a binary counter.
  const stack: { size: number; hash: Uint8Array }[] = [];
  for (const h of hashes) {
    let top = { size: 1, hash: h };
    while (stack.length > 0 && stack[stack.length - 1]!.size === top.size) {
      const left = stack.pop()!;
      top = { size: left.size * 2, hash: nodeHash(left.hash, top.hash) };
    }
    stack.push(top);
  }
  let root = stack.pop()!.hash;
  while (stack.length > 0) root = nodeHash(stack.pop()!.hash, root);
  return root;
}

// ---------------------------------------------------------------------------------------------
// Verification

function checkSize(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new VerificationError('bad_input', `${what} is not a tree size`);
}

function checkHash(what: string, h: Uint8Array): void {
  if (h.length !== HASH_SIZE) {
    throw new VerificationError('bad_input', `${what} is ${h.length} bytes, not ${HASH_SIZE}`);
  }
}

function checkProof(proof: readonly Uint8Array[]): void {
  for (let i = 0; i < proof.length; i++) checkHash(`proof[${i}]`, proof[i]!);
}

/** Sizes reach 2^53, past where `>>` works, so halving is done in floating point (exact for integers). */
function half(n: number): number {
  return Math.floor(n / 2);
}

/**
 * The root an inclusion proof leads to (RFC 9162 2.1.3.2 steps 1-4). Useful on its own when the
 * root to compare with is not known yet, for instance to look a checkpoint up by root.
 */
export function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  checkSize('leaf index', leafIndex);
  checkSize('tree size', treeSize);
  checkHash('leaf hash', leaf);
  checkProof(proof);
  if (leafIndex >= treeSize) {
    throw new VerificationError('bad_input', `leaf index ${leafIndex} is not below tree size ${treeSize}`);
  }
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0)
      throw new VerificationError('proof_mismatch', 'inclusion proof is longer than the tree is deep');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0)
    throw new VerificationError('proof_mismatch', 'inclusion proof is shorter than the tree is deep');
  return r;
}

/** Throws unless `proof` shows the leaf with hash `leaf` at `leafIndex` in the tree of `treeSize` with `root`. */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkHash('root', root);
  const computed = rootFromInclusionProof(leafIndex, treeSize, leaf, proof);
  if (!bytesEqual(computed, root)) {
    throw new VerificationError('proof_mismatch', 'inclusion proof does not lead to the root');
  }
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/**
 * Throws unless `proof` shows that the tree of `size2` with `root2` extends the tree of `size1` with
 * `root1` (RFC 9162 2.1.4.2), which is what lets a member state trust that no entry was rewritten.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): void {
  checkSize('size1', size1);
  checkSize('size2', size2);
  checkHash('root1', root1);
  checkHash('root2', root2);
  checkProof(proof);
  if (size1 === 0)
    throw new VerificationError('bad_input', 'a consistency proof from the empty tree proves nothing');
  if (size1 > size2) throw new VerificationError('bad_input', `size1 ${size1} is larger than size2 ${size2}`);
  if (size1 === size2) {
    if (proof.length > 0)
      throw new VerificationError('proof_mismatch', 'proof between equal sizes must be empty');
    if (!bytesEqual(root1, root2))
      throw new VerificationError('proof_mismatch', 'equal sizes with different roots');
    return;
  }
  if (proof.length === 0) throw new VerificationError('proof_mismatch', 'consistency proof is empty');
  // Step 2: when size1 is a power of two its root is a node of the new tree, left out of the proof.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) throw new VerificationError('proof_mismatch', 'consistency proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new VerificationError('proof_mismatch', 'consistency proof is too short');
  if (!bytesEqual(fr, root1))
    throw new VerificationError('proof_mismatch', 'consistency proof does not lead to root1');
  if (!bytesEqual(sr, root2))
    throw new VerificationError('proof_mismatch', 'consistency proof does not lead to root2');
}

// ---------------------------------------------------------------------------------------------
// Generation

/** A complete subtree: the 2^level leaves starting at leaf `index * 2^level`. Level 0 is a leaf. */
export interface NodeId {
  level: number;
  index: number;
}

/**
 * Where proof generation reads stored hashes. It is only asked for complete subtrees that lie inside
 * the tree size being proven, so a store that keeps every complete subtree (or tiles, computing the
 * levels inside a tile from its leaf hashes) can answer every request.
 */
export interface TreeReader {
  nodeHash(level: number, index: number): Uint8Array;
}

type Range = readonly [start: number, end: number];

/** Largest power of two strictly below n (n >= 2): RFC 9162's split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The complete subtrees, left to right, whose hashes fold (from the right) into MTH(D[start:end]).
 * Every range an RFC 9162 proof uses starts at a multiple of its largest piece, so the pieces are
 * aligned and therefore stored.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let pos = start;
  let remaining = end - start;
  let size = 1;
  let level = 0;
  while (size * 2 <= remaining) {
    size *= 2;
    level++;
  }
  for (; remaining > 0; size /= 2, level--) {
    if (size > remaining) continue;
    if (pos % size !== 0) throw new RangeError(`range [${start}, ${end}) is not aligned`);
    nodes.push({ level, index: pos / size });
    pos += size;
    remaining -= size;
  }
  return nodes;
}

function rangeHash(range: Range, reader: TreeReader): Uint8Array {
  const nodes = rangeNodes(range[0], range[1]);
  let last = nodes[nodes.length - 1]!;
  let h = reader.nodeHash(last.level, last.index);
  for (let i = nodes.length - 2; i >= 0; i--) {
    last = nodes[i]!;
    h = nodeHash(reader.nodeHash(last.level, last.index), h);
  }
  return h;
}

function checkGenerationSize(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} is not a tree size`);
}

/** The subtrees whose hashes make up PATH(index, D[size]), leaf end first (RFC 9162 2.1.3.1). */
function inclusionRanges(index: number, size: number): Range[] {
  checkGenerationSize('index', index);
  checkGenerationSize('size', size);
  if (index >= size) throw new RangeError(`index ${index} is not below size ${size}`);
  const out: Range[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start += k;
    }
  }
  return out.reverse();
}

/** The subtrees whose hashes make up PROOF(size1, D[size2]) (RFC 9162 2.1.4.1). */
function consistencyRanges(size1: number, size2: number): Range[] {
  checkGenerationSize('size1', size1);
  checkGenerationSize('size2', size2);
  if (size1 === 0 || size1 > size2) throw new RangeError(`no consistency proof from ${size1} to ${size2}`);
  const out: Range[] = [];
  let start = 0;
  let end = size2;
  let whole = true; // SUBPROOF's flag b: are we still on the left edge, where D[0:size1] is known?
  while (size1 !== end) {
    const k = splitPoint(end - start);
    if (size1 - start <= k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start += k;
      whole = false;
    }
  }
  if (!whole) out.push([start, end]);
  return out.reverse();
}

function nodesOf(ranges: Range[]): NodeId[] {
  return ranges.flatMap((r) => rangeNodes(r[0], r[1]));
}

/** Every stored hash {@link inclusionProof} will read, so a database can fetch them in one query. */
export function inclusionProofNodes(index: number, size: number): NodeId[] {
  return nodesOf(inclusionRanges(index, size));
}

/** Every stored hash {@link consistencyProof} will read. */
export function consistencyProofNodes(size1: number, size2: number): NodeId[] {
  return nodesOf(consistencyRanges(size1, size2));
}

/** Every stored hash {@link rootAt} will read. */
export function rootNodes(size: number): NodeId[] {
  checkGenerationSize('size', size);
  return rangeNodes(0, size);
}

export function rootAt(size: number, reader: TreeReader): Uint8Array {
  checkGenerationSize('size', size);
  return size === 0 ? emptyRoot() : rangeHash([0, size], reader);
}

export function inclusionProof(index: number, size: number, reader: TreeReader): Uint8Array[] {
  return inclusionRanges(index, size).map((r) => rangeHash(r, reader));
}

export function consistencyProof(size1: number, size2: number, reader: TreeReader): Uint8Array[] {
  return consistencyRanges(size1, size2).map((r) => rangeHash(r, reader));
}
