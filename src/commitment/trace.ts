/**
 * Execution-trace commitments (whitepaper §2.2.5–2.2.6, DESIGN.md §1.6–1.7).
 *
 * A trace is an Int32Array of every intermediate element of a run, in topological order (produced by
 * src/engine). Elements are packed 8 per 32-byte leaf as big-endian two's-complement int32 (element i
 * is bytes [4(i mod 8), 4(i mod 8) + 4) of leaf floor(i / 8)); the tail of the last leaf is zero. The
 * leaves form the binary tree of merkle.ts. The dispute game bisects this tree k-ary (bisection.ts)
 * and the one-step proves single elements with `proveElement`.
 *
 * The running partial sums of one reduction's links (sums[i] = c + Σ_{j<i} a_j·b_j for i = 0..F, so
 * sums[0] = c and sums[F] = the element) are committed by `commitPartialSums` with exactly the same
 * scheme, so the same bisection and proof code serves both.
 */
import { InvalidArgumentError } from '../common/errors.ts';
import { fromHex, toHex } from '../common/bytes.ts';
import { CommitmentParameterError, IndexOutOfRangeError, MalformedProofError } from './errors.ts';
import { createPairHasher } from './keccak-pairs.ts';
import {
  assertProofShape,
  depthFor,
  finishTree,
  NODE_BYTES,
  proveLeaf,
  verifyMerkleProof,
  type MerkleProof,
  type MerkleTree,
} from './merkle.ts';

/** int32 elements per 32-byte leaf. */
export const ELEMENTS_PER_LEAF = 8;

export interface TraceCommitOptions {
  /** Bisection fan-out k (children posted per round): a power of two in [2, 65536]. */
  arity?: number;
  /** Worker threads for `commitTraceParallel`; `commitTrace` itself is single-threaded. */
  workers?: number;
}

export const DEFAULTS = {
  /**
   * k = 16: 9 rounds for 10^7 elements with fan-in 4,096 (6 trace + 3 link rounds, goal ≤ 10), and
   * the least total gas of the k that meet the round goal with margin (docs/commitment.md, "Choosing k").
   */
  arity: 16,
  /** 2 worker threads: the machines here have 2 cores (ANCHORS.md, "Measured on this machine"). */
  workers: 2,
  /** Largest k accepted: 2^16 children would be 2 MiB of calldata per move, far past any block limit. */
  maxArity: 65_536,
} as const;

/** A commitment to a trace (or to one reduction's partial sums): the root plus what a prover needs. */
export interface TraceCommitment {
  /** Merkle root, 32 bytes. The element count is not inside it: a game fixes `elements` (and so the depth). */
  root: Uint8Array;
  /** Number of committed int32 elements. */
  elements: number;
  /** Bisection fan-out k the commitment is meant to be played with. */
  arity: number;
  /** Tree depth D = ceil(log2(ceil(elements / 8))), 0 when elements ≤ 8. */
  depth: number;
  /** ceil(elements / 8), at least 1. */
  leafCount: number;
  /** Stored inner levels (for proofs and child roots); leaves are re-packed from the values. */
  tree: MerkleTree;
}

/** An element's value with the Merkle proof of its leaf. */
export interface ElementProof {
  /** Element index in the trace. */
  index: number;
  /** The element, int32. */
  value: number;
  /** Element count of the committed trace (fixes the depth a verifier expects). */
  elements: number;
  /** Proof of leaf floor(index / 8). */
  proof: MerkleProof;
}

const hasher = await createPairHasher();

/** Validates k: a power of two in [2, DEFAULTS.maxArity]. Returns log2(k). */
export function arityBits(arity: number): number {
  if (!Number.isInteger(arity) || arity < 2 || arity > DEFAULTS.maxArity || (arity & (arity - 1)) !== 0) {
    throw new CommitmentParameterError('arity', arity, `must be a power of two in [2, ${DEFAULTS.maxArity}]`);
  }
  return Math.log2(arity);
}

/** Leaf count for `elements` int32 values: ceil(elements / 8), at least 1. */
export function traceLeafCount(elements: number): number {
  return Math.max(1, Math.ceil(elements / ELEMENTS_PER_LEAF));
}

