/**
 * k-ary bisection over the binary trace tree (whitepaper §2.2.5: "each round a party posts k child
 * roots"; DESIGN.md §1.6). docs/commitment.md, "Bisection", is the normative description.
 *
 * With k = 2^b, the "children" of node (level h, index i) are the 2^s nodes s = min(b, h) levels
 * below it: (h − s, i·2^s + c) for c in [0, 2^s). A contract recombines them to the parent with 2^s − 1
 * pair hashes. Rounds go down b levels at a time from the root, the last round possibly fewer, so a
 * depth-D tree takes ceil(D / b) rounds and ends at a pair of differing leaves; the first differing
 * int32 of those two leaves is the disputed element (no further round: leaves are 32 raw bytes).
 *
 * Besides posting all k children, a mover can show the first differing child with a "difference
 * proof" of O(b) nodes instead of re-sending the other side's k children (see
 * `proveFirstDifference`). Both styles are here; the contract picks one.
 */
import { bytesEqual } from '../common/bytes.ts';
import { CommitmentParameterError, IndexOutOfRangeError, MalformedProofError } from './errors.ts';
import { hashPair, nodeAt, NODE_BYTES } from './merkle.ts';
import { arityBits, ELEMENTS_PER_LEAF, leafReader, type TraceCommitment } from './trace.ts';

/** A node of the padded binary tree: level 0 = leaves, level depth = root. */
export interface NodeId {
  level: number;
  index: number;
}

/** Levels visited by a game on a depth-`depth` tree with fan-out `arity`: [D, D − b, …, 0]. */
export function bisectionLevels(depth: number, arity: number): number[] {
  const b = arityBits(arity);
  if (!Number.isInteger(depth) || depth < 0) throw new CommitmentParameterError('depth', depth, 'must be a non-negative integer');
  const levels = [depth];
  for (let h = depth; h > 0; ) {
    h = Math.max(0, h - b);
    levels.push(h);
  }
  return levels;
}

/** Rounds of k-ary bisection on a depth-`depth` tree: ceil(depth / log2 k). */
export function bisectionRounds(depth: number, arity: number): number {
  return bisectionLevels(depth, arity).length - 1;
}

/** Level of the children of a node at `level`: max(0, level − log2 k). */
export function childLevel(level: number, arity: number): number {
  return Math.max(0, level - arityBits(arity));
}

/** Node id of child `childIndex` of `node`. */
export function childNodeId(node: NodeId, arity: number, childIndex: number): NodeId {
  const level = childLevel(node.level, arity);
  const count = 2 ** (node.level - level);
  if (!Number.isInteger(childIndex) || childIndex < 0 || childIndex >= count) throw new IndexOutOfRangeError('child index', childIndex, count);
  return { level, index: node.index * count + childIndex };
}

/**
 * The child roots a party posts for `node`: the 2^s nodes s = min(log2 k, level) levels below it,
 * left to right (32 bytes each; at level 0 these are raw leaves).
 */
export function childRoots(commitment: TraceCommitment, values: Int32Array, node: NodeId, arity = commitment.arity): Uint8Array[] {
  const leafAt = leafReader(commitment, values);
  const tree = commitment.tree;
  if (!Number.isInteger(node.level) || node.level < 1 || node.level > tree.depth) {
    throw new IndexOutOfRangeError('node level (a leaf has no children)', node.level, tree.depth + 1);
  }
  const width = 2 ** (tree.depth - node.level);
  if (!Number.isSafeInteger(node.index) || node.index < 0 || node.index >= width) {
    throw new IndexOutOfRangeError(`node index at level ${node.level}`, node.index, width);
  }
  const level = childLevel(node.level, arity);
  const count = 2 ** (node.level - level);
  const out: Uint8Array[] = [];
  for (let c = 0; c < count; c++) out.push(nodeAt(tree, level, node.index * count + c, leafAt));
  return out;
}

/** The node at `node` of a commitment (the root for {level: depth, index: 0}). */
export function nodeOf(commitment: TraceCommitment, values: Int32Array, node: NodeId): Uint8Array {
  return nodeAt(commitment.tree, node.level, node.index, leafReader(commitment, values));
}

function assertNodes(nodes: Uint8Array[], what: string): void {
  if (!Array.isArray(nodes) || nodes.length < 1 || (nodes.length & (nodes.length - 1)) !== 0 || nodes.length > 65_536) {
    throw new MalformedProofError(`${what}: count must be a power of two in [1, 65536]`);
  }
  for (const n of nodes) if (!(n instanceof Uint8Array) || n.length !== NODE_BYTES) throw new MalformedProofError(`${what}: nodes must be 32 bytes`);
}

