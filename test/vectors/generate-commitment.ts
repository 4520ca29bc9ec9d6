/**
 * Generates test/vectors/commitment.json: golden answers for the trace and weight commitments of
 * docs/commitment.md, read by src/commitment/vectors.test.ts and (later) by the contract tests.
 *
 *   node_modules/.bin/node test/vectors/generate-commitment.ts
 *
 * Every value is derived from fixed formulas (no randomness), so re-running gives the same file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../../src/common/bytes.ts';
import { commitTrace, elementProofToJson, proveElement, runningSums, commitPartialSums } from '../../src/commitment/trace.ts';
import { commitWeights, proveWeightLeafIn } from '../../src/commitment/weights.ts';
import { bisectionLevels, childNodeId, childRoots, elementIndexOf, firstDifferingChild, firstDifferingElement, proveFirstDifference, type NodeId } from '../../src/commitment/bisection.ts';
import { zeroHash } from '../../src/commitment/merkle.ts';

/** Element i of trace `seed`: spreads over the whole int32 range, includes negatives. */
function traceValues(n: number, seed: number): Int32Array {
  const v = new Int32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.imul(i + seed, 0x9e3779b1) ^ (i << 7);
  if (n > 0) v[0] = -(2 ** 31);
  if (n > 2) v[n - 1] = 2 ** 31 - 1;
  return v;
}

const hex = (b: Uint8Array): string => toHex(b);

function traceCase(n: number, seed: number) {
  const values = traceValues(n, seed);
  const c = commitTrace(values);
  const indices = [...new Set([0, Math.floor(n / 2), n - 1])].filter((i) => i >= 0 && i < n);
  const childRootsAtRoot: Record<string, string[]> = {};
  if (c.depth > 0) for (const k of [16, 32]) childRootsAtRoot[k] = childRoots(c, values, { level: c.depth, index: 0 }, k).map(hex);
  return {
    elements: n,
    values: Array.from(values),
    depth: c.depth,
    root: hex(c.root),
    proofs: indices.map((i) => elementProofToJson(proveElement(c, values, i))),
    childRootsAtRoot,
  };
}

/** A full game between a trace and a copy with one planted difference, k = 16. */
function disputeCase(n: number, plantAt: number, arity: number) {
  const a = traceValues(n, 11);
  const b = a.slice();
  b[plantAt] = (b[plantAt]! + 1) | 0;
  const ca = commitTrace(a, { arity });
  const cb = commitTrace(b, { arity });
  let node: NodeId = { level: ca.depth, index: 0 };
  const rounds = [];
  let leafA = ca.root;
  let leafB = cb.root;
  while (node.level > 0) {
    const kidsA = childRoots(ca, a, node);
    const kidsB = childRoots(cb, b, node);
    const i = firstDifferingChild(kidsA, kidsB);
    const proof = proveFirstDifference(kidsA, kidsB);
    rounds.push({
      node,
      childrenA: kidsA.map(hex),
      childrenB: kidsB.map(hex),
      firstDifferingChild: i,
      differenceProof: {
        childIndex: proof.childIndex,
        height: proof.height,
        childA: hex(proof.childA),
        childB: hex(proof.childB),
        siblings: proof.siblings.map((s) => (s instanceof Uint8Array ? hex(s) : [hex(s[0]), hex(s[1])])),
      },
    });
    leafA = kidsA[i]!;
    leafB = kidsB[i]!;
    node = childNodeId(node, arity, i);
  }
  const slot = firstDifferingElement(leafA, leafB);
  return {
    elements: n,
    arity,
    plantedAt: plantAt,
    description: `trace B = trace A (values of seed 11) with element ${plantAt} incremented by 1`,
    rootA: hex(ca.root),
    rootB: hex(cb.root),
    levels: bisectionLevels(ca.depth, arity),
    rounds,
    finalLeafIndex: node.index,
    leafA: hex(leafA),
    leafB: hex(leafB),
    firstDifferingSlot: slot,
    disputedElement: elementIndexOf(node.index, slot),
  };
}

function partialSumsCase() {
  const F = 20;
  const a = Array.from({ length: F }, (_, j) => ((j * 37) % 256) - 128);
  const b = Array.from({ length: F }, (_, j) => ((j * 91 + 5) % 256) - 128);
  a[0] = -128;
  b[0] = -128;
  const c = -5000;
  const sums = runningSums(a, b, c);
  const commitment = commitPartialSums(sums);
  return {
    a,
    b,
    c,
    sums: Array.from(sums),
    root: hex(commitment.root),
    proofs: [0, 8, F].map((i) => elementProofToJson(proveElement(commitment, sums, i))),
  };
}

function weightsCase(n: number) {
  const bytes = new Uint8Array(n).map((_, i) => (i * 151 + 7) & 0xff);
  const c = commitWeights(bytes);
  const leaves = [...new Set([0, Math.floor(c.leafCount / 2), c.leafCount - 1])];
  return {
    byteLength: n,
    bytes: hex(bytes),
    depth: c.depth,
    root: hex(c.root),
    proofs: leaves.map((leafIndex) => {
      const p = proveWeightLeafIn(c, bytes, leafIndex);
      return { leafIndex, leaf: hex(p.leaf), siblings: p.siblings.map(hex) };
    }),
  };
}

const vectors = {
  description:
    'Golden vectors for docs/commitment.md. Trace leaf = 8 int32 big-endian (two\'s complement), zero tail; ' +
    'weights leaf = 32 bytes, zero tail; leaves are tree nodes as is (no leaf hash); inner = keccak256(left ‖ right); ' +
    'depth = ceil(log2(leafCount)); padding subtrees of height h have root Z_h (Z_0 = 0^32); proofs list siblings bottom-up.',
  generator: 'test/vectors/generate-commitment.ts',
  zeroHashes: Array.from({ length: 8 }, (_, h) => hex(zeroHash(h))),
  traces: [
    traceCase(1, 1),
    traceCase(7, 2),
    traceCase(8, 3),
    traceCase(9, 4),
    traceCase(100, 5),
    traceCase(1025, 6),
  ],
  disputes: [disputeCase(1025, 0, 16), disputeCase(1025, 512, 16), disputeCase(1025, 1024, 16), disputeCase(1000, 333, 32)],
  partialSums: partialSumsCase(),
  weights: [weightsCase(0), weightsCase(31), weightsCase(100), weightsCase(4097)],
};

const out = join(import.meta.dirname, 'commitment.json');
writeFileSync(out, JSON.stringify(vectors, null, 1) + '\n');
console.log(`wrote ${out}`);
