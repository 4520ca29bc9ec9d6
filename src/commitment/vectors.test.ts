/** Checks test/vectors/commitment.json (the contract tests read the same file). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../common/bytes.ts';
import { commitTrace, elementProofFromJson, proveElement, elementProofToJson, verifyElementProof, runningSums } from './trace.ts';
import { commitWeights, verifyWeightProof } from './weights.ts';
import { childRoots, combineChildRoots, verifyFirstDifference, type DifferenceProof } from './bisection.ts';
import { zeroHash } from './merkle.ts';
import { naiveLeavesFromBytes, naiveLeavesFromValues, naiveRoot } from '../testnet/naive-commitment.ts';

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, '../../test/vectors/commitment.json'), 'utf8'));

test('vector zero hashes are Z_h', () => {
  vectors.zeroHashes.forEach((z: string, h: number) => assert.equal(z, toHex(zeroHash(h))));
});

test('vector traces: roots (also by the naive reference), proofs and k = 16 / 32 child roots', () => {
  for (const t of vectors.traces) {
    const values = Int32Array.from(t.values as number[]);
    const c = commitTrace(values);
    assert.equal(toHex(c.root), t.root);
    assert.equal(toHex(naiveRoot(naiveLeavesFromValues(values))), t.root);
    assert.equal(c.depth, t.depth);
    for (const pj of t.proofs) {
      const p = elementProofFromJson(pj);
      assert.ok(verifyElementProof(fromHex(t.root), p, t.elements));
      assert.deepEqual(elementProofToJson(proveElement(c, values, p.index)), pj);
    }
    for (const [k, roots] of Object.entries(t.childRootsAtRoot as Record<string, string[]>)) {
      assert.deepEqual(childRoots(c, values, { level: c.depth, index: 0 }, Number(k)).map((r) => toHex(r)), roots);
      assert.equal(toHex(combineChildRoots(roots.map((r) => fromHex(r)))), t.root);
    }
  }
});

test('vector disputes: every round recombines, the difference proofs verify, the planted element is found', () => {
  for (const d of vectors.disputes) {
    let parentA = fromHex(d.rootA);
    let parentB = fromHex(d.rootB);
    for (const r of d.rounds) {
      assert.equal(toHex(combineChildRoots(r.childrenA.map((x: string) => fromHex(x)))), toHex(parentA));
      assert.equal(toHex(combineChildRoots(r.childrenB.map((x: string) => fromHex(x)))), toHex(parentB));
      const dp = r.differenceProof;
      const proof: DifferenceProof = {
        childIndex: dp.childIndex,
        height: dp.height,
        childA: fromHex(dp.childA),
        childB: fromHex(dp.childB),
        siblings: dp.siblings.map((s: string | [string, string]) => (typeof s === 'string' ? fromHex(s) : [fromHex(s[0]), fromHex(s[1])])),
      };
      assert.equal(verifyFirstDifference(parentA, parentB, proof), r.firstDifferingChild);
      parentA = fromHex(r.childrenA[r.firstDifferingChild]);
      parentB = fromHex(r.childrenB[r.firstDifferingChild]);
    }
    assert.equal(toHex(parentA), d.leafA);
    assert.equal(d.disputedElement, d.plantedAt);
  }
});

test('vector partial sums and weights', () => {
  const ps = vectors.partialSums;
  assert.deepEqual(Array.from(runningSums(ps.a, ps.b, ps.c)), ps.sums);
  for (const pj of ps.proofs) assert.ok(verifyElementProof(fromHex(ps.root), elementProofFromJson(pj), ps.sums.length));
  for (const w of vectors.weights) {
    const bytes = fromHex(w.bytes);
    assert.equal(toHex(commitWeights(bytes).root), w.root);
    assert.equal(toHex(naiveRoot(naiveLeavesFromBytes(bytes))), w.root);
    for (const p of w.proofs) {
      assert.ok(verifyWeightProof(fromHex(w.root), { leafIndex: p.leafIndex, leaf: fromHex(p.leaf), siblings: p.siblings.map((s: string) => fromHex(s)) }, w.byteLength));
    }
  }
});
