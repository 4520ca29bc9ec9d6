import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../common/clock.ts';
import { KernelShapeError } from './errors.ts';
import { dotInt8RowsReference, weightedSumInt8ColsReference } from './attention.ts';
import { referenceKernels as ref } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { loadWasmKernels } from './wasm.ts';

const wasm: Kernels = await loadWasmKernels();

function randomI8(rng: SeededRandom, n: number): Int8Array {
  return new Int8Array(rng.bytes(n).buffer);
}

/** Head h of rows [0, n) of a (rows, H·dh) matrix as a contiguous (n, dh) matrix. */
function headSlice(m: Int8Array, cols: number, n: number, heads: number, h: number): Int8Array {
  const dh = cols / heads;
  const out = new Int8Array(n * dh);
  for (let j = 0; j < n; j++) out.set(m.subarray(j * cols + h * dh, j * cols + (h + 1) * dh), j * dh);
  return out;
}

/** attn_scores / attn_mix from the single-head reference kernels, head by head (an independent derivation). */
function perHead(K: Int8Array, V: Int8Array, cols: number, n: number, heads: number, q: Int8Array, p: Int8Array, stride: number, fill: number) {
  const dh = cols / heads;
  const scores = new Int32Array(heads * stride).fill(fill);
  const mix = new Int32Array(cols);
  for (let h = 0; h < heads; h++) {
    const s = new Int32Array(n);
    dotInt8RowsReference(headSlice(K, cols, n, heads, h), n, dh, q.subarray(h * dh, (h + 1) * dh), s);
    scores.set(s, h * stride);
    const o = new Int32Array(dh);
    weightedSumInt8ColsReference(headSlice(V, cols, n, heads, h), n, dh, Int32Array.from(p.subarray(h * stride, h * stride + n)), o);
    mix.set(o, h * dh);
  }
  return { scores, mix };
}

// Head dims hitting every wasm path: 16-column blocks, the 8-column block, scalar tails, 4-row blocks and row tails.
const HEADS = [1, 2, 3, 4, 8];
const HEAD_DIMS = [1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 33, 64];

test('multi-head attnScores / attnMix: reference = head-by-head single-head kernels, wasm = reference, on a growing cache', () => {
  const rng = new SeededRandom(41);
  for (const heads of HEADS) {
    for (const dh of HEAD_DIMS) {
      const cols = heads * dh;
      const rows = 1 + (rng.nextU32() % 13);
      const stride = rows + (rng.nextU32() % 3); // C ≥ rows read; slots ≥ n are masked
      const K = randomI8(rng, rows * cols);
      const V = randomI8(rng, rows * cols);
      const kr = ref.createMatrix(rows, cols);
      const vr = ref.createMatrix(rows, cols);
      const kw = wasm.createMatrix(rows, cols);
      const vw = wasm.createMatrix(rows, cols);
      for (let n = 0; n <= rows; n++) {
        if (n > 0) {
          // Append row n−1 as the runner does at step n−1.
          for (const m of [kr, kw]) m.writeRows(n - 1, K.subarray((n - 1) * cols, n * cols));
          for (const m of [vr, vw]) m.writeRows(n - 1, V.subarray((n - 1) * cols, n * cols));
        }
        const q = randomI8(rng, cols);
        const p = randomI8(rng, heads * stride);
        const fill = (rng.nextU32() | 0) || -1;
        const expected = perHead(K, V, cols, n, heads, q, p, stride, fill);
        const sr = new Int32Array(heads * stride);
        const sw = new Int32Array(heads * stride).fill(0x5a5a5a5a);
        ref.attnScores(kr, n, heads, q, sr, fill);
        wasm.attnScores(kw, n, heads, q, sw, fill);
        assert.deepEqual(sr, expected.scores, `ref scores H=${heads} dh=${dh} n=${n}`);
        assert.deepEqual(sw, sr, `wasm scores H=${heads} dh=${dh} n=${n}`);
        const mr = new Int32Array(cols).fill(3);
        const mw = new Int32Array(cols).fill(-3);
        ref.attnMix(vr, n, heads, p, mr);
        wasm.attnMix(vw, n, heads, p, mw);
        assert.deepEqual(mr, expected.mix, `ref mix H=${heads} dh=${dh} n=${n}`);
        assert.deepEqual(mw, mr, `wasm mix H=${heads} dh=${dh} n=${n}`);
      }
      for (const m of [kw, vw]) m.free();
    }
  }
});

