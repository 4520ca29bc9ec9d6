/**
 * Weight commitments (whitepaper §2.2.5: the model hash commits to the weights so the one-step
 * verifier can check the single weight of a multiply-add with a short proof).
 *
 * The weight bytes (whatever layout the model file gives them; int8 weights are one byte each) are
 * cut into 32-byte leaves in order, the last one zero-padded, and form the binary tree of merkle.ts:
 * leaves used as nodes as is, inner = keccak256(left ‖ right), zero-padded to a power of two with
 * precomputed zero subtrees. Weight byte i is byte (i mod 32) of leaf floor(i / 32). An empty weight
 * section is one zero leaf: root = 32 zero bytes.
 */
import { InvalidArgumentError } from '../common/errors.ts';
import { IndexOutOfRangeError } from './errors.ts';
import { createPairHasher } from './keccak-pairs.ts';
import { depthFor, finishTree, NODE_BYTES, proveLeaf, verifyMerkleProof, type MerkleProof, type MerkleTree } from './merkle.ts';

export interface WeightsCommitment {
  root: Uint8Array;
  /** Committed byte count (fixes the depth a verifier expects). */
  byteLength: number;
  leafCount: number;
  depth: number;
  tree: MerkleTree;
}

const hasher = await createPairHasher();

function assertBytes(bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes', 'must be a Uint8Array');
}

/** Leaf count for `byteLength` weight bytes: ceil(byteLength / 32), at least 1. */
export function weightsLeafCount(byteLength: number): number {
  return Math.max(1, Math.ceil(byteLength / NODE_BYTES));
}

/** Depth of the weights tree for `byteLength` bytes. */
export function weightsDepth(byteLength: number): number {
  return depthFor(weightsLeafCount(byteLength));
}

/** Leaf `leafIndex`: bytes [32i, 32i + 32), zero-padded. */
export function weightLeaf(bytes: Uint8Array, leafIndex: number): Uint8Array {
  const leaf = new Uint8Array(NODE_BYTES);
  leaf.set(bytes.subarray(leafIndex * NODE_BYTES, Math.min(bytes.length, (leafIndex + 1) * NODE_BYTES)));
  return leaf;
}

/** Builds the whole tree (keep it to prove many leaves: `proveWeightLeafIn`). */
export function commitWeights(bytes: Uint8Array): WeightsCommitment {
  assertBytes(bytes);
  const leafCount = weightsLeafCount(bytes.length);
  const depth = depthFor(leafCount);
  let tree: MerkleTree;
  if (depth === 0) {
    tree = finishTree(leafCount, null, hasher.hashLevel, weightLeaf(bytes, 0));
  } else {
    // Copy into word-aligned, zero-padded memory (an even number of leaves), then hash pairs.
    const padded = new Int32Array(Math.ceil(leafCount / 2) * 16);
    new Uint8Array(padded.buffer).set(bytes);
    const level1 = new Int32Array(Math.ceil(leafCount / 2) * 8);
    hasher.hashLevel(padded, leafCount, level1, new Int32Array(8));
    tree = finishTree(leafCount, level1, hasher.hashLevel);
  }
  return { root: tree.root, byteLength: bytes.length, leafCount, depth, tree };
}

/** Merkle root over the weight bytes (32-byte leaves, zero-padded tail), 32 bytes. */
export function weightsRoot(bytes: Uint8Array): Uint8Array {
  return commitWeights(bytes).root;
}

/** Proof of leaf `leafIndex` (rebuilds the tree: use `proveWeightLeafIn` for many proofs). */
export function proveWeightLeaf(bytes: Uint8Array, leafIndex: number): MerkleProof {
  return proveWeightLeafIn(commitWeights(bytes), bytes, leafIndex);
}

/** Proof of leaf `leafIndex` from a kept commitment over the same `bytes`. */
export function proveWeightLeafIn(commitment: WeightsCommitment, bytes: Uint8Array, leafIndex: number): MerkleProof {
  assertBytes(bytes);
  if (bytes.length !== commitment.byteLength) {
    throw new InvalidArgumentError('bytes', `commitment has ${commitment.byteLength} bytes, got ${bytes.length}`);
  }
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= commitment.leafCount) {
    throw new IndexOutOfRangeError('weight leaf index', leafIndex, commitment.leafCount);
  }
  return proveLeaf(commitment.tree, leafIndex, (i) => weightLeaf(bytes, i));
}

/** Proof of the leaf holding weight byte `byteIndex` (byte byteIndex mod 32 of the leaf). */
export function proveWeightByte(commitment: WeightsCommitment, bytes: Uint8Array, byteIndex: number): MerkleProof {
  if (!Number.isSafeInteger(byteIndex) || byteIndex < 0 || byteIndex >= commitment.byteLength) {
    throw new IndexOutOfRangeError('weight byte index', byteIndex, commitment.byteLength);
  }
  return proveWeightLeafIn(commitment, bytes, Math.floor(byteIndex / NODE_BYTES));
}

/** True iff `proof` proves its leaf under `root` for a weight section of `byteLength` bytes. Never throws. */
export function verifyWeightProof(root: Uint8Array, proof: MerkleProof, byteLength: number): boolean {
  try {
    if (!Number.isSafeInteger(byteLength) || byteLength < 0) return false;
    if (proof.leafIndex >= weightsLeafCount(byteLength)) return false;
    return verifyMerkleProof(root, proof, weightsDepth(byteLength));
  } catch {
    return false;
  }
}
