import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../common/bytes.ts';
import {
  bisectionLevels,
  bisectionRounds,
  childNodeId,
  childRoots,
  combineChildRoots,
  differenceProofNodes,
  elementIndexOf,
  firstDifferingChild,
  firstDifferingElement,
  nodeOf,
  proveFirstDifference,
  verifyFirstDifference,
  type NodeId,
} from './bisection.ts';
import { IndexOutOfRangeError, MalformedProofError } from './errors.ts';
import { commitTrace, type TraceCommitment } from './trace.ts';

const ARITIES = [2, 4, 8, 16, 32, 64];

function trace(n: number): Int32Array {
  return new Int32Array(n).map((_, i) => Math.imul(i + 1, 0x9e3779b1));
}

/** Plays the whole k-ary game between two traces; returns the disputed element index (or −1). */
function play(a: Int32Array, b: Int32Array, arity: number, useDifferenceProofs: boolean): { element: number; rounds: number } {
  const ca = commitTrace(a, { arity });
  const cb = commitTrace(b, { arity });
  let nodeA: NodeId = { level: ca.depth, index: 0 };
  let parentA = ca.root;
  let parentB = cb.root;
  let rounds = 0;
  while (nodeA.level > 0) {
    const kidsA = childRoots(ca, a, nodeA);
    const kidsB = childRoots(cb, b, nodeA);
    // The contract's checks: children recombine to the stored parents.
    assert.equal(toHex(combineChildRoots(kidsA)), toHex(parentA));
    assert.equal(toHex(combineChildRoots(kidsB)), toHex(parentB));
    let i = firstDifferingChild(kidsA, kidsB);
    if (useDifferenceProofs) {
      const proof = proveFirstDifference(kidsA, kidsB);
      assert.equal(verifyFirstDifference(parentA, parentB, proof), i);
      i = proof.childIndex;
    }
    assert.ok(i >= 0);
    parentA = kidsA[i]!;
    parentB = kidsB[i]!;
    nodeA = childNodeId(nodeA, arity, i);
    rounds++;
  }
  const slot = firstDifferingElement(parentA, parentB);
  return { element: slot < 0 ? -1 : elementIndexOf(nodeA.index, slot), rounds };
}

test('child roots recombine to their parent for every k, at every level, including padded nodes', () => {
  for (const n of [9, 100, 1000, 1025]) {
    const v = trace(n);
    for (const arity of ARITIES) {
      const c: TraceCommitment = commitTrace(v, { arity });
      for (let level = 1; level <= c.depth; level++) {
        for (let index = 0; index < 2 ** (c.depth - level); index++) {
          const node = { level, index };
          const kids = childRoots(c, v, node);
          assert.equal(kids.length, 2 ** Math.min(level, Math.log2(arity)));
          assert.equal(toHex(combineChildRoots(kids)), toHex(nodeOf(c, v, node)), `n=${n} k=${arity} ${level}/${index}`);
        }
      }
    }
  }
});

test('the root children of each round follow bisectionLevels: ceil(D / log2 k) rounds', () => {
  assert.deepEqual(bisectionLevels(21, 16), [21, 17, 13, 9, 5, 1, 0]);
  assert.equal(bisectionRounds(21, 16), 6);
  assert.equal(bisectionRounds(21, 2), 21);
  assert.equal(bisectionRounds(21, 64), 4);
  assert.equal(bisectionRounds(9, 16), 3);
  assert.equal(bisectionRounds(0, 16), 0);
});

test('the game finds a planted difference at the first, middle and last element, for every k and odd sizes', () => {
  for (const n of [1, 7, 8, 9, 17, 255, 256, 257, 1000]) {
    const a = trace(n);
    for (const at of new Set([0, Math.floor(n / 2), n - 1])) {
      const b = a.slice();
      b[at] = (b[at]! + 1) | 0;
      for (const arity of ARITIES) {
        for (const proofs of [false, true]) {
          const { element, rounds } = play(a, b, arity, proofs);
          assert.equal(element, at, `n=${n} at=${at} k=${arity} proofs=${proofs}`);
          assert.equal(rounds, bisectionRounds(commitTrace(a).depth, arity));
        }
      }
    }
  }
});