test('attention kernels are exact at the int8 edges: −128·−128 everywhere and −128·127', () => {
  for (const k of [ref, wasm]) {
    for (const [heads, dh, n] of [[4, 16, 19], [2, 33, 7], [1, 1024, 5], [3, 9, 64]] as const) {
      const cols = heads * dh;
      const K = k.prepareMatrix(new Int8Array(n * cols).fill(-128), n, cols);
      const scores = new Int32Array(heads * n);
      k.attnScores(K, n, heads, new Int8Array(cols).fill(-128), scores, 0);
      assert.deepEqual([...scores], new Array(heads * n).fill(16384 * dh), `${k.name} scores H=${heads} dh=${dh}`);
      k.attnScores(K, n, heads, new Int8Array(cols).fill(127), scores, 0);
      assert.deepEqual([...scores], new Array(heads * n).fill(-16256 * dh));
      const out = new Int32Array(cols);
      k.attnMix(K, n, heads, new Int8Array(heads * n).fill(-128), out);
      assert.deepEqual([...out], new Array(cols).fill(16384 * n), `${k.name} mix H=${heads} dh=${dh}`);
      k.attnMix(K, n, heads, new Int8Array(heads * n).fill(127), out);
      assert.deepEqual([...out], new Array(cols).fill(-16256 * n));
      K.free();
    }
  }
});

test('attention kernels read only the first n rows: later rows of the cache do not matter', () => {
  const rng = new SeededRandom(42);
  for (const k of [ref, wasm]) {
    const rows = 10;
    const cols = 32;
    const a = k.prepareMatrix(randomI8(rng, rows * cols), rows, cols);
    const b = k.createMatrix(rows, cols);
    b.writeRows(0, a.readRows(0, 4));
    b.writeRows(4, randomI8(rng, 6 * cols));
    const q = randomI8(rng, cols);
    const p = randomI8(rng, 2 * rows);
    const sa = new Int32Array(2 * rows);
    const sb = new Int32Array(2 * rows);
    k.attnScores(a, 4, 2, q, sa, -7);
    k.attnScores(b, 4, 2, q, sb, -7);
    assert.deepEqual(sb, sa);
    assert.equal(sa[5], -7);
    const ma = new Int32Array(cols);
    const mb = new Int32Array(cols);
    k.attnMix(a, 4, 2, p, ma);
    k.attnMix(b, 4, 2, p, mb);
    assert.deepEqual(mb, ma);
    a.free();
    b.free();
  }
});

test('attention kernels refuse bad heads, row counts and lengths with KernelShapeError', () => {
  for (const k of [ref, wasm]) {
    const m = k.createMatrix(5, 12);
    const q = new Int8Array(12);
    assert.throws(() => k.attnScores(m, 5, 5, q, new Int32Array(25), 0), KernelShapeError); // 5 ∤ 12
    assert.throws(() => k.attnScores(m, 5, 0, q, new Int32Array(25), 0), KernelShapeError);
    assert.throws(() => k.attnScores(m, 6, 2, q, new Int32Array(12), 0), KernelShapeError); // n > rows
    assert.throws(() => k.attnScores(m, 5, 2, q, new Int32Array(8), 0), KernelShapeError); // stride 4 < n
    assert.throws(() => k.attnScores(m, 3, 2, q, new Int32Array(7), 0), KernelShapeError); // 7 not heads·stride
    assert.throws(() => k.attnScores(m, 3, 2, new Int8Array(11), new Int32Array(6), 0), KernelShapeError);
    assert.throws(() => k.attnMix(m, 3, 2, new Int8Array(4), new Int32Array(12)), KernelShapeError); // stride 2 < n
    assert.throws(() => k.attnMix(m, 3, 2, new Int8Array(6), new Int32Array(11)), KernelShapeError);
    assert.throws(() => k.attnMix(m, -1, 2, new Int8Array(6), new Int32Array(12)), KernelShapeError);
    m.free();
    assert.throws(() => k.attnMix(m, 3, 2, new Int8Array(6), new Int32Array(12)), KernelShapeError);
  }
});
