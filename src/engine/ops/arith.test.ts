import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SeededRandom } from '../../common/clock.ts';
import { euclidMod, isqrtFloor, roundDiv, roundShift } from './arith.ts';
import { prng } from './sources.ts';
import { combineStep, elementwiseStep } from '../element.ts';

const vectors = JSON.parse(readFileSync(new URL('../../../test/vectors/engine-ops.json', import.meta.url), 'utf8'));

// BigInt references written straight from engine.md §2, independent of the double-based implementations.
function roundShiftBig(v: bigint, s: bigint): bigint {
  if (s === 0n) return v;
  const half = 1n << (s - 1n);
  return v >= 0n ? (v + half) >> s : -((-v + half) >> s);
}
function roundDivBig(n: bigint, d: bigint): bigint {
  if (d === 0n) return 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (2n * an + ad) / (2n * ad);
  return n < 0n !== d < 0n ? -q : q;
}

test('roundShift rounds half away from zero and matches a BigInt reference on random int32 × multiplier', () => {
  assert.equal(roundShift(5, 1), 3);
  assert.equal(roundShift(-5, 1), -3);
  assert.equal(roundShift(-4, 1), -2);
  const rng = new SeededRandom(3);
  for (let i = 0; i < 2000; i++) {
    const x = (rng.nextU32() | 0);
    const m = (rng.nextU32() % (2 ** 22)) - 2 ** 21;
    const s = rng.nextU32() % 53;
    assert.equal(BigInt(roundShift(x * m, s)), roundShiftBig(BigInt(x) * BigInt(m), BigInt(s)), `${x}·${m} >> ${s}`);
  }
});

test('roundDiv rounds half away from zero, gives 0 on division by zero, and matches BigInt', () => {
  assert.equal(roundDiv(7, 2), 4);
  assert.equal(roundDiv(-7, 2), -4);
  assert.equal(roundDiv(1, 0), 0);
  const rng = new SeededRandom(4);
  for (let i = 0; i < 2000; i++) {
    const n = (rng.nextU32() | 0) * ((rng.nextU32() % 2 ** 20) + 1);
    const d = (rng.nextU32() | 0) >> (rng.nextU32() % 31);
    assert.equal(BigInt(roundDiv(n, d)), roundDivBig(BigInt(n), BigInt(d)), `${n} / ${d}`);
  }
});

test('isqrtFloor is the exact floor square root, 0 for negatives', () => {
  assert.equal(isqrtFloor(-1), 0);
  for (const v of [0, 1, 2, 3, 4, 99980000, 99980001, 2 ** 31 - 1, 2 ** 52 - 1, 2 ** 52]) {
    const r = isqrtFloor(v);
    assert.ok(r * r <= v && (r + 1) * (r + 1) > v, `isqrt(${v}) = ${r}`);
  }
  const rng = new SeededRandom(5);
  for (let i = 0; i < 2000; i++) {
    const r0 = rng.nextU32() % 2 ** 26;
    for (const v of [r0 * r0 - 1, r0 * r0, r0 * r0 + 1]) {
      const r = isqrtFloor(v);
      assert.ok(v < 0 ? r === 0 : r * r <= v && (r + 1) * (r + 1) > v);
    }
  }
});

test('euclidMod is in [0, m) and 0 for m ≤ 0', () => {
  assert.equal(euclidMod(-7, 3), 2);
  assert.equal(euclidMod(5, 0), 0);
  assert.equal(euclidMod(5, -3), 0);
});

test('golden primitives match (test/vectors/engine-ops.json)', () => {
  for (const c of vectors.primitives.roundShift) assert.equal(roundShift(c.v, c.s), c.out);
  for (const c of vectors.primitives.roundDiv) assert.equal(roundDiv(c.n, c.d), c.out);
  for (const c of vectors.primitives.isqrt) assert.equal(isqrtFloor(c.v), c.out);
  for (const c of vectors.primitives.euclidMod) assert.equal(euclidMod(c.a, c.m), c.out);
  for (const c of vectors.primitives.prng) {
    assert.equal(prng(BigInt(c.seed), c.t), c.out);
    assert.ok(c.out >= 0 && c.out <= 0x7fffffff);
  }
});

test('golden element-wise steps and reduction partial sums match', () => {
  assert.ok(vectors.elementwise.length >= 20);
  for (const c of vectors.elementwise) assert.equal(elementwiseStep(c.op, c.params, c.inputs, c.hasWeight), c.output, `${c.op} ${JSON.stringify(c.inputs)}`);
  for (const r of vectors.reductions) {
    let acc = r.init;
    r.links.forEach((l: number[], j: number) => {
      acc = combineStep(r.combiner, acc, l[0]!, r.combiner === 'argmax' ? r.links[acc][0] : (l[1] ?? 0), j);
      assert.equal(acc, r.partialSums[j + 1]);
    });
    assert.equal(acc, r.output);
  }
});

test('-128·-128 products accumulate exactly: 4 links of 16384 = 65536', () => {
  let acc = 0;
  for (let j = 0; j < 4; j++) acc = combineStep('mac', acc, -128, -128, j);
  assert.equal(acc, 65536);
});
