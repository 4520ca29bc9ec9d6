import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../common/clock.ts';
import { KernelShapeError } from './errors.ts';
import { MAX_MATVEC_COLS } from './matvec.ts';
import { WEIGHTED_SUM_MAX_ABS_P_SUM } from './attention.ts';
import { referenceKernels } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { createWasmKernels, loadWasmKernels } from './wasm.ts';

const wasm: Kernels = await loadWasmKernels();
const ref = referenceKernels;

function randomI8(rng: SeededRandom, n: number): Int8Array {
  return new Int8Array(rng.bytes(n).buffer);
}

/** Shapes that hit every code path: 8- and 4-row blocks and row tails, 16/8-column blocks and scalar tails. */
const ROWS = [1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 23];
const COLS = [0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 31, 33, 64, 100, 257];

test('wasm matvec is bit-identical to the reference on random shapes and values', () => {
  const rng = new SeededRandom(1);
  for (const rows of ROWS) {
    for (const cols of COLS) {
      const w = randomI8(rng, rows * cols);
      const x = randomI8(rng, cols);
      const a = new Int32Array(rows);
      const b = new Int32Array(rows).fill(0x5a5a5a5a);
      ref.matvecInt8(w, rows, cols, x, a);
      const m = wasm.prepareMatrix(w, rows, cols);
      wasm.matvec(m, x, b);
      assert.deepEqual(b, a, `rows=${rows} cols=${cols}`);
      b.fill(1);
      wasm.matvecInt8(w, rows, cols, x, b); // one-shot path
      assert.deepEqual(b, a, `one-shot rows=${rows} cols=${cols}`);
      m.free();
    }
  }
});

test('wasm matvec is bit-identical on a medium random shape (300 x 1000)', () => {
  const rng = new SeededRandom(2);
  const rows = 300;
  const cols = 1000;
  const w = randomI8(rng, rows * cols);
  const m = wasm.prepareMatrix(w, rows, cols);
  for (let t = 0; t < 3; t++) {
    const x = randomI8(rng, cols);
    const a = new Int32Array(rows);
    const b = new Int32Array(rows);
    ref.matvecInt8(w, rows, cols, x, a);
    wasm.matvec(m, x, b);
    assert.deepEqual(b, a);
  }
  m.free();
});

test('wasm matvec is exact at the overflow bound: -128·-128 everywhere and the most negative sum', () => {
  const rows = 13; // one 8-row block, one 4-row block and one tail row
  const cols = MAX_MATVEC_COLS; // 131071 = 8191·16 + 15: every column path
  const w = new Int8Array(rows * cols).fill(-128);
  const x = new Int8Array(cols).fill(-128);
  const m = wasm.prepareMatrix(w, rows, cols);
  const out = new Int32Array(rows);
  wasm.matvec(m, x, out);
  assert.deepEqual([...out], new Array(rows).fill(16384 * cols));
  x.fill(127);
  wasm.matvec(m, x, out);
  assert.deepEqual([...out], new Array(rows).fill(-16256 * cols));
  m.free();
});

test('wasm dotInt8Rows over a growing KV cache matches the reference', () => {
  const rng = new SeededRandom(3);
  for (const d of [1, 8, 17, 32, 64]) {
    const capacity = 11;
    const kw = wasm.createMatrix(capacity, d);
    const kr = ref.createMatrix(capacity, d);
    for (let n = 1; n <= capacity; n++) {
      const row = randomI8(rng, d);
      kw.writeRows(n - 1, row);
      kr.writeRows(n - 1, row);
      const q = randomI8(rng, d);
      const a = new Int32Array(n);
      const b = new Int32Array(n);
      ref.dotInt8Rows(kr, n, q, a);
      wasm.dotInt8Rows(kw, n, q, b);
      assert.deepEqual(b, a, `d=${d} n=${n}`);
    }
    assert.deepEqual(kw.readRows(0, capacity), kr.readRows(0, capacity));
    kw.free();
  }
});

