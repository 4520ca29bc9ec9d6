/**
 * The binary keccak256 Merkle tree shared by weight and execution-trace commitments (whitepaper
 * §2.2.5, DESIGN.md §1.6–1.7). docs/commitment.md is the normative description; in short:
 *
 * - Leaves are 32-byte strings and are used as tree nodes AS IS (no leaf hash): the tree has a fixed
 *   depth known to every verifier, leaves are 32 bytes and inner preimages 64 bytes, so a leaf can
 *   never be confused with an inner node (see docs/commitment.md, "Why leaves are not hashed").
 * - inner = keccak256(left ‖ right).
 * - L leaves give depth D = ceil(log2 L) (D = 0 for L ≤ 1, the root is then the single leaf). The tree
 *   is padded on the right to 2^D leaves with zero leaves (32 zero bytes); a padded subtree of height
 *   h has the precomputed root Z_h, Z_0 = 0^32, Z_{h+1} = keccak256(Z_h ‖ Z_h), so padding costs no
 *   hashing.
 * - A proof of leaf i is the leaf and D siblings, bottom-up; bit h of i says whether the running node
 *   is the right child (1) or the left child (0) at height h.
 *
 * Levels are kept as Int32Array of 8 words per node (the node's bytes in memory order), levels[h]
 * for h = 1..D holding ceil(L / 2^h) nodes. Level 0 (the leaves) is not stored: the caller's data is.
 */
import { bytesEqual } from '../common/bytes.ts';
import { keccak256Concat } from '../crypto/keccak.ts';
import { CommitmentParameterError, IndexOutOfRangeError, MalformedProofError } from './errors.ts';

/** Bytes per node and per leaf. */
export const NODE_BYTES = 32;
/** Deepest tree we accept: 2^40 leaves = 32 TiB of data, far beyond any trace or model here. */
export const MAX_DEPTH = 40;

/** A Merkle proof for one 32-byte leaf. */
export interface MerkleProof {
  /** Leaf position, 0-based, < 2^depth. */
  leafIndex: number;
  /** The 32-byte leaf itself. */
  leaf: Uint8Array;
  /** `depth` sibling nodes, 32 bytes each, from the leaf's sibling up to the root's child. */
  siblings: Uint8Array[];
}

/** Depth of a tree over `leafCount` leaves: ceil(log2(leafCount)), 0 for one (or zero) leaf. */
export function depthFor(leafCount: number): number {
  if (!Number.isSafeInteger(leafCount) || leafCount < 0) {
    throw new CommitmentParameterError('leafCount', leafCount, 'must be a non-negative safe integer');
  }
  let depth = 0;
  while (2 ** depth < leafCount) depth++;
  if (depth > MAX_DEPTH) throw new CommitmentParameterError('leafCount', leafCount, `depth above ${MAX_DEPTH}`);
  return depth;
}

/** Number of nodes actually stored (not padding) at `level` of a tree with `leafCount` leaves. */
export function nodesAtLevel(leafCount: number, level: number): number {
  return Math.ceil(Math.max(1, leafCount) / 2 ** level);
}

const zeroCache: Uint8Array[] = [new Uint8Array(NODE_BYTES)];

/** Z_h: the root of an all-zero subtree of height h (Z_0 = 32 zero bytes). */
export function zeroHash(height: number): Uint8Array {
  if (!Number.isInteger(height) || height < 0 || height > MAX_DEPTH) {
    throw new CommitmentParameterError('height', height, `must be an integer in [0, ${MAX_DEPTH}]`);
  }
  while (zeroCache.length <= height) {
    const below = zeroCache[zeroCache.length - 1]!;
    zeroCache.push(keccak256Concat(below, below));
  }
  return zeroCache[height]!;
}

/** The same as `zeroHash`, as 8 words for the level hasher. */
export function zeroWords(height: number): Int32Array {
  const z = zeroHash(height);
  return new Int32Array(z.buffer.slice(z.byteOffset, z.byteOffset + NODE_BYTES));
}

/** keccak256(left ‖ right), the inner-node rule. */
export function hashPair(left: Uint8Array, right: Uint8Array): Uint8Array {
  return keccak256Concat(left, right);
}

/** Root implied by a proof (no checks beyond shape). */
export function rootFromProof(proof: MerkleProof): Uint8Array {
  assertProofShape(proof);
  let node = proof.leaf;
  let index = proof.leafIndex;
  for (const sibling of proof.siblings) {
    node = (index & 1) === 0 ? hashPair(node, sibling) : hashPair(sibling, node);
    index = Math.floor(index / 2);
  }
  return node;
}

/**
 * True iff `proof` proves its leaf at its index under `root`. When `expectedDepth` is given (a
 * verifier that knows the tree size must give it), a proof of any other length is rejected.
 * Never throws on a malformed proof: it is simply not valid.
 */
export function verifyMerkleProof(root: Uint8Array, proof: MerkleProof, expectedDepth?: number): boolean {
  try {
    if (!(root instanceof Uint8Array) || root.length !== NODE_BYTES) return false;
    if (expectedDepth !== undefined && proof.siblings.length !== expectedDepth) return false;
    return bytesEqual(rootFromProof(proof), root);
  } catch {
    return false;
  }
}

