/**
 * secp256k1 on the serving hot path (issue 13, last paragraph; docs/decisions/0004-native-secp256k1-hot-path.md).
 * Prints ONE JSON object.
 *
 *   node_modules/.bin/node bench/signatures.ts [--rounds 5] [--ms 300]
 *
 * Per operation, microseconds per call (median over `rounds` interleaved rounds of ~`ms` each, after a warm-up),
 * over a pool of 64 distinct keys, digests and signatures:
 * - nobleVerify: `@noble/curves` secp256k1.verify (compact r ‖ s, known public key);
 * - nobleRecover: signature.ts recoverPublicKey (our parse + noble recovery) — what every caller uses today;
 * - nativeVerify / nativeRecoverRaw: the `secp256k1` package's libsecp256k1 binding called directly;
 * - fastRecover: crypto/fast-verify.ts recoverPublicKeyFast (the same parse + the native binding): the hot path;
 * - nobleSign / nativeSign: signature.ts signDigest and fast-verify.ts signDigestFast (the same bytes).
 * Ratios (noble over native) are computed within the run: the machine is shared, absolute times drift.
 * `tiny-secp256k1` (libsecp256k1 in WebAssembly) is not installed, so it is not measured.
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { randomBytes } from 'node:crypto';
import { recoverPublicKey, signDigest } from '../src/crypto/signature.ts';
import { fastBackend, recoverPublicKeyFast, signDigestFast } from '../src/crypto/fast-verify.ts';

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`bench/signatures.ts: --${name} needs a positive integer\nusage: node bench/signatures.ts [--rounds 5] [--ms 300]\n`);
    process.exit(2);
  }
  return value;
}
const rounds = argument('rounds', 5);
const ms = argument('ms', 300);

interface Native {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pub: Uint8Array): boolean;
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}
const native = createRequire(import.meta.url)('secp256k1/bindings.js') as Native;

const POOL = 64;
const pool = Array.from({ length: POOL }, () => {
  const sk = secp256k1.utils.randomSecretKey();
  const digest = new Uint8Array(randomBytes(32));
  const sig = signDigest(digest, sk);
  return { sk, digest, sig, compact: sig.slice(0, 64), recid: sig[64]! - 27, pub: secp256k1.getPublicKey(sk, false) };
});

const ops: Record<string, (i: number) => unknown> = {
  nobleVerify: (i) => secp256k1.verify(pool[i]!.compact, pool[i]!.digest, pool[i]!.pub, { prehash: false, lowS: true }),
  nobleRecover: (i) => recoverPublicKey(pool[i]!.digest, pool[i]!.sig),
  nativeVerify: (i) => native.ecdsaVerify(pool[i]!.compact, pool[i]!.digest, pool[i]!.pub),
  nativeRecoverRaw: (i) => native.ecdsaRecover(pool[i]!.compact, pool[i]!.recid, pool[i]!.digest, false),
  fastRecover: (i) => recoverPublicKeyFast(pool[i]!.digest, pool[i]!.sig),
  nobleSign: (i) => signDigest(pool[i]!.digest, pool[i]!.sk),
  nativeSign: (i) => signDigestFast(pool[i]!.digest, pool[i]!.sk),
};

// Correctness before speed: every op must succeed on the pool, and the fast path must agree with noble.
for (const p of pool) {
  if (!secp256k1.verify(p.compact, p.digest, p.pub, { prehash: false }) || !native.ecdsaVerify(p.compact, p.digest, p.pub)) throw new Error('verify failed');
  if (Buffer.compare(recoverPublicKeyFast(p.digest, p.sig), recoverPublicKey(p.digest, p.sig)) !== 0) throw new Error('recover differs');
  if (Buffer.compare(signDigestFast(p.digest, p.sk), p.sig) !== 0) throw new Error('sign differs');
}

/** Microseconds per call of `op` over ~`budget` ms. */
function time(op: (i: number) => unknown, budget: number): number {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budget) {
    for (let j = 0; j < 16; j++) op((calls + j) % POOL);
    calls += 16;
    now = performance.now();
  }
  return ((now - start) * 1000) / calls;
}

const loadBefore = os.loadavg();
for (const op of Object.values(ops)) time(op, 100); // warm-up (JIT, noble's precomputed tables)
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) for (const [name, op] of Object.entries(ops)) samples[name]!.push(time(op, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const us: Record<string, number> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Number(median(v).toFixed(2))]));
const ratio = (a: string, b: string): number => Number((us[a]! / us[b]!).toFixed(1));

console.log(
  JSON.stringify({
    name: 'signatures',
    parameters: { rounds, msPerRound: ms, pool: POOL, hotPathBackend: fastBackend.name, notMeasured: { 'tiny-secp256k1': 'not installed' } },
    microsecondsPerCall: us,
    ratios: {
      verifyNobleOverNative: ratio('nobleVerify', 'nativeVerify'),
      recoverNobleOverFast: ratio('nobleRecover', 'fastRecover'),
      signNobleOverNative: ratio('nobleSign', 'nativeSign'),
      fastRecoverOverRawNative: Number((us.fastRecover! / us.nativeRecoverRaw!).toFixed(2)),
    },
    // The example: a query path that recovers four signatures (e.g. client envelope, EIP-712 query, 2 receipts).
    fourRecoveriesMs: { noble: Number(((4 * us.nobleRecover!) / 1000).toFixed(3)), fast: Number(((4 * us.fastRecover!) / 1000).toFixed(3)) },
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavgStart: loadBefore.map((x) => Number(x.toFixed(2))), loadavgEnd: os.loadavg().map((x) => Number(x.toFixed(2))) },
  }),
);
