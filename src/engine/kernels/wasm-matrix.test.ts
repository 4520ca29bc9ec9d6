import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelShapeError } from './errors.ts';
import { createWasmKernels } from './wasm.ts';

// wasm.test.ts covers foreign handles from the *reference* kernels and freed handles on kernel calls; these cover
// a handle of one wasm instance used on another (ownership is checked against the instance's memory), and the
// handle's own writeRows / readRows after free().

test('a wasm matrix handle is refused by another wasm instance (kernels and program offsets)', async () => {
  const a = await createWasmKernels();
  const b = await createWasmKernels();
  const m = a.prepareMatrix(new Int8Array([1, 2, 3, 4, 5, 6]), 2, 3);
  const out = new Int32Array(2);
  a.matvec(m, new Int8Array([1, 1, 1]), out);
  assert.deepEqual([...out], [6, 15]); // the owner accepts it
  const foreign = (e: unknown): boolean =>
    e instanceof KernelShapeError && e.details.argument === 'matrix' && e.details.expected === 'a handle made by this Kernels instance';
  assert.throws(() => b.matvec(m, new Int8Array(3), new Int32Array(2)), foreign);
  assert.throws(() => b.matvecI32(m, new Int32Array(3), null, new Int32Array(2)), foreign);
  assert.throws(() => b.attnScores(m, 1, 1, new Int8Array(3), new Int32Array(2), 0), foreign);
  assert.throws(() => b.programs!.matrixOffset(m), foreign);
  assert.equal(typeof a.programs!.matrixOffset(m), 'number');
  m.free();
});

test('writeRows and readRows on a freed wasm matrix throw KernelShapeError', async () => {
  const k = await createWasmKernels();
  const m = k.createMatrix(2, 4);
  m.writeRows(1, new Int8Array([-128, 0, 1, 127]));
  assert.deepEqual([...m.readRows(0, 2)], [0, 0, 0, 0, -128, 0, 1, 127]);
  m.free();
  m.free(); // idempotent
  const freed = (e: unknown): boolean => e instanceof KernelShapeError && e.details.actual === 'a freed handle';
  assert.throws(() => m.writeRows(0, new Int8Array(4)), freed);
  assert.throws(() => m.readRows(0, 1), freed);
  assert.throws(() => k.matvec(m, new Int8Array(4), new Int32Array(2)), freed);
});
