import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../common/clock.ts';
import { clamp, roundDiv, roundShift } from '../ops/arith.ts';
import { KernelShapeError } from './errors.ts';
import { MAX_ELEMENTWISE_MULTIPLIER, MAX_REQUANT_SHIFT } from './elementwise.ts';
import type { MuldivParams, RequantParams } from './elementwise.ts';
import { referenceKernels as ref } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { createWasmKernels } from './wasm.ts';

const wasm: Kernels = await createWasmKernels();

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;
const M_MAX = MAX_ELEMENTWISE_MULTIPLIER;

/** The spec (engine.md §2) on exact integers, independent of both implementations. */
function roundShiftExact(v: bigint, s: number): bigint {
  if (s === 0) return v;
  const p = 1n << BigInt(s);
  const h = p >> 1n;
  return v >= 0n ? (v + h) / p : -((-v + h) / p);
}
function roundDivExact(n: bigint, d: bigint): bigint {
  if (d === 0n) return 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (2n * an + ad) / (2n * ad);
  return (n < 0n) !== (d < 0n) ? -q : q;
}
function clampBig(v: bigint, lo: number, hi: number): number {
  return v < BigInt(lo) ? lo : v > BigInt(hi) ? hi : Number(v);
}

/** An int32 drawn from a mix of edges, small values and the full range. */
function int32(rng: SeededRandom): number {
  const k = rng.nextU32() % 8;
  if (k === 0) return [I32_MIN, I32_MIN + 1, I32_MAX, I32_MAX - 1, 0, 1, -1][rng.nextU32() % 7]!;
  if (k <= 2) return (rng.nextU32() % 512) - 256;
  return rng.nextU32() | 0;
}

function multiplier(rng: SeededRandom): number {
  const k = rng.nextU32() % 4;
  if (k === 0) return [M_MAX, -M_MAX, 0, 1, -1][rng.nextU32() % 5]!;
  return (rng.nextU32() % (2 * M_MAX + 1)) - M_MAX;
}

function window(rng: SeededRandom): { lo: number; hi: number } {
  const k = rng.nextU32() % 4;
  if (k === 0) return { lo: I32_MIN, hi: I32_MAX };
  if (k === 1) return { lo: -128, hi: 127 };
  if (k === 2) return { lo: 0, hi: 127 };
  const a = int32(rng);
  const b = int32(rng);
  return { lo: Math.min(a, b), hi: Math.max(a, b) };
}

function both(f: (k: Kernels, out: Int32Array) => void, n: number): [Int32Array, Int32Array] {
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  f(ref, a);
  f(wasm, b);
  return [a, b];
}

test('requant: wasm = reference = the exact spec on random vectors, every shift 0..52, int32 extremes', () => {
  const rng = new SeededRandom(401);
  for (let trial = 0; trial < 600; trial++) {
    const n = trial < 20 ? trial : 1 + (rng.nextU32() % 300); // n = 0..19 covers every SIMD tail
    const x = Int32Array.from({ length: n }, () => int32(rng));
    const withTensor = rng.nextU32() % 2 === 0;
    const mt = withTensor ? Int32Array.from({ length: n }, () => multiplier(rng)) : null;
    const p: RequantParams = { m: withTensor ? 0 : multiplier(rng), shift: trial % (MAX_REQUANT_SHIFT + 1), ...window(rng) };
    const [r, w] = both((k, out) => k.requant(x, mt, p, out), n);
    assert.deepEqual(w, r, `trial ${trial} n ${n} ${JSON.stringify(p)}`);
    for (let i = 0; i < n; i++) {
      const m = mt ? mt[i]! : p.m;
      const exact = clampBig(roundShiftExact(BigInt(x[i]!) * BigInt(m), p.shift), p.lo, p.hi);
      assert.equal(r[i], exact, `element ${i}: x ${x[i]} m ${m} s ${p.shift}`);
      assert.equal(r[i], clamp(roundShift(x[i]! * m, p.shift), p.lo, p.hi) | 0); // | 0: an Int32Array stores −0 as 0
    }
  }
});