/** Throws MalformedProofError unless the proof has the documented shape. */
export function assertProofShape(proof: MerkleProof): void {
  if (proof === null || typeof proof !== 'object') throw new MalformedProofError('not an object');
  if (!(proof.leaf instanceof Uint8Array) || proof.leaf.length !== NODE_BYTES) {
    throw new MalformedProofError('leaf must be 32 bytes');
  }
  if (!Array.isArray(proof.siblings) || proof.siblings.length > MAX_DEPTH) {
    throw new MalformedProofError(`siblings must be an array of at most ${MAX_DEPTH} nodes`);
  }
  for (const s of proof.siblings) {
    if (!(s instanceof Uint8Array) || s.length !== NODE_BYTES) throw new MalformedProofError('sibling must be 32 bytes');
  }
  if (!Number.isSafeInteger(proof.leafIndex) || proof.leafIndex < 0 || proof.leafIndex >= 2 ** proof.siblings.length) {
    throw new MalformedProofError(`leafIndex must be an integer in [0, 2^${proof.siblings.length})`);
  }
}

/** A built tree: its shape and stored levels; leaves come from `leafAt`. */
export interface MerkleTree {
  /** Number of real (unpadded) leaves, ≥ 1. */
  leafCount: number;
  depth: number;
  /** levels[h] for h in 1..depth (levels[0] is an empty placeholder): ceil(leafCount / 2^h) nodes of 8 words. */
  levels: Int32Array[];
  root: Uint8Array;
}

/** Copies node `index` of a stored level out as 32 bytes. */
export function nodeBytes(level: Int32Array, index: number): Uint8Array {
  return new Uint8Array(level.buffer.slice(level.byteOffset + index * NODE_BYTES, level.byteOffset + (index + 1) * NODE_BYTES));
}

/**
 * Node (level, index) of `tree`: level 0 is a leaf (through `leafAt`), padding positions are Z_level.
 * Throws IndexOutOfRangeError outside the padded tree.
 */
export function nodeAt(tree: MerkleTree, level: number, index: number, leafAt: (i: number) => Uint8Array): Uint8Array {
  if (!Number.isInteger(level) || level < 0 || level > tree.depth) {
    throw new IndexOutOfRangeError('tree level', level, tree.depth + 1);
  }
  const width = 2 ** (tree.depth - level);
  if (!Number.isSafeInteger(index) || index < 0 || index >= width) {
    throw new IndexOutOfRangeError(`node index at level ${level}`, index, width);
  }
  if (level === tree.depth) return tree.root.slice();
  if (index >= nodesAtLevel(tree.leafCount, level)) return zeroHash(level).slice();
  if (level === 0) return leafAt(index);
  return nodeBytes(tree.levels[level]!, index);
}

/** Merkle proof of leaf `leafIndex` (must be < leafCount: padding leaves carry no claim). */
export function proveLeaf(tree: MerkleTree, leafIndex: number, leafAt: (i: number) => Uint8Array): MerkleProof {
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= tree.leafCount) {
    throw new IndexOutOfRangeError('leaf index', leafIndex, tree.leafCount);
  }
  const siblings: Uint8Array[] = [];
  let index = leafIndex;
  for (let h = 0; h < tree.depth; h++) {
    siblings.push(nodeAt(tree, h, index ^ 1, leafAt));
    index = Math.floor(index / 2);
  }
  return { leafIndex, leaf: leafAt(leafIndex), siblings };
}

/**
 * Completes a tree whose level 1 is already computed (`level1`, ceil(L/2) nodes), hashing levels 2..D
 * with `hashLevel`. For depth 0 the caller passes the single leaf as `singleLeaf`.
 */
export function finishTree(
  leafCount: number,
  level1: Int32Array | null,
  hashLevel: (src: Int32Array, count: number, dst: Int32Array, zeroRight: Int32Array) => void,
  singleLeaf?: Uint8Array,
): MerkleTree {
  const depth = depthFor(leafCount);
  const L = Math.max(1, leafCount);
  if (depth === 0) {
    if (singleLeaf === undefined || singleLeaf.length !== NODE_BYTES) throw new CommitmentParameterError('singleLeaf', singleLeaf, 'needed for a depth-0 tree');
    return { leafCount: L, depth, levels: [new Int32Array(0)], root: singleLeaf.slice() };
  }
  if (level1 === null || level1.length !== nodesAtLevel(L, 1) * 8) throw new CommitmentParameterError('level1', level1?.length, 'wrong node count');
  const levels: Int32Array[] = [new Int32Array(0), level1];
  for (let h = 1; h < depth; h++) {
    const count = nodesAtLevel(L, h);
    const next = new Int32Array(nodesAtLevel(L, h + 1) * 8);
    hashLevel(levels[h]!, count, next, zeroWords(h));
    levels.push(next);
  }
  const top = levels[depth]!;
  return { leafCount: L, depth, levels, root: new Uint8Array(top.buffer.slice(top.byteOffset, top.byteOffset + NODE_BYTES)) };
}
