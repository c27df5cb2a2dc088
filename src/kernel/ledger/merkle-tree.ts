/**
 * An in-memory RFC 9162 tree that keeps the hash of every complete subtree, level by level, in flat
 * byte arrays. Keeping them all makes the root at any past size, and any inclusion or consistency
 * proof, a matter of O(log n) lookups; appending costs one interior hash on average. It serves tests,
 * the CLI (rebuilding a downloaded log) and a server cache; the database-backed store implements the
 * same {@link TreeReader} over tiles.
 */
import {
  consistencyProof,
  HASH_SIZE,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAt,
  type TreeReader,
} from './merkle.ts';

export class MerkleTree implements TreeReader {
  /** levels[l] holds the hashes of complete subtrees of 2^l leaves, 32 bytes each, left to right. */
  private readonly levels: Uint8Array[] = [];
  /** How many hashes each level holds. */
  private readonly counts: number[] = [];

  get size(): number {
    return this.counts[0] ?? 0;
  }

  /** Appends a leaf by its hash (what `ledger_leaves.leaf_hash` stores); returns its index. */
  append(hash: Uint8Array): number {
    if (hash.length !== HASH_SIZE)
      throw new RangeError(`leaf hash is ${hash.length} bytes, not ${HASH_SIZE}`);
    const index = this.size;
    let h = hash;
    // Like incrementing a binary counter: each completed pair is hashed into the level above.
    for (let level = 0; ; level++) {
      const n = this.push(level, h);
      if (n % 2 === 1) break;
      h = nodeHash(this.at(level, n - 2), h);
    }
    return index;
  }

  /** Appends a leaf by its data, hashing it with the RFC 9162 leaf prefix. */
  appendData(data: Uint8Array): number {
    return this.append(leafHash(data));
  }

  nodeHash(level: number, index: number): Uint8Array {
    if (index < 0 || index >= (this.counts[level] ?? 0) || !Number.isInteger(index)) {
      throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
    }
    return this.at(level, index).slice();
  }

  /** The root when the tree had `size` leaves (default: now). */
  root(size = this.size): Uint8Array {
    this.checkSize(size);
    return rootAt(size, this);
  }

  inclusionProof(index: number, size = this.size): Uint8Array[] {
    this.checkSize(size);
    return inclusionProof(index, size, this);
  }

  consistencyProof(size1: number, size2 = this.size): Uint8Array[] {
    this.checkSize(size2);
    return consistencyProof(size1, size2, this);
  }

  private checkSize(size: number): void {
    if (size > this.size) throw new RangeError(`the tree has ${this.size} leaves, not ${size}`);
  }

  private at(level: number, index: number): Uint8Array {
    return this.levels[level]!.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }

  /** Stores `h` at the end of `level`, growing the array geometrically; returns the new count. */
  private push(level: number, h: Uint8Array): number {
    const n = this.counts[level] ?? 0;
    let buf = this.levels[level];
    if (buf === undefined || buf.length < (n + 1) * HASH_SIZE) {
      const grown = new Uint8Array(Math.max(1024, (n + 1) * 2) * HASH_SIZE);
      if (buf !== undefined) grown.set(buf);
      buf = grown;
      this.levels[level] = buf;
    }
    buf.set(h, n * HASH_SIZE);
    this.counts[level] = n + 1;
    return n + 1;
  }
}