test('requant rounds half away from zero at every shift (exact halves, ±1 around them, both signs)', () => {
  const xs: number[] = [];
  for (let s = 1; s <= 31; s++) {
    const h = 2 ** (s - 1);
    for (const q of [0, 1, 2, 3, 1000]) {
      for (const d of [-1, 0, 1]) {
        const v = q * 2 ** s + h + d;
        if (v <= I32_MAX) xs.push(v, -v);
      }
    }
  }
  const x = Int32Array.from(xs);
  for (let s = 0; s <= MAX_REQUANT_SHIFT; s++) {
    for (const m of [1, -1, 3, M_MAX, -M_MAX]) {
      const p: RequantParams = { m, shift: s, lo: I32_MIN, hi: I32_MAX };
      const [r, w] = both((k, out) => k.requant(x, null, p, out), x.length);
      assert.deepEqual(w, r);
      for (let i = 0; i < x.length; i++) assert.equal(r[i], clampBig(roundShiftExact(BigInt(x[i]!) * BigInt(m), s), p.lo, p.hi));
    }
  }
  // Spot checks from engine.md §2.
  const [r] = both((k, out) => k.requant(Int32Array.of(5, -5, -4, 3), null, { m: 1, shift: 1, lo: I32_MIN, hi: I32_MAX }, out), 4);
  assert.deepEqual([...r], [3, -3, -2, 2]);
});

test('requant at the bound: |x·m| = 2^31·(2^22 − 1) with s = 52 and every extreme sign', () => {
  for (const xv of [I32_MIN, I32_MAX, I32_MIN + 1]) {
    for (const m of [M_MAX, -M_MAX]) {
      for (let s = 0; s <= MAX_REQUANT_SHIFT; s++) {
        const x = new Int32Array(9).fill(xv);
        const p: RequantParams = { m, shift: s, lo: I32_MIN, hi: I32_MAX };
        const [r, w] = both((k, out) => k.requant(x, null, p, out), 9);
        assert.deepEqual(w, r);
        assert.equal(r[0], clampBig(roundShiftExact(BigInt(xv) * BigInt(m), s), p.lo, p.hi));
      }
    }
  }
});

test('muldiv: wasm = reference = the exact spec on random vectors, broadcasts, gains and d = 0', () => {
  const rng = new SeededRandom(402);
  for (let trial = 0; trial < 600; trial++) {
    const n = trial < 12 ? trial : 1 + (rng.nextU32() % 200);
    const glen = rng.nextU32() % 3 === 0 ? 1 + (rng.nextU32() % Math.max(1, n)) : 0;
    const g = glen > 0 ? Int8Array.from({ length: glen }, (_, i) => (i === 0 ? -128 : (rng.nextU32() % 256) - 128)) : null;
    const m = multiplier(rng);
    // |a·g·m| ≤ 2^51 (the loader's bound): a is drawn within 2^51 / (|g|max · |m|).
    const limit = Math.min(I32_MAX, Math.floor(2 ** 51 / Math.max(1, Math.abs(m) * (g ? 128 : 1))));
    const a = Int32Array.from({ length: n }, () => {
      const v = int32(rng);
      return Math.abs(v) <= limit ? v : v % (limit + 1);
    });
    let b: Int32Array | null = null;
    let bdiv = 1;
    let d = 0;
    if (rng.nextU32() % 3 !== 0) {
      const bs = 1 + (rng.nextU32() % 8);
      bdiv = 1 + (rng.nextU32() % Math.max(1, n));
      b = Int32Array.from({ length: bs }, () => (rng.nextU32() % 5 === 0 ? 0 : int32(rng))); // some d = 0
    } else {
      d = rng.nextU32() % 7 === 0 ? 0 : int32(rng);
    }
    const p: MuldivParams = { ...window(rng), bdiv, m, d };
    const [r, w] = both((k, out) => k.muldiv(a, b, g, p, out), n);
    assert.deepEqual(w, r, `trial ${trial}`);
    for (let i = 0; i < n; i++) {
      const gi = g ? g[i % g.length]! : 1;
      const di = b ? b[Math.floor(i / bdiv) % b.length]! : d;
      assert.equal(r[i], clampBig(roundDivExact(BigInt(a[i]!) * BigInt(gi) * BigInt(m), BigInt(di)), p.lo, p.hi), `element ${i}`);
      assert.equal(r[i], clamp(roundDiv(a[i]! * gi * m, di), p.lo, p.hi) | 0);
    }
  }
});

