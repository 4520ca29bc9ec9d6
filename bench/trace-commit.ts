/**
 * Trace-commitment benchmark (issue 4 "Benchmark"; whitepaper §2.2.6). Prints ONE JSON object.
 *
 *   node_modules/.bin/node bench/trace-commit.ts [--elements N] [--runs R] [--reference-elements M]
 *
 * Figures: the time to commit an N-element trace (default 10^7) on the calling thread (`commitTrace`) and
 * on 2 worker threads (`TraceCommitPool`, warm: threads started beforehand; and cold: `commitTraceParallel`
 * including thread start-up), elements/s, and, on a smaller trace (M, default 10^6) in the same run, the
 * same tree built naively on @noble/hashes' keccak and on hash-wasm's public hasher API, with ratios.
 * The cost model of the dispute (src/commitment/cost-model.ts) for the default arity is included.
 * The machine is shared and noisy: medians of R runs, os.loadavg() before and after; compare ratios.
 */
import os from 'node:os';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { parseArgs } from 'node:util';
import { commitTrace, DEFAULTS } from '../src/commitment/trace.ts';
import { commitTraceParallel, TraceCommitPool } from '../src/commitment/trace-parallel.ts';
import { createPairHasher } from '../src/commitment/keccak-pairs.ts';
import { scenario } from '../src/commitment/cost-model.ts';
import { toHex } from '../src/common/bytes.ts';

const { values: args } = parseArgs({
  options: {
    elements: { type: 'string', default: '10000000' },
    runs: { type: 'string', default: '5' },
    'reference-elements': { type: 'string', default: '1000000' },
  },
});
const N = Number(args.elements);
const RUNS = Number(args.runs);
const M = Number(args['reference-elements']);

function trace(n: number): Int32Array {
  const v = new Int32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.imul(i + 1, 0x9e3779b1);
  return v;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed<T>(f: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await f();
  return { ms: performance.now() - t0, result };
}

/** The tree of docs/commitment.md over `n` values, one 64-byte keccak per inner node via `hash64`. */
function treeWith(values: Int32Array, hash64: (input: Uint8Array) => Uint8Array): Uint8Array {
  const leaves = Math.max(1, Math.ceil(values.length / 8));
  let level = new Uint8Array(leaves * 32);
  const view = new DataView(level.buffer);
  for (let i = 0; i < values.length; i++) view.setInt32(i * 4, values[i]!, false);
  let count = leaves;
  let height = 0;
  let zero: Uint8Array = new Uint8Array(32);
  const pair = new Uint8Array(64);
  while (count > 1) {
    const next = new Uint8Array(Math.ceil(count / 2) * 32);
    for (let j = 0; j < Math.ceil(count / 2); j++) {
      pair.set(level.subarray(64 * j, 64 * j + 32), 0);
      pair.set(2 * j + 1 < count ? level.subarray(64 * j + 32, 64 * j + 64) : zero, 32);
      next.set(hash64(pair), 32 * j);
    }
    const z2 = new Uint8Array(64);
    z2.set(zero, 0);
    z2.set(zero, 32);
    zero = hash64(z2);
    level = next;
    count = Math.ceil(count / 2);
    height++;
  }
  return level.subarray(0, 32);
}

const loadBefore = os.loadavg();
const values = trace(N);

// Warm-up (JIT, wasm) on a small trace, then the measured runs.
commitTrace(trace(100_000));
const single: number[] = [];
let root = '';
for (let r = 0; r < RUNS; r++) {
  const { ms, result } = await timed(() => commitTrace(values));
  single.push(ms);
  root = toHex(result.root);
}

const pool = await TraceCommitPool.create(2);
await pool.commit(trace(100_000));
const two: number[] = [];
let rootTwo = '';
for (let r = 0; r < RUNS; r++) {
  const { ms, result } = await timed(() => pool.commit(values));
  two.push(ms);
  rootTwo = toHex(result.root);
}
await pool.close();
const cold = await timed(() => commitTraceParallel(values, { workers: 2 }));

// References on the smaller trace, same tree.
const small = trace(M);
const ours = median([0, 1, 2].map(() => { const t0 = performance.now(); commitTrace(small); return performance.now() - t0; }));
const noble = await timed(() => treeWith(small, (x) => keccak_256(x)));
const { createKeccak } = await import('hash-wasm');
const publicApi = await createKeccak(256);
const hashWasmPublic = await timed(() => treeWith(small, (x) => { publicApi.init(); publicApi.update(x); return publicApi.digest('binary'); }));
const rawHasher = await createPairHasher();
const sameRoot = toHex(noble.result) === toHex(commitTrace(small).root) && toHex(hashWasmPublic.result) === toHex(noble.result);

const model = scenario(1e7, 4096, DEFAULTS.arity);
console.log(JSON.stringify({
  name: 'trace-commit',
  parameters: { elements: N, runs: RUNS, referenceElements: M, elementsPerLeaf: 8, leafHash: 'none (raw 32-byte leaves)', arity: DEFAULTS.arity },
  figures: {
    singleThreadMs: Math.round(median(single)),
    singleThreadElementsPerSecond: Math.round(N / (median(single) / 1000)),
    twoWorkersWarmMs: Math.round(median(two)),
    twoWorkersElementsPerSecond: Math.round(N / (median(two) / 1000)),
    twoWorkersColdMs: Math.round(cold.ms),
    speedupTwoWorkers: +(median(single) / median(two)).toFixed(2),
    allRunsMs: { single: single.map(Math.round), twoWorkers: two.map(Math.round) },
    rootsAgree: root === rootTwo && root === toHex(cold.result.root),
    root,
    reference: {
      elements: M,
      oursMs: +ours.toFixed(1),
      nobleKeccakMs: Math.round(noble.ms),
      hashWasmPublicApiMs: Math.round(hashWasmPublic.ms),
      nobleOverOurs: +(noble.ms / ours).toFixed(1),
      hashWasmPublicApiOverOurs: +(hashWasmPublic.ms / ours).toFixed(2),
      sameRoot,
      rawWasmEntryPoint: rawHasher.raw,
    },
  },
  costModel: {
    note: 'estimates from src/commitment/cost-model.ts, 10^7 elements, fan-in 4,096, default arity; see docs/commitment.md',
    rounds: model.rounds,
    resendTotalGas: model.resend.totalGas,
    differenceProofTotalGas: model.differenceProof.totalGas,
    oneStepMacGas: model.oneStepMac.gas,
    oneStepElementwise2Gas: model.oneStepElementwise2.gas,
    oneStepElementwise3Gas: model.oneStepElementwise3.gas,
  },
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadavgBefore: loadBefore.map((x) => +x.toFixed(2)),
    loadavgAfter: os.loadavg().map((x) => +x.toFixed(2)),
    shared: 'yes: ~8 other engineers on 2 cores; figures are noisy',
  },
}));