/** Depth of the trace tree for `elements` values. */
export function traceDepth(elements: number): number {
  return depthFor(traceLeafCount(elements));
}

/** Leaf `leafIndex` of a trace: values[8i .. 8i+8) as big-endian int32, zero-padded (32 bytes). */
export function packLeaf(values: Int32Array, leafIndex: number): Uint8Array {
  const leaf = new Uint8Array(NODE_BYTES);
  const view = new DataView(leaf.buffer);
  const start = leafIndex * ELEMENTS_PER_LEAF;
  const end = Math.min(values.length, start + ELEMENTS_PER_LEAF);
  for (let i = start; i < end; i++) view.setInt32((i - start) * 4, values[i]!, false);
  return leaf;
}

/** Element `slot` (0..7) of a 32-byte leaf, as int32. */
export function leafElement(leaf: Uint8Array, slot: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= ELEMENTS_PER_LEAF) throw new IndexOutOfRangeError('leaf slot', slot, ELEMENTS_PER_LEAF);
  if (leaf.length !== NODE_BYTES) throw new MalformedProofError('leaf must be 32 bytes');
  return new DataView(leaf.buffer, leaf.byteOffset, NODE_BYTES).getInt32(slot * 4, false);
}

function assertValues(values: Int32Array): void {
  if (!(values instanceof Int32Array)) throw new InvalidArgumentError('values', 'must be an Int32Array');
}

/** Builds the commitment over a finished tree (shared by the sync and the parallel paths). */
export function traceCommitmentFromTree(tree: MerkleTree, elements: number, arity: number): TraceCommitment {
  return { root: tree.root, elements, arity, depth: tree.depth, leafCount: tree.leafCount, tree };
}

/** Commits a trace on the calling thread. About 0.7 s for 10^7 elements here (bench/trace-commit.ts). */
export function commitTrace(values: Int32Array, options: TraceCommitOptions = {}): TraceCommitment {
  assertValues(values);
  const arity = options.arity ?? DEFAULTS.arity;
  arityBits(arity);
  if (options.workers !== undefined && options.workers !== 1) {
    throw new CommitmentParameterError('workers', options.workers, 'commitTrace is single-threaded; use commitTraceParallel');
  }
  const leafCount = traceLeafCount(values.length);
  const depth = depthFor(leafCount);
  let tree: MerkleTree;
  if (depth === 0) {
    tree = finishTree(leafCount, null, hasher.hashLevel, packLeaf(values, 0));
  } else {
    const level1 = new Int32Array(Math.ceil(leafCount / 2) * 8);
    hasher.hashValuePairs(values, level1);
    tree = finishTree(leafCount, level1, hasher.hashLevel);
  }
  return traceCommitmentFromTree(tree, values.length, arity);
}

/** Commits one reduction's running partial sums (sums[0] = c, sums[F] = the element); same scheme. */
export function commitPartialSums(sums: Int32Array, options: TraceCommitOptions = {}): TraceCommitment {
  return commitTrace(sums, options);
}

/**
 * Running partial sums of a reduction Σ a_j·b_j + c over F links: F + 1 values, sums[i] = c + Σ_{j<i}
 * a_j·b_j. int32 arithmetic; the engine's range analysis guarantees a valid model never overflows, so
 * the wrap-around here never changes a valid trace.
 */
export function runningSums(a: ArrayLike<number>, b: ArrayLike<number>, c: number): Int32Array {
  if (a.length !== b.length) throw new InvalidArgumentError('links', `a has ${a.length} values, b has ${b.length}`);
  const sums = new Int32Array(a.length + 1);
  let acc = c | 0;
  sums[0] = acc;
  for (let j = 0; j < a.length; j++) {
    acc = (acc + Math.imul(a[j]!, b[j]!)) | 0;
    sums[j + 1] = acc;
  }
  return sums;
}

function assertMatches(commitment: TraceCommitment, values: Int32Array): void {
  assertValues(values);
  if (values.length !== commitment.elements) {
    throw new CommitmentParameterError('values', values.length, `commitment has ${commitment.elements} elements`);
  }
}