test('muldiv: exact halves round away from zero, division by zero gives 0, extremes of the 2^51 bound', () => {
  const cases: [number, number][] = [[7, 2], [-7, 2], [7, -2], [-7, -2], [5, 3], [4, 3], [1, 0], [-1, 0], [0, 0], [0, -5], [3, 6], [-3, 6], [2, 6]];
  const bound = 2 ** 51;
  // a · m near ±2^51 with m = 2^22 − 1: a = floor(2^51 / m).
  const aMax = Math.floor(bound / M_MAX);
  for (const d of [1, -1, 2, 3, I32_MAX, I32_MIN, 0, 4194303, -65536]) cases.push([aMax, d], [-aMax, d]);
  for (const [num, den] of cases) {
    const m = Math.abs(num) > 1000 ? M_MAX : 1;
    const a = Int32Array.of(num, num, num, num, num);
    const p: MuldivParams = { lo: I32_MIN, hi: I32_MAX, bdiv: 1, m, d: den };
    const [r, w] = both((k, out) => k.muldiv(a, null, null, p, out), 5);
    assert.deepEqual(w, r);
    assert.equal(r[0], clampBig(roundDivExact(BigInt(num) * BigInt(m), BigInt(den)), I32_MIN, I32_MAX), `${num}·${m} / ${den}`);
    const pb: MuldivParams = { ...p, d: 0 };
    const [rb, wb] = both((k, out) => k.muldiv(a, Int32Array.of(den), null, pb, out), 5);
    assert.deepEqual(wb, rb);
    assert.deepEqual(rb, r);
  }
  // Every quotient q·2|d| ± |d| boundary for small d: halves go away from zero.
  const a = Int32Array.from({ length: 401 }, (_, i) => i - 200);
  for (let den = -9; den <= 9; den++) {
    const [r, w] = both((k, out) => k.muldiv(a, null, null, { lo: I32_MIN, hi: I32_MAX, bdiv: 1, m: 1, d: den }, out), a.length);
    assert.deepEqual(w, r);
    for (let i = 0; i < a.length; i++) assert.equal(r[i], Number(roundDivExact(BigInt(a[i]!), BigInt(den))));
  }
});

test('requant and muldiv refuse out-of-domain parameters and short inputs with KernelShapeError', () => {
  const x = new Int32Array(8);
  const out = new Int32Array(8);
  for (const k of [ref, wasm]) {
    const ok: RequantParams = { m: 1, shift: 0, lo: 0, hi: 1 };
    assert.throws(() => k.requant(x.subarray(0, 7), null, ok, out), KernelShapeError);
    assert.throws(() => k.requant(x, new Int32Array(3), ok, out), KernelShapeError);
    assert.throws(() => k.requant(x, null, { ...ok, shift: 53 }, out), KernelShapeError);
    assert.throws(() => k.requant(x, null, { ...ok, shift: -1 }, out), KernelShapeError);
    assert.throws(() => k.requant(x, null, { ...ok, m: M_MAX + 1 }, out), KernelShapeError);
    assert.throws(() => k.requant(x, null, { ...ok, lo: 2, hi: 1 }, out), KernelShapeError);
    assert.throws(() => k.requant(x, null, { ...ok, shift: 1.5 }, out), KernelShapeError);
    const okd: MuldivParams = { lo: 0, hi: 1, bdiv: 1, m: 1, d: 1 };
    assert.throws(() => k.muldiv(x.subarray(0, 7), null, null, okd, out), KernelShapeError);
    assert.throws(() => k.muldiv(x, new Int32Array(0), null, okd, out), KernelShapeError);
    assert.throws(() => k.muldiv(x, Int32Array.of(1), null, { ...okd, bdiv: 0 }, out), KernelShapeError);
    assert.throws(() => k.muldiv(x, null, new Int8Array(0), okd, out), KernelShapeError);
    assert.throws(() => k.muldiv(x, null, null, { ...okd, m: -M_MAX - 1 }, out), KernelShapeError);
    assert.throws(() => k.muldiv(x, null, null, { ...okd, d: 2 ** 31 }, out), KernelShapeError);
  }
});

