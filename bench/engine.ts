/**
 * Engine benchmark (issue 4 "Benchmark"; whitepaper §2.2.6). Prints ONE JSON object.
 *
 *   node_modules/.bin/node bench/engine.ts
 *
 * Figures:
 * - int8 4096×4096 matrix-vector, GMAC/s (median of several runs, weights
 *   resident): the TypeScript reference and the wasm SIMD kernel;
 * - the outside reference in the same run: onnxruntime-node MatMulInteger,
 *   uint8 × int8 with zero point 128 (its fast path), 1 and 2 intra-op threads,
 *   checked bit-exact against our kernel; and the ratio wasm / onnxruntime(1 thread);
 * - tokens/s of the shipped transformer and the 10M-element trace commit time:
 *   null ("pending") until src/engine and src/commitment expose them.
 *
 * onnxruntime-node is NOT a dependency: when missing, this script installs it
 * into .bench-deps/ with its install script disabled (the npm package ships the
 * CPU binary; the script would fetch CUDA bits):
 *   npm install --prefix .bench-deps --no-save --ignore-scripts onnxruntime-node
 *
 * The machine is shared and noisy: compare figures within one run (the ratio),
 * not across runs; os.loadavg() is recorded before and after.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SeededRandom } from '../src/common/clock.ts';
import { matvecInt8Reference } from '../src/engine/kernels/matvec.ts';
import { loadWasmKernels } from '../src/engine/kernels/wasm.ts';
import { commitTrace } from '../src/commitment/trace.ts';
import { matMulIntegerModel } from './onnx-matmul-integer.ts';

const ROOT = join(import.meta.dirname, '..');
const DEPS = join(ROOT, '.bench-deps');
const ORT_ENTRY = join(DEPS, 'node_modules/onnxruntime-node/dist/index.js');

const ROWS = 4096; // output features (N)
const COLS = 4096; // input features (K)
const MACS = ROWS * COLS;

function log(msg: string): void {
  process.stderr.write(`[bench/engine] ${msg}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** GMAC/s of `calls` calls per run, median over `runs` runs. */
async function measure(fn: () => void | Promise<void>, runs: number, calls: number): Promise<{ gmacs: number; runs: number[] }> {
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await fn();
    const ms = performance.now() - t0;
    rates.push((MACS * calls) / (ms * 1e6));
  }
  return { gmacs: round(median(rates)), runs: rates.map(round) };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function sameInt32(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: Uint8Array, dims: number[]) => unknown;
}
interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: Int32Array }>>;
  release(): Promise<void>;
}

async function loadOrt(): Promise<{ ort: OrtModule; version: string }> {
  if (!existsSync(ORT_ENTRY)) {
    log('onnxruntime-node missing: npm install --prefix .bench-deps --no-save --ignore-scripts onnxruntime-node');
    const r = spawnSync('npm', ['install', '--prefix', DEPS, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', 'onnxruntime-node'], {
      stdio: ['ignore', process.stderr, process.stderr],
    });
    if (r.status !== 0 || !existsSync(ORT_ENTRY)) throw new Error(`npm install onnxruntime-node failed (status ${r.status})`);
  }
  const ort = (await import(pathToFileURL(ORT_ENTRY).href)) as unknown as OrtModule & { default?: OrtModule };
  const { createRequire } = await import('node:module');
  const pkg = createRequire(ORT_ENTRY)('../package.json') as { version: string };
  return { ort: ort.default ?? ort, version: pkg.version };
}

const loadStart = os.loadavg();
const rng = new SeededRandom(20260101);
const w = new Int8Array(rng.bytes(MACS).buffer);
const xs = [
  new Int8Array(rng.bytes(COLS).buffer),
  new Int8Array(COLS).fill(-128), // x_u8 = 0
  new Int8Array(COLS).fill(127), // x_u8 = 255: largest |A − 128| on the positive side
];
const x = xs[0]!;

// ---- TypeScript reference ----
log('TS reference…');
const refOut = new Int32Array(ROWS);
matvecInt8Reference(w, ROWS, COLS, x, refOut); // warm-up
const reference = await measure(() => matvecInt8Reference(w, ROWS, COLS, x, refOut), 5, 1);

// ---- wasm SIMD ----
log('wasm SIMD…');
const kernels = await loadWasmKernels();
const m = kernels.prepareMatrix(w, ROWS, COLS);
const wasmOut = new Int32Array(ROWS);
for (let i = 0; i < 30; i++) kernels.matvec(m, x, wasmOut); // let the wasm tier up to the optimising compiler
const wasmBitExact = xs.every((xv) => {
  const a = new Int32Array(ROWS);
  const b = new Int32Array(ROWS);
  matvecInt8Reference(w, ROWS, COLS, xv, a);
  kernels.matvec(m, xv, b);
  return sameInt32(a, b);
});
// Measured below, interleaved with onnxruntime; alone if onnxruntime is unavailable.
const wasmRates: number[] = [];