/** What a contract does with posted children: hash them pairwise up to their parent (k − 1 hashes). */
export function combineChildRoots(children: Uint8Array[]): Uint8Array {
  assertNodes(children, 'children');
  let level = children;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashPair(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!.slice();
}

/** Index of the first child where the two lists differ, or −1 if they are equal. */
export function firstDifferingChild(a: Uint8Array[], b: Uint8Array[]): number {
  if (a.length !== b.length) throw new MalformedProofError(`child lists differ in length (${a.length} vs ${b.length})`);
  for (let i = 0; i < a.length; i++) if (!bytesEqual(a[i]!, b[i]!)) return i;
  return -1;
}

/** Slot (0..7) of the first int32 where two 32-byte leaves differ, or −1 if equal. */
export function firstDifferingElement(leafA: Uint8Array, leafB: Uint8Array): number {
  if (leafA.length !== NODE_BYTES || leafB.length !== NODE_BYTES) throw new MalformedProofError('leaves must be 32 bytes');
  for (let i = 0; i < NODE_BYTES; i++) if (leafA[i] !== leafB[i]) return Math.floor(i / 4);
  return -1;
}

/** Trace element index of slot `slot` of leaf `leafIndex`. */
export function elementIndexOf(leafIndex: number, slot: number): number {
  return leafIndex * ELEMENTS_PER_LEAF + slot;
}

/**
 * Difference proof: shows that child `childIndex` is the FIRST child where A's and B's subtrees
 * differ, given only their parents, in O(s) nodes instead of 2·2^s.
 *
 * Walking the s-level mini-tree from the child up: where the path node is a right child, its left
 * sibling is one node shared by both sides (equal left siblings ⇒ every earlier child is equal);
 * where it is a left child, each side has its own right sibling. `siblings[l]` is the shared left
 * sibling, or `[rightA, rightB]`.
 */
export interface DifferenceProof {
  childIndex: number;
  /** Mini-tree height s (children are s levels below the parents). */
  height: number;
  childA: Uint8Array;
  childB: Uint8Array;
  /** Bottom-up, one entry per level: shared left sibling (childIndex bit = 1) or [A's, B's] right siblings (bit = 0). */
  siblings: (Uint8Array | [Uint8Array, Uint8Array])[];
}

/** Builds the difference proof from both sides' full child lists (they must differ). */
export function proveFirstDifference(childrenA: Uint8Array[], childrenB: Uint8Array[]): DifferenceProof {
  assertNodes(childrenA, 'childrenA');
  assertNodes(childrenB, 'childrenB');
  const first = firstDifferingChild(childrenA, childrenB);
  if (first < 0) throw new MalformedProofError('the child lists are equal: nothing to prove');
  const height = Math.log2(childrenA.length);
  const siblings: DifferenceProof['siblings'] = [];
  let levelA = childrenA;
  let levelB = childrenB;
  let index = first;
  for (let l = 0; l < height; l++) {
    if ((index & 1) === 1) siblings.push(levelA[index - 1]!.slice()); // equal on both sides (left of the first difference)
    else siblings.push([levelA[index + 1]!.slice(), levelB[index + 1]!.slice()]);
    const up = (level: Uint8Array[]): Uint8Array[] => {
      const next: Uint8Array[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(hashPair(level[i]!, level[i + 1]!));
      return next;
    };
    levelA = up(levelA);
    levelB = up(levelB);
    index >>= 1;
  }
  return { childIndex: first, height, childA: childrenA[first]!.slice(), childB: childrenB[first]!.slice(), siblings };
}

/**
 * What a contract checks: both paths recombine to their parents, the children differ, and every left
 * sibling is shared. Returns the proven first differing child index, or −1 when the proof is invalid.
 * Never throws.
 */
export function verifyFirstDifference(parentA: Uint8Array, parentB: Uint8Array, proof: DifferenceProof): number {
  try {
    const { childIndex, height } = proof;
    if (!Number.isInteger(height) || height < 0 || height > 16 || proof.siblings.length !== height) return -1;
    if (!Number.isInteger(childIndex) || childIndex < 0 || childIndex >= 2 ** height) return -1;
    if (proof.childA.length !== NODE_BYTES || proof.childB.length !== NODE_BYTES) return -1;
    if (bytesEqual(proof.childA, proof.childB)) return -1;
    let a = proof.childA;
    let b = proof.childB;
    for (let l = 0; l < height; l++) {
      const s = proof.siblings[l]!;
      if (((childIndex >> l) & 1) === 1) {
        if (!(s instanceof Uint8Array) || s.length !== NODE_BYTES) return -1;
        a = hashPair(s, a);
        b = hashPair(s, b);
      } else {
        if (!Array.isArray(s) || s.length !== 2 || s[0].length !== NODE_BYTES || s[1].length !== NODE_BYTES) return -1;
        a = hashPair(a, s[0]);
        b = hashPair(b, s[1]);
      }
    }
    return bytesEqual(a, parentA) && bytesEqual(b, parentB) ? childIndex : -1;
  } catch {
    return -1;
  }
}

/** Nodes (32 bytes each) a difference proof carries: 2 children + 1 per right-going level + 2 per left-going level. */
export function differenceProofNodes(proof: DifferenceProof): number {
  let n = 2;
  for (const s of proof.siblings) n += s instanceof Uint8Array ? 1 : 2;
  return n;
}