test('requant, muldiv and matvecI32 give the same results in place on ResidentVectors, and survive memory growth', async () => {
  const k = await createWasmKernels();
  const rng = new SeededRandom(403);
  const n = 37;
  const vecs = k.createVectors([n, n, n, 5, n], [n]); // x, mt, out, b, bias; g
  const refVecs = ref.createVectors([n, n, n, 5, n], [n]);
  assert.equal(refVecs.refresh(), false);
  const fill = () => {
    for (const v of [vecs, refVecs]) {
      v.int32[0]!.set(Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? int32(rng) : (rng.nextU32() % 256) - 128)));
      v.int32[1]!.set(Int32Array.from({ length: n }, () => multiplier(rng)));
      v.int32[3]!.set(Int32Array.from({ length: 5 }, () => int32(rng)));
      v.int32[4]!.set(Int32Array.from({ length: n }, () => int32(rng)));
      v.int8[0]!.set(Int8Array.from({ length: n }, () => (rng.nextU32() % 256) - 128));
    }
    refVecs.int32.slice(0, 2).forEach((a, i) => a.set(vecs.int32[i]!)); // same inputs in both
    refVecs.int32[3]!.set(vecs.int32[3]!);
    refVecs.int32[4]!.set(vecs.int32[4]!);
    refVecs.int8[0]!.set(vecs.int8[0]!);
  };
  const w = new Int8Array(rng.bytes(n * n).buffer);
  const mw = k.prepareMatrix(w, n, n);
  const mr = ref.prepareMatrix(w, n, n);
  for (let round = 0; round < 3; round++) {
    fill();
    const [x, mt, out, b, bias] = vecs.int32 as Int32Array[];
    const [rx, rmt, rout, rb, rbias] = refVecs.int32 as Int32Array[];
    const p: RequantParams = { m: 0, shift: 10 + round, lo: -1000, hi: 1000 };
    k.requant(x!, mt!, p, out!);
    ref.requant(rx!, rmt!, p, rout!);
    assert.deepEqual(out, rout);
    const notResident = new Int32Array(n);
    k.requant(x!, mt!, p, notResident); // resident inputs, ordinary output
    assert.deepEqual(notResident, rout);
    const pd: MuldivParams = { lo: I32_MIN, hi: I32_MAX, bdiv: 8, m: 1000, d: 0 };
    const lim = (a: Int32Array) => a.map((v) => v % 1_000_000); // |a·g·m| ≤ 2^51
    x!.set(lim(x!));
    rx!.set(x!);
    k.muldiv(x!, b!, vecs.int8[0]!, pd, out!);
    ref.muldiv(rx!, rb!, refVecs.int8[0]!, pd, rout!);
    assert.deepEqual(out, rout);
    // matvecI32 wraps x to its low 8 bits like an Int8Array store; the bias add wraps int32.
    k.matvecI32(mw, x!, bias!, out!);
    ref.matvecI32(mr, rx!, rbias!, rout!);
    assert.deepEqual(out, rout);
    k.matvecI32(mw, Int32Array.from(x!), null, notResident);
    ref.matvecI32(mr, rx!, null, rout!);
    assert.deepEqual(notResident, rout);
    // Grow the memory: the views detach; refresh() re-makes them with the contents kept.
    const before = Int32Array.from(vecs.int32[0]!);
    k.createMatrix(512 + 512 * round, 1024);
    assert.equal(vecs.refresh(), true);
    assert.equal(vecs.refresh(), false);
    assert.deepEqual(vecs.int32[0], before);
  }
  vecs.free();
  assert.throws(() => vecs.refresh(), KernelShapeError);
});

test('matvecI32 = matvec on the narrowed x plus the bias, on random shapes (every narrowing and block path)', async () => {
  const k = await createWasmKernels();
  const rng = new SeededRandom(404);
  for (let trial = 0; trial < 60; trial++) {
    const rows = 1 + (rng.nextU32() % 23);
    const cols = trial % 40; // 0..39: 16-column narrowing blocks and scalar tails
    const w = new Int8Array(rng.bytes(rows * cols).buffer, 0, rows * cols);
    const x = Int32Array.from({ length: cols }, () => (trial % 2 ? (rng.nextU32() % 256) - 128 : int32(rng)));
    const bias = trial % 3 ? Int32Array.from({ length: rows }, () => int32(rng)) : null;
    const expected = new Int32Array(rows);
    ref.matvecInt8(w, rows, cols, Int8Array.from(x), expected);
    if (bias) for (let r = 0; r < rows; r++) expected[r] = expected[r]! + bias[r]!;
    for (const kk of [ref, k]) {
      const m = kk.prepareMatrix(w, rows, cols);
      const out = new Int32Array(rows);
      kk.matvecI32(m, x, bias, out);
      assert.deepEqual(out, expected, `${kk.name} ${rows}x${cols}`);
      assert.throws(() => kk.matvecI32(m, new Int32Array(cols + 1), bias, out), KernelShapeError);
      if (bias) assert.throws(() => kk.matvecI32(m, x, bias.subarray(1), out), KernelShapeError);
      m.free();
    }
  }
});