// ---- onnxruntime-node MatMulInteger ----
// The wasm kernel and onnxruntime (1 thread) are measured in alternating rounds,
// so that load from other processes hits both alike; the ratio is the median of
// the per-round ratios.
let onnxruntime: Record<string, unknown> | null = null;
let ratio: number | null = null;
try {
  const { ort, version } = await loadOrt();
  // B (K, N) = Wᵀ so that (A − 128) @ B = W @ x.
  const b = new Int8Array(MACS);
  for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) b[c * ROWS + r] = w[r * COLS + c]!;
  const model = matMulIntegerModel(b, COLS, ROWS);
  const toU8 = (xv: Int8Array): Uint8Array => Uint8Array.from(xv, (v) => v + 128);
  const feeds = (xv: Int8Array) => ({ A: new ort.Tensor('uint8', toU8(xv), [1, COLS]) });
  const results: Record<string, unknown> = { version, op: 'MatMulInteger uint8 x int8, a_zero_point 128, B constant initializer' };
  for (const threads of [1, 2]) {
    log(`onnxruntime ${threads} thread(s)…`);
    const session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    let bitExact = true;
    for (const xv of xs) {
      const y = (await session.run(feeds(xv)))['Y']!.data;
      const ours = new Int32Array(ROWS);
      kernels.matvec(m, xv, ours);
      bitExact &&= sameInt32(ours, y);
    }
    const f = feeds(x);
    for (let i = 0; i < 20; i++) await session.run(f);
    const ortRates: number[] = [];
    const roundRatios: number[] = [];
    for (let round_ = 0; round_ < 9; round_++) {
      const o = await measure(async () => {
        await session.run(f);
      }, 1, 20);
      ortRates.push(o.gmacs);
      if (threads === 1) {
        const k = await measure(() => kernels.matvec(m, x, wasmOut), 1, 20);
        wasmRates.push(k.gmacs);
        roundRatios.push(k.gmacs / o.gmacs);
      }
    }
    results[`threads${threads}`] = { gmacs: round(median(ortRates)), runs: ortRates, bitExactWithWasm: bitExact };
    if (threads === 1) ratio = round(median(roundRatios));
    await session.release();
  }
  onnxruntime = results;
} catch (e) {
  log(`onnxruntime unavailable: ${(e as Error).message}`);
  onnxruntime = { error: (e as Error).message };
}
if (wasmRates.length === 0) wasmRates.push(...(await measure(() => kernels.matvec(m, x, wasmOut), 9, 20)).runs);
const wasm = { gmacs: round(median(wasmRates)), runs: wasmRates };

// ---- trace commitment, 10M int32 elements, one thread (src/commitment/trace.ts) ----
log('commitTrace 10M elements, one thread…');
const trace = new Int32Array(10_000_000);
for (let i = 0; i < trace.length; i++) trace[i] = Math.imul(i, 0x9e3779b1);
const commitTimes: number[] = [];
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  commitTrace(trace);
  commitTimes.push((performance.now() - t0) / 1000);
}

const result = {
  name: 'engine',
  matvec: {
    shape: [ROWS, COLS],
    unit: 'GMAC/s (int8 x int8 -> int32, one thread unless stated; median of runs)',
    reference: { gmacs: reference.gmacs, runs: reference.runs },
    wasm: { gmacs: wasm.gmacs, runs: wasm.runs, bitExactWithReference: wasmBitExact, kernel: kernels.name },
    onnxruntime,
    wasmOverOnnxruntime1Thread: ratio,
    ratioMethod: 'median over 9 alternating rounds (20 calls of each per round) of wasm GMAC/s / onnxruntime 1-thread GMAC/s',
    goal: 'wasm >= 0.5x onnxruntime single-threaded, bit-exact',
  },
  transformerTokensPerSecond: null,
  traceCommit10M: { oneCoreSeconds: round(median(commitTimes)), runs: commitTimes.map(round), twoCoresSeconds: null },
  pending: 'transformerTokensPerSecond: no shipped transformer in models/ yet; traceCommit10M.twoCoresSeconds: the parallel commitment (src/commitment/trace-parallel.ts) is not committed yet',
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    node: process.version,
    loadavgStart: loadStart.map(round),
    loadavgEnd: os.loadavg().map(round),
  },
};
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