test('wasm weightedSumInt8Cols matches the reference, including int32 wrap-around', () => {
  const rng = new SeededRandom(4);
  for (const d of [1, 5, 15, 16, 17, 33, 64, 100]) {
    for (const n of [0, 1, 2, 9, 40]) {
      const v = randomI8(rng, n * d);
      const vw = wasm.prepareMatrix(v, n, d);
      const vr = ref.prepareMatrix(v, n, d);
      // Small softmax-like weights, then arbitrary int32 (wraps; must still agree).
      for (const big of [false, true]) {
        const p = new Int32Array(n);
        for (let i = 0; i < n; i++) p[i] = big ? rng.nextU32() | 0 : rng.nextU32() % 65537;
        const a = new Int32Array(d);
        const b = new Int32Array(d).fill(7);
        ref.weightedSumInt8Cols(vr, n, p, a);
        wasm.weightedSumInt8Cols(vw, n, p, b);
        assert.deepEqual(b, a, `d=${d} n=${n} big=${big}`);
      }
      vw.free();
    }
  }
});

test('weightedSumInt8Cols is exact at its bound (Σ|p| = 2^24 − 1, V = −128)', () => {
  const n = 3;
  const d = 19;
  const p = Int32Array.from([WEIGHTED_SUM_MAX_ABS_P_SUM - 2, -1, -1]);
  const v = new Int8Array(n * d).fill(-128);
  for (let j = 0; j < d; j++) v[d + j] = 127; // row 1: p=-1 times 127
  const vw = wasm.prepareMatrix(v, n, d);
  const out = new Int32Array(d);
  wasm.weightedSumInt8Cols(vw, n, p, out);
  const expected = -128 * (WEIGHTED_SUM_MAX_ABS_P_SUM - 2) - 127 + 128;
  assert.deepEqual([...out], new Array(d).fill(expected));
  const r = new Int32Array(d);
  ref.weightedSumInt8Cols(ref.prepareMatrix(v, n, d), n, p, r);
  assert.deepEqual(r, out);
  vw.free();
});

test('both implementations refuse bad lengths, foreign and freed handles with KernelShapeError', () => {
  for (const k of [ref, wasm]) {
    const m = k.prepareMatrix(new Int8Array(12), 3, 4);
    assert.throws(() => k.matvec(m, new Int8Array(3), new Int32Array(3)), KernelShapeError);
    assert.throws(() => k.matvec(m, new Int8Array(4), new Int32Array(4)), KernelShapeError);
    assert.throws(() => k.prepareMatrix(new Int8Array(11), 3, 4), KernelShapeError);
    assert.throws(() => k.matvecInt8(new Int8Array(12), 3, 4, new Int8Array(5), new Int32Array(3)), KernelShapeError);
    assert.throws(() => k.dotInt8Rows(m, 4, new Int8Array(4), new Int32Array(4)), KernelShapeError);
    assert.throws(() => k.weightedSumInt8Cols(m, 2, new Int32Array(3), new Int32Array(4)), KernelShapeError);
    assert.throws(() => k.weightedSumInt8Cols(m, 2, new Int32Array(2), new Int32Array(3)), KernelShapeError);
    assert.throws(() => m.writeRows(2, new Int8Array(8)), KernelShapeError); // rows 2..3 of 3
    assert.throws(() => m.writeRows(0, new Int8Array(5)), KernelShapeError); // not whole rows
    assert.throws(() => k.createMatrix(1, MAX_MATVEC_COLS + 1), KernelShapeError);
    assert.throws(() => k.createMatrix(-1, 4), KernelShapeError);
    const other = k === ref ? wasm : ref;
    assert.throws(() => other.matvec(m, new Int8Array(4), new Int32Array(3)), KernelShapeError);
    m.free();
    assert.throws(() => k.matvec(m, new Int8Array(4), new Int32Array(3)), KernelShapeError);
  }
});

test('resident matrices survive memory growth and freed memory is reused', async () => {
  const k = await createWasmKernels();
  const rng = new SeededRandom(5);
  const w = randomI8(rng, 4 * 40);
  const x = randomI8(rng, 40);
  const small = k.prepareMatrix(w, 4, 40);
  const big = k.createMatrix(1024, 1024); // forces memory.grow: views must be refreshed
  const a = new Int32Array(4);
  const b = new Int32Array(4);
  ref.matvecInt8(w, 4, 40, x, a);
  k.matvec(small, x, b);
  assert.deepEqual(b, a);
  big.free();
  const again = k.createMatrix(1024, 1024);
  assert.deepEqual(again.readRows(1023, 1), new Int8Array(1024)); // zero-filled
  k.matvec(small, x, b);
  assert.deepEqual(b, a);
});
