/**
 * Identity benchmark (issue 2 "Benchmark"; whitepaper §2.1, S/Kademlia puzzles). Prints ONE JSON object.
 *
 *   node_modules/.bin/node bench/identity.ts [--runs 11] [--c1 16] [--workers 2]
 *
 * Figures (method in docs/identity.md):
 * - staticAttemptsPerSecondPerCore: one thread, warm, the grinding loop itself (batched point walk +
 *   two in-place wasm keccak256 per attempt), over ~1 s;
 * - dynamicAttemptsPerSecondPerCore: one thread, one keccak256 of NodeAddress XOR X per attempt;
 * - naiveAttemptsPerSecond: the reference in the same run — a fresh random key, a full scalar
 *   multiplication (noble getPublicKey) and two keccak256 per attempt; speedupVsNaive is the ratio;
 * - medianSecondsC1_16 / p90: wall time of grindStaticIdentity(c1, { workers }) over `runs` runs,
 *   worker start-up and termination included (each run starts fresh workers);
 * - verifyMicroseconds: median time of verifyIdentity with both puzzles (point validation, three
 *   keccak256); verifyPuzzlesMicroseconds: verifyStaticPuzzle + verifyDynamicPuzzle alone.
 *
 * The machine is shared: os.loadavg() is recorded before and after; compare ratios within one run.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak256 } from '../src/crypto/keccak.ts';
import { PointWalk } from '../src/crypto/secp256k1-walk.ts';
import { bytesToBigInt, leadingZeroBits } from '../src/common/bytes.ts';
import { createInPlaceKeccak } from '../src/crypto/keccak-in-place.ts';
import { searchDynamicChunk, searchStaticBatch, viewOf } from '../src/identity/grind-search.ts';
import { grindStaticIdentity } from '../src/identity/grind.ts';
import { verifyIdentity } from '../src/identity/verify-identity.ts';
import { verifyDynamicPuzzle, verifyStaticPuzzle } from '../src/identity/puzzle.ts';

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`bench/identity.ts: --${name} needs a positive integer\nusage: node bench/identity.ts [--runs 11] [--c1 16] [--workers 2]\n`);
    process.exit(2);
  }
  return value;
}
const runs = argument('runs', 11);
const c1 = argument('c1', 16);
const workers = argument('workers', 2);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const median = (xs: number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** Runs `body` (which returns attempts made) repeatedly for ~`ms`, after a warm-up; attempts per second. */
function rate(ms: number, body: () => number): number {
  const warm = performance.now();
  while (performance.now() - warm < 200) body();
  let attempts = 0;
  const start = performance.now();
  while (performance.now() - start < ms) attempts += body();
  return attempts / ((performance.now() - start) / 1000);
}

const loadBefore = os.loadavg();
const keccak = await createInPlaceKeccak();
const view = viewOf(keccak);

const walk = new PointWalk(bytesToBigInt(secp256k1.utils.randomSecretKey()));
const staticRate = rate(1000, () => {
  // Difficulty 256: never met, so every point of the batch is hashed.
  searchStaticBatch(walk, keccak, view, 256);
  walk.advance();
  return walk.batchSize;
});

const mixed = new Uint8Array(randomBytes(32));
let counter = 0;
const dynamicRate = rate(1000, () => {
  searchDynamicChunk(keccak, view, mixed, counter, 4096, 256);
  counter = (counter + 4096) >>> 0;
  return 4096;
});

let sink = 0;
const naiveRate = rate(1000, () => {
  for (let i = 0; i < 16; i++) {
    const pk = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false);
    sink += leadingZeroBits(keccak256(keccak256(pk.subarray(1))));
  }
  return 16;
});

// Verification: a real identity, both puzzles.
const id = await grindStaticIdentity(8, { workers: 1 });
const x = new Uint8Array(randomBytes(32));
const verifyTimes: number[] = [];
const puzzleTimes: number[] = [];
for (let block = 0; block < 21; block++) {
  let t = performance.now();
  for (let i = 0; i < 200; i++) sink += verifyIdentity({ publicKey: id.publicKey, c1: 8, x, c2: 0 }).valid ? 1 : 0;
  verifyTimes.push(((performance.now() - t) * 1000) / 200);
  t = performance.now();
  for (let i = 0; i < 200; i++) {
    sink += verifyStaticPuzzle(id.nodeAddress, 8) && verifyDynamicPuzzle(id.nodeAddress, x, 0) ? 1 : 0;
  }
  puzzleTimes.push(((performance.now() - t) * 1000) / 200);
}

// Time to a c1 identity, fresh workers each run, start-up included.
const seconds: number[] = [];
const attempts: number[] = [];
for (let r = 0; r < runs; r++) {
  const t = performance.now();
  const result = await grindStaticIdentity(c1, { workers });
  seconds.push((performance.now() - t) / 1000);
  attempts.push(result.attempts);
}
const sorted = [...seconds].sort((a, b) => a - b);

console.log(
  JSON.stringify({
    name: 'identity',
    machine: {
      cpus: os.availableParallelism(),
      model: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadavgBefore: loadBefore.map((l) => round(l, 2)),
      loadavgAfter: os.loadavg().map((l) => round(l, 2)),
    },
    rawWasmKeccak: keccak.raw,
    staticAttemptsPerSecondPerCore: Math.round(staticRate),
    dynamicAttemptsPerSecondPerCore: Math.round(dynamicRate),
    c1,
    workers,
    runs,
    medianSecondsC1_16: round(quantile(sorted, 0.5), 3),
    p90: round(quantile(sorted, 0.9), 3),
    secondsPerRun: seconds.map((s) => round(s, 3)),
    medianAttempts: median(attempts),
    expectedAttempts: 2 ** c1,
    verifyMicroseconds: round(median(verifyTimes), 2),
    verifyPuzzlesMicroseconds: round(median(puzzleTimes), 2),
    naiveAttemptsPerSecond: Math.round(naiveRate),
    speedupVsNaive: round(staticRate / naiveRate, 1),
    checksum: sink > 0,
  }),
);