/** Leaf accessor for the stored tree of `commitment`. */
export function leafReader(commitment: TraceCommitment, values: Int32Array): (i: number) => Uint8Array {
  assertMatches(commitment, values);
  return (i: number) => packLeaf(values, i);
}

/** Value of element `index` with its Merkle proof. */
export function proveElement(commitment: TraceCommitment, values: Int32Array, index: number): ElementProof {
  assertMatches(commitment, values);
  if (!Number.isSafeInteger(index) || index < 0 || index >= commitment.elements) {
    throw new IndexOutOfRangeError('element index', index, commitment.elements);
  }
  const proof = proveLeaf(commitment.tree, Math.floor(index / ELEMENTS_PER_LEAF), (i) => packLeaf(values, i));
  return { index, value: values[index]!, elements: commitment.elements, proof };
}

/**
 * True iff `proof` shows element `proof.index` = `proof.value` under `root`. `elements`, when the caller
 * knows the committed count (a contract always does), fixes the depth; otherwise the proof's own count
 * is used, which only checks self-consistency. Never throws.
 */
export function verifyElementProof(root: Uint8Array, proof: ElementProof, elements?: number): boolean {
  try {
    const count = elements ?? proof.elements;
    if (!Number.isSafeInteger(count) || count < 1 || (elements !== undefined && proof.elements !== elements)) return false;
    if (!Number.isSafeInteger(proof.index) || proof.index < 0 || proof.index >= count) return false;
    if (!Number.isInteger(proof.value) || proof.value < -(2 ** 31) || proof.value >= 2 ** 31) return false;
    assertProofShape(proof.proof);
    if (proof.proof.leafIndex !== Math.floor(proof.index / ELEMENTS_PER_LEAF)) return false;
    if (leafElement(proof.proof.leaf, proof.index % ELEMENTS_PER_LEAF) !== proof.value) return false;
    return verifyMerkleProof(root, proof.proof, traceDepth(count));
  } catch {
    return false;
  }
}

/** JSON shape of an ElementProof (CLI `model prove`, golden vectors): hex strings. */
export interface ElementProofJson {
  index: number;
  value: number;
  elements: number;
  leafIndex: number;
  leaf: string;
  siblings: string[];
}

export function elementProofToJson(p: ElementProof): ElementProofJson {
  return {
    index: p.index,
    value: p.value,
    elements: p.elements,
    leafIndex: p.proof.leafIndex,
    leaf: toHex(p.proof.leaf),
    siblings: p.proof.siblings.map((s) => toHex(s)),
  };
}

/** Parses untrusted JSON into an ElementProof; throws MalformedProofError on any shape problem. */
export function elementProofFromJson(json: unknown): ElementProof {
  if (json === null || typeof json !== 'object') throw new MalformedProofError('not an object');
  const j = json as Record<string, unknown>;
  for (const key of ['index', 'value', 'elements', 'leafIndex'] as const) {
    if (typeof j[key] !== 'number' || !Number.isSafeInteger(j[key])) throw new MalformedProofError(`${key} must be an integer`);
  }
  if (typeof j.leaf !== 'string') throw new MalformedProofError('leaf must be a hex string');
  if (!Array.isArray(j.siblings) || j.siblings.length > 40) throw new MalformedProofError('siblings must be an array of ≤ 40 hex strings');
  try {
    const proof: MerkleProof = {
      leafIndex: j.leafIndex as number,
      leaf: fromHex(j.leaf, NODE_BYTES, 'leaf'),
      siblings: j.siblings.map((s: unknown) => {
        if (typeof s !== 'string') throw new MalformedProofError('sibling must be a hex string');
        return fromHex(s, NODE_BYTES, 'sibling');
      }),
    };
    assertProofShape(proof);
    return { index: j.index as number, value: j.value as number, elements: j.elements as number, proof };
  } catch (error) {
    if (error instanceof MalformedProofError) throw error;
    throw new MalformedProofError(error instanceof Error ? error.message : 'bad hex');
  }
}
