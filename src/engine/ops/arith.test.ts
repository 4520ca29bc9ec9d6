import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SeededRandom } from '../../common/clock.ts';
import { PrimitiveDomainError, MAX_ROUND_SHIFT, MAX_SAFE, euclidMod, isqrtFloor, roundDiv, roundShift } from './arith.ts';
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

/** Asserts that `f` throws PrimitiveDomainError naming `argument` of `primitive`. */
function refuses(f: () => unknown, primitive: string, argument: string): void {
  assert.throws(f, (e: unknown) => e instanceof PrimitiveDomainError && e.code === 'ENGINE_PRIMITIVE_DOMAIN' && e.details.primitive === primitive && e.details.argument === argument);
}

/** Safe integers near the ends of the domain and around powers of two: where doubles stop being exact. */
function edgeValues(rng: SeededRandom): number[] {
  const out = [0, 1, -1, MAX_SAFE, -MAX_SAFE, MAX_SAFE - 1, 2 ** 52, 2 ** 52 + 1, 2 ** 51, 2 ** 51 + 1, 2 ** 31 - 1, -(2 ** 31)];
  for (let i = 0; i < 40; i++) {
    const e = rng.nextU32() % 54;
    const v = Math.min(MAX_SAFE, 2 ** e + (rng.nextU32() % 7) - 3);
    out.push(rng.nextU32() % 2 === 0 ? v : -v);
  }
  return out;
}

test('roundShift: shifts 0 and 255 are in the domain, −1, 256 and non-integers are refused (the contract reverts there)', () => {
  assert.equal(MAX_ROUND_SHIFT, 255);
  assert.equal(roundShift(7, 0), 7);
  assert.equal(roundShift(MAX_SAFE, 255), 0);
  assert.equal(roundShift(-MAX_SAFE, 255), 0);
  for (const s of [-1, 256, 0.5, Number.NaN, Infinity]) refuses(() => roundShift(1, s), 'roundShift', 's');
  for (const v of [2 ** 53, -(2 ** 53), 0.5, Number.NaN, -Infinity]) refuses(() => roundShift(v, 1), 'roundShift', 'v');
  assert.equal(roundShift(MAX_SAFE, 1), 2 ** 52); // (2^53 − 1 + 1) / 2
});

test('roundShift equals the BigInt definition over the whole domain, including shifts past 53 where doubles round', () => {
  const rng = new SeededRandom(6);
  const values = edgeValues(rng);
  for (let s = 0; s <= MAX_ROUND_SHIFT; s++) {
    for (const v of values) assert.equal(BigInt(roundShift(v, s)), roundShiftBig(BigInt(v), BigInt(s)), `${v} >> ${s}`);
  }
  // The case that motivated the s ≥ 54 branch: 2^53 − 1 + 2^53 is not a double and rounds up to 2^54.
  assert.equal(roundShift(MAX_SAFE, 54), 0);
  assert.equal(roundShift(-MAX_SAFE, 54), 0);
  assert.equal(roundShift(MAX_SAFE, 53), 1);
});

test('roundDiv: a numerator above 2^53 is refused at once instead of spinning; every safe integer pair is exact', () => {
  for (const n of [2 ** 53, 2 ** 60, -(2 ** 53), 1.5, Number.NaN, Infinity]) refuses(() => roundDiv(n, 3), 'roundDiv', 'n');
  for (const d of [2 ** 53, -(2 ** 80), 0.25, Number.NaN]) refuses(() => roundDiv(3, d), 'roundDiv', 'd');
  refuses(() => roundDiv(2 ** 53, 0), 'roundDiv', 'n'); // d = 0 gives 0 only inside the domain
  assert.equal(roundDiv(MAX_SAFE, 0), 0);
  assert.equal(roundDiv(MAX_SAFE, 1), MAX_SAFE);
  assert.equal(roundDiv(-MAX_SAFE, MAX_SAFE), -1);
  const rng = new SeededRandom(7);
  const values = edgeValues(rng);
  for (const n of values) {
    for (const d of values) assert.equal(BigInt(roundDiv(n, d)), roundDivBig(BigInt(n), BigInt(d)), `${n} / ${d}`);
  }
});

test('isqrtFloor and euclidMod: exact up to 2^53 − 1, refused beyond', () => {
  const r = isqrtFloor(MAX_SAFE);
  assert.ok(BigInt(r) ** 2n <= BigInt(MAX_SAFE) && BigInt(r + 1) ** 2n > BigInt(MAX_SAFE));
  assert.equal(isqrtFloor(-MAX_SAFE), 0);
  for (const v of [2 ** 53, 0.5, Number.NaN]) refuses(() => isqrtFloor(v), 'isqrtFloor', 'v');
  assert.equal(euclidMod(-MAX_SAFE, 10), Number(((-BigInt(MAX_SAFE) % 10n) + 10n) % 10n));
  assert.equal(euclidMod(MAX_SAFE, MAX_SAFE), 0);
  refuses(() => euclidMod(2 ** 53, 3), 'euclidMod', 'a');
  refuses(() => euclidMod(3, Infinity), 'euclidMod', 'm');
});

test('prng: seeds in [0, 2^64) and steps in [0, 2^32) answer; outside them (where it used to wrap) it refuses', () => {
  const edge = prng(2n ** 64n - 1n, 0xffffffff);
  assert.ok(Number.isInteger(edge) && edge >= 0 && edge <= 0x7fffffff);
  for (const seed of [-1n, 2n ** 64n]) refuses(() => prng(seed, 0), 'prng', 'seed');
  for (const t of [-1, 2 ** 32, 0.5]) refuses(() => prng(1n, t), 'prng', 't');
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
