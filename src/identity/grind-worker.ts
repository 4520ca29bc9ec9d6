/**
 * Worker thread for puzzle grinding (§2.1). Started by grind.ts, one per core; each walks from its
 * own random start, posts cumulative attempt counts every `progressIntervalMs`, and posts the first
 * solution it finds. The main thread terminates every worker once one has answered, so this loop
 * never needs to listen for a stop message.
 *
 * Messages out (GrindWorkerMessage): progress { attempts }, found { secret | x, attempts }, failed { message }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { PointWalk, CURVE_N } from '../crypto/secp256k1-walk.ts';
import { bigIntToBytes, bytesToBigInt } from '../common/bytes.ts';
import { createInPlaceKeccak } from '../crypto/keccak-in-place.ts';
import { searchDynamicChunk, searchStaticBatch, viewOf } from './grind-search.ts';

export interface GrindWorkerData {
  kind: 'static' | 'dynamic';
  /** Required leading zero bits. */
  difficulty: number;
  /** Dynamic puzzle only: the 32-byte NodeAddress. */
  nodeAddress?: Uint8Array;
  progressIntervalMs: number;
  /** Static puzzle: points per field inversion. */
  batchSize: number;
  /**
   * One u64 per worker (BigUint64Array over a SharedArrayBuffer): each worker stores its running
   * attempt count at `index` after every batch, so the parent can count every worker's work at the
   * moment one of them finds an answer (progress messages arrive only every progressIntervalMs).
   */
  counters: SharedArrayBuffer;
  index: number;
}

export type GrindWorkerMessage =
  | { type: 'progress'; attempts: number }
  | { type: 'found'; attempts: number; secret?: Uint8Array; x?: Uint8Array }
  | { type: 'failed'; message: string };

/** Dynamic attempts between clock reads (~5 ms of work). */
const DYNAMIC_CHUNK = 4096;

function post(message: GrindWorkerMessage): void {
  parentPort!.postMessage(message);
}

/** A uniformly random secret in 1..n−1 (rejection sampling; rejects with probability < 2^−127). */
function randomSecret(): bigint {
  for (;;) {
    const k = bytesToBigInt(new Uint8Array(randomBytes(32)));
    if (k >= 1n && k < CURVE_N) return k;
  }
}

/** Publishes this worker's running attempt count in the shared counters (one atomic store). */
function counterOf(data: GrindWorkerData): (attempts: number) => void {
  const counters = new BigUint64Array(data.counters);
  return (attempts) => void Atomics.store(counters, data.index, BigInt(attempts));
}

async function runStatic(data: GrindWorkerData): Promise<void> {
  const keccak = await createInPlaceKeccak();
  const view = viewOf(keccak);
  const walk = new PointWalk(randomSecret(), data.batchSize);
  const count = counterOf(data);
  let attempts = 0;
  let nextReport = performance.now() + data.progressIntervalMs;
  for (;;) {
    const j = searchStaticBatch(walk, keccak, view, data.difficulty);
    if (j >= 0) {
      count(attempts + j + 1);
      post({ type: 'found', attempts: attempts + j + 1, secret: bigIntToBytes(walk.secretAt(j), 32) });
      return;
    }
    attempts += walk.batchSize;
    count(attempts);
    const now = performance.now();
    if (now >= nextReport) {
      post({ type: 'progress', attempts });
      nextReport = now + data.progressIntervalMs;
    }
    walk.advance();
  }
}

async function runDynamic(data: GrindWorkerData): Promise<void> {
  const nodeAddress = data.nodeAddress!;
  const keccak = await createInPlaceKeccak();
  const view = viewOf(keccak);
  const count = counterOf(data);
  let attempts = 0;
  let nextReport = performance.now() + data.progressIntervalMs;
  for (;;) {
    // A fresh random 28-byte prefix per 2^32 counters: workers never overlap (collision ~2^−224).
    const prefix = new Uint8Array(randomBytes(32));
    prefix.fill(0, 28);
    const mixed = new Uint8Array(32);
    for (let i = 0; i < 32; i++) mixed[i] = nodeAddress[i]! ^ prefix[i]!;
    for (let from = 0; from < 2 ** 32; from += DYNAMIC_CHUNK) {
      const counter = searchDynamicChunk(keccak, view, mixed, from, DYNAMIC_CHUNK, data.difficulty);
      if (counter >= 0) {
        const x = prefix.slice();
        new DataView(x.buffer).setUint32(28, counter);
        count(attempts + (counter - from) + 1);
        post({ type: 'found', attempts: attempts + (counter - from) + 1, x });
        return;
      }
      attempts += DYNAMIC_CHUNK;
      count(attempts);
      const now = performance.now();
      if (now >= nextReport) {
        post({ type: 'progress', attempts });
        nextReport = now + data.progressIntervalMs;
      }
    }
  }
}

if (parentPort !== null) {
  const data = workerData as GrindWorkerData;
  (data.kind === 'static' ? runStatic(data) : runDynamic(data)).catch((error: unknown) => {
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  });
}
