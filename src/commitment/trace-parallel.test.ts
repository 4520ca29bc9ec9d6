import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../common/bytes.ts';
import { CommitmentParameterError } from './errors.ts';
import { commitTrace, proveElement, verifyElementProof } from './trace.ts';
import { commitTraceParallel, TraceCommitPool } from './trace-parallel.ts';

function trace(n: number): Int32Array {
  return new Int32Array(n).map((_, i) => Math.imul(i ^ 0x5bd1e995, 0x27d4eb2d));
}

test('worker-thread roots equal the single-thread root for 1, 2 and 3 workers and awkward sizes', async () => {
  const pools = await Promise.all([1, 2, 3].map((w) => TraceCommitPool.create(w)));
  try {
    for (const n of [5, 8192, 8193, 16_385, 100_003, 262_144, 262_151]) {
      const v = trace(n);
      const expected = toHex(commitTrace(v).root);
      for (const pool of pools) {
        const c = await pool.commit(v);
        assert.equal(toHex(c.root), expected, `n = ${n}, workers = ${pool.size}`);
        const i = n - 1;
        assert.ok(verifyElementProof(c.root, proveElement(c, v, i), n));
      }
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
});

test('commitTraceParallel on shared memory input, and typed errors for bad worker counts', async () => {
  const shared = new Int32Array(new SharedArrayBuffer(4 * 70_001)).map((_, i) => i * 3 - 5);
  const c = await commitTraceParallel(shared, { workers: 2, arity: 32 });
  assert.equal(toHex(c.root), toHex(commitTrace(shared).root));
  assert.equal(c.arity, 32);
  await assert.rejects(TraceCommitPool.create(0), CommitmentParameterError);
  await assert.rejects(TraceCommitPool.create(1.5), CommitmentParameterError);
});