test('with several differences the game finds the first one', () => {
  const a = trace(5000);
  const b = a.slice();
  for (const at of [3001, 3999, 4100, 4999]) b[at] = (b[at]! ^ 0x100) | 0;
  for (const arity of ARITIES) assert.equal(play(a, b, arity, true).element, 3001);
});

test('difference proofs are O(log k) nodes and reject forgeries', () => {
  const a = trace(16 * 8 * 16);
  const b = a.slice();
  b[8 * 16 * 5 + 3] = 42; // differs in child 5 of the root's 16 children
  const ca = commitTrace(a);
  const cb = commitTrace(b);
  const root: NodeId = { level: ca.depth, index: 0 };
  const kidsA = childRoots(ca, a, root, 16);
  const kidsB = childRoots(cb, b, root, 16);
  const proof = proveFirstDifference(kidsA, kidsB);
  assert.equal(proof.childIndex, 5);
  assert.equal(verifyFirstDifference(ca.root, cb.root, proof), 5);
  assert.ok(differenceProofNodes(proof) <= 2 + 2 * 4);
  // Claiming a later child (skipping the true first difference) cannot be proven: shared left siblings differ.
  const b2 = b.slice();
  b2[8 * 16 * 9] = 7;
  const cb2 = commitTrace(b2);
  const kidsB2 = childRoots(cb2, b2, root, 16);
  const honest = proveFirstDifference(kidsA, kidsB2);
  assert.equal(honest.childIndex, 5);
  // Tamper: every field change makes it invalid.
  const tampered = [
    { ...honest, childIndex: 9 },
    { ...honest, childIndex: 4 },
    { ...honest, childA: kidsA[6]! },
    { ...honest, childB: honest.childA },
    { ...honest, siblings: honest.siblings.slice(1) },
    { ...honest, height: 3 },
    { ...honest, siblings: honest.siblings.map((s) => (s instanceof Uint8Array ? new Uint8Array(32) : s)) },
  ];
  for (const t of tampered) assert.equal(verifyFirstDifference(ca.root, cb2.root, t), -1);
  assert.equal(verifyFirstDifference(ca.root, cb2.root, null as never), -1);
  assert.throws(() => proveFirstDifference(kidsA, kidsA), MalformedProofError);
});

test('first differing element inside a leaf: each slot, and equal leaves', () => {
  const base = new Uint8Array(32).map((_, i) => i);
  for (let byte = 0; byte < 32; byte++) {
    const other = base.slice();
    other[byte]! ^= 0xff;
    assert.equal(firstDifferingElement(base, other), Math.floor(byte / 4));
  }
  assert.equal(firstDifferingElement(base, base.slice()), -1);
  assert.throws(() => firstDifferingElement(base, new Uint8Array(31)), MalformedProofError);
});

test('bad node ids and child lists are typed errors', () => {
  const v = trace(100);
  const c = commitTrace(v);
  assert.throws(() => childRoots(c, v, { level: 0, index: 0 }), IndexOutOfRangeError);
  assert.throws(() => childRoots(c, v, { level: c.depth + 1, index: 0 }), IndexOutOfRangeError);
  assert.throws(() => childRoots(c, v, { level: 1, index: 2 ** (c.depth - 1) }), IndexOutOfRangeError);
  assert.throws(() => childRoots(c, v, { level: 1, index: -1 }), IndexOutOfRangeError);
  assert.throws(() => childNodeId({ level: 4, index: 0 }, 16, 16), IndexOutOfRangeError);
  assert.throws(() => combineChildRoots([]), MalformedProofError);
  assert.throws(() => combineChildRoots([new Uint8Array(32), new Uint8Array(32), new Uint8Array(32)]), MalformedProofError);
  assert.throws(() => firstDifferingChild([new Uint8Array(32)], []), MalformedProofError);
});
