import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../common/clock.ts';
import { MAX_MATVEC_COLS, matvecInt8Reference } from './matvec.ts';
import { KernelShapeError } from './errors.ts';

test('matvecInt8Reference computes a hand-checked 2x3 product', () => {
  // W = [[1, -2, 3], [-128, 127, 0]], x = [4, 5, -6]
  const w = Int8Array.from([1, -2, 3, -128, 127, 0]);
  const x = Int8Array.from([4, 5, -6]);
  const out = new Int32Array(2);
  matvecInt8Reference(w, 2, 3, x, out);
  assert.deepEqual([...out], [4 - 10 - 18, -512 + 635]);
});

test('matvecInt8Reference agrees with a BigInt recomputation on random shapes', () => {
  const rng = new SeededRandom(7);
  for (let t = 0; t < 20; t++) {
    const rows = 1 + (rng.nextU32() % 9);
    const cols = 1 + (rng.nextU32() % 70);
    const w = new Int8Array(rng.bytes(rows * cols).buffer);
    const x = new Int8Array(rng.bytes(cols).buffer);
    const out = new Int32Array(rows);
    matvecInt8Reference(w, rows, cols, x, out);
    for (let r = 0; r < rows; r++) {
      let s = 0n;
      for (let c = 0; c < cols; c++) s += BigInt(w[r * cols + c]!) * BigInt(x[c]!);
      assert.equal(BigInt(out[r]!), s);
    }
  }
});

test('matvecInt8Reference reaches the documented bound exactly without overflow', () => {
  const cols = MAX_MATVEC_COLS;
  const w = new Int8Array(cols).fill(-128);
  const x = new Int8Array(cols).fill(-128);
  const out = new Int32Array(1);
  matvecInt8Reference(w, 1, cols, x, out);
  assert.equal(out[0], 16384 * cols);
  assert.ok(out[0]! > 0 && out[0]! <= 2 ** 31 - 1);
  x.fill(127); // most negative sum
  matvecInt8Reference(w, 1, cols, x, out);
  assert.equal(out[0], -16256 * cols);
});

test('matvecInt8Reference refuses wrong lengths and out-of-range dimensions with KernelShapeError', () => {
  const ok = () => ({ w: new Int8Array(6), x: new Int8Array(3), out: new Int32Array(2) });
  let a = ok();
  assert.throws(() => matvecInt8Reference(new Int8Array(5), 2, 3, a.x, a.out), KernelShapeError);
  a = ok();
  assert.throws(() => matvecInt8Reference(a.w, 2, 3, new Int8Array(4), a.out), KernelShapeError);
  a = ok();
  assert.throws(() => matvecInt8Reference(a.w, 2, 3, a.x, new Int32Array(3)), KernelShapeError);
  assert.throws(() => matvecInt8Reference(a.w, 2.5, 3, a.x, a.out), KernelShapeError);
  assert.throws(() => matvecInt8Reference(a.w, -1, 3, a.x, a.out), KernelShapeError);
  assert.throws(
    () => matvecInt8Reference(new Int8Array(MAX_MATVEC_COLS + 1), 1, MAX_MATVEC_COLS + 1, new Int8Array(MAX_MATVEC_COLS + 1), new Int32Array(1)),
    (e: unknown) => e instanceof KernelShapeError && e.code === 'KERNEL_SHAPE' && e.details.argument === 'cols',
  );
});
