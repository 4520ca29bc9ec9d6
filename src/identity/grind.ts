/**
 * Identity generation: solving the S/Kademlia static and dynamic puzzles (§2.1, §1.1.2) on every core.
 *
 * Static: each worker walks P, P + G, P + 2G, … from its own random secret, with one field inversion
 * per batch of points (secp256k1-walk.ts), hashing X ‖ Y twice with wasm keccak — the attacker's own
 * fastest method, so an honest node pays no more than an attacker per identity. Dynamic: each worker
 * tries X = random prefix ‖ counter. The first solution wins; every worker is then terminated, and the
 * answer is re-verified from scratch here (publicKeyOf(secret), then the puzzle) before it is returned.
 *
 * Not pure (worker threads, wall clock for progress). Figures and the choice of defaults: docs/identity.md.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { BaseError, InvalidArgumentError } from '../common/errors.ts';
import { toHex } from '../common/bytes.ts';
import { nodeAddressOf, publicKeyOf, NODE_ADDRESS_LENGTH } from './node-address.ts';
import { assertDifficulty, dynamicPuzzleBits, expectedAttempts, staticPuzzleBits } from './puzzle.ts';
import type { GrindWorkerData, GrindWorkerMessage } from './grind-worker.ts';

export interface GrindProgress {
  /** Attempts made so far, all workers together (the sum of attemptsByWorker). */
  attempts: number;
  /**
   * Each worker's attempts so far, read from the counters the workers share with this thread. A worker
   * still at 0 has not finished its first batch: starting a worker takes seconds on a loaded machine.
   */
  attemptsByWorker: number[];
  attemptsPerSecond: number;
  /** 2^c: the mean number of attempts for difficulty c. */
  expectedAttempts: number;
  /**
   * Expected seconds left: expectedAttempts / attemptsPerSecond. The search is memoryless (every
   * attempt succeeds with probability 2^−c), so the expected time left does not shrink as time passes.
   */
  etaSeconds: number;
  elapsedSeconds: number;
}

export interface GrindOptions {
  /** Worker threads; default os.availableParallelism(). */
  workers?: number;
  onProgress?: (p: GrindProgress) => void;
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

export interface GeneratedIdentity {
  secretKey: Uint8Array;
  /** Uncompressed, 65 bytes (0x04 ‖ X ‖ Y). */
  publicKey: Uint8Array;
  nodeAddress: Uint8Array;
  /** Leading zero bits of keccak256(nodeAddress) actually found (≥ c1). */
  staticBits: number;
  attempts: number;
  seconds: number;
}

export const DEFAULTS = {
  /** ms between progress reports: 4 per second reads as live in a terminal and costs nothing. */
  progressIntervalMs: 250,
  /** Points per field inversion in the static walk: one ~25 µs inversion over 256 points is < 0.1 µs each. */
  batchSize: 256,
  /** Upper bound on worker threads, so a typo cannot start thousands of threads. */
  maxWorkers: 256,
} as const;

export class GrindAbortedError extends BaseError<{ attempts: number; seconds: number }> {
  constructor(attempts: number, seconds: number, cause: unknown) {
    super('IDENTITY_GRIND_ABORTED', 'puzzle grinding aborted', { cause, details: { attempts, seconds } });
  }
}

export class GrindFailedError extends BaseError<{ reason: string }> {
  constructor(reason: string, cause?: unknown) {
    super('IDENTITY_GRIND_FAILED', `puzzle grinding failed: ${reason}`, { cause, details: { reason } });
  }
}

/** The worker module next to this file: .ts when run from source, .js in the compiled package. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './grind-worker.ts' : './grind-worker.js', import.meta.url);

/**
 * Node flags for the workers: inherited (undefined) unless the parent has flags that only make sense
 * for an entry script — `node --input-type=module -e …` would otherwise make every worker fail to start.
 * (Passing execArgv explicitly when not needed would be refused for process-wide flags.)
 */
const WORKER_EXEC_ARGV = process.execArgv.some((flag) => flag.startsWith('--input-type'))
  ? process.execArgv.filter((flag) => !flag.startsWith('--input-type'))
  : undefined;

interface Found {
  message: Extract<GrindWorkerMessage, { type: 'found' }>;
  attempts: number;
  seconds: number;
}

function resolveWorkers(options: GrindOptions): number {
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1 || workers > DEFAULTS.maxWorkers) {
    throw new InvalidArgumentError('workers', `must be an integer in 1..${DEFAULTS.maxWorkers}`);
  }
  return workers;
}

function resolveInterval(options: GrindOptions): number {
  const ms = options.progressIntervalMs ?? DEFAULTS.progressIntervalMs;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 1) {
    throw new InvalidArgumentError('progressIntervalMs', 'must be a number >= 1');
  }
  return ms;
}

/** Starts the workers, reports progress, and settles on the first answer, an abort or a failure. */
function runWorkers(data: Omit<GrindWorkerData, 'counters' | 'index'>, workerCount: number, options: GrindOptions): Promise<Found> {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(new GrindAbortedError(0, 0, signal.reason));

  return new Promise<Found>((resolve, reject) => {
    // Every worker's attempts so far, stored by the workers themselves after each batch: exact to a
    // batch at any moment, including when the first answer arrives and the others are terminated.
    const counters = new SharedArrayBuffer(8 * workerCount);
    const counts = new BigUint64Array(counters);
    const byWorker = (): number[] => Array.from({ length: workerCount }, (_, i) => Number(Atomics.load(counts, i)));
    const total = (): number => byWorker().reduce((sum, n) => sum + n, 0);
    const expected = expectedAttempts(data.difficulty);
    let lastReport = 0;
    let settled = false;
    const workers: Worker[] = [];

    const settle = (outcome: { ok: Found } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // Terminate every worker before settling, so nothing keeps the process alive afterwards.
      void Promise.allSettled(workers.map((w) => w.terminate())).then(() => {
        if ('ok' in outcome) resolve(outcome.ok);
        else reject(outcome.error);
      });
    };
    const onAbort = (): void => settle({ error: new GrindAbortedError(total(), elapsed(), signal?.reason) });
    signal?.addEventListener('abort', onAbort, { once: true });

    for (let i = 0; i < workerCount && !settled; i++) {
      let worker: Worker;
      try {
        worker = new Worker(WORKER_URL, {
          workerData: { ...data, counters, index: i } satisfies GrindWorkerData,
          ...(WORKER_EXEC_ARGV === undefined ? {} : { execArgv: WORKER_EXEC_ARGV }),
        });
      } catch (error) {
        // e.g. a refused execArgv: stop the workers already started rather than leave them running.
        settle({ error: new GrindFailedError('cannot start a worker', error) });
        break;
      }
      workers.push(worker);
      worker.on('message', (message: GrindWorkerMessage) => {
        if (settled) return;
        if (message.type === 'progress') {
          const now = performance.now();
          if (options.onProgress !== undefined && now - lastReport >= data.progressIntervalMs) {
            lastReport = now;
            const seconds = elapsed();
            const attemptsByWorker = byWorker();
            const attempts = attemptsByWorker.reduce((sum, n) => sum + n, 0);
            const rate = seconds > 0 ? attempts / seconds : 0;
            options.onProgress({
              attempts,
              attemptsByWorker,
              attemptsPerSecond: rate,
              expectedAttempts: expected,
              etaSeconds: rate > 0 ? expected / rate : Infinity,
              elapsedSeconds: seconds,
            });
          }
        } else if (message.type === 'found') {
          settle({ ok: { message, attempts: total(), seconds: elapsed() } });
        } else {
          settle({ error: new GrindFailedError(`worker: ${message.message}`) });
        }
      });
      worker.on('error', (error) => settle({ error: new GrindFailedError('worker crashed', error) }));
      worker.on('exit', (code) => settle({ error: new GrindFailedError(`worker exited with code ${code}`) }));
    }
  });
}

/**
 * Generates a key pair whose NodeAddress solves the static puzzle of difficulty c1 (expected 2^c1
 * attempts). The result is checked from scratch before it is returned.
 */
export async function grindStaticIdentity(c1: number, options: GrindOptions = {}): Promise<GeneratedIdentity> {
  assertDifficulty('c1', c1);
  const workers = resolveWorkers(options);
  const progressIntervalMs = resolveInterval(options);
  const found = await runWorkers(
    { kind: 'static', difficulty: c1, progressIntervalMs, batchSize: DEFAULTS.batchSize },
    workers,
    options,
  );
  const secretKey = found.message.secret;
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) throw new GrindFailedError('worker sent no secret');
  let publicKey: Uint8Array;
  try {
    publicKey = publicKeyOf(secretKey);
  } catch (cause) {
    throw new GrindFailedError('worker sent an invalid secret', cause);
  }
  const nodeAddress = nodeAddressOf(publicKey);
  const staticBits = staticPuzzleBits(nodeAddress);
  if (staticBits < c1) {
    throw new GrindFailedError(`worker answer has ${staticBits} < ${c1} bits for ${toHex(nodeAddress)}`);
  }
  return { secretKey, publicKey, nodeAddress, staticBits, attempts: found.attempts, seconds: found.seconds };
}

/**
 * Finds a 32-byte X with keccak256(nodeAddress XOR X) having at least c2 leading zero bits
 * (expected 2^c2 attempts). The result is checked before it is returned.
 */
export async function solveDynamicPuzzle(
  nodeAddress: Uint8Array,
  c2: number,
  options: GrindOptions = {},
): Promise<{ x: Uint8Array; dynamicBits: number; attempts: number; seconds: number }> {
  if (!(nodeAddress instanceof Uint8Array) || nodeAddress.length !== NODE_ADDRESS_LENGTH) {
    throw new InvalidArgumentError('nodeAddress', `expected ${NODE_ADDRESS_LENGTH} bytes`);
  }
  assertDifficulty('c2', c2);
  const workers = resolveWorkers(options);
  const progressIntervalMs = resolveInterval(options);
  const found = await runWorkers(
    { kind: 'dynamic', difficulty: c2, nodeAddress: nodeAddress.slice(), progressIntervalMs, batchSize: DEFAULTS.batchSize },
    workers,
    options,
  );
  const x = found.message.x;
  if (!(x instanceof Uint8Array) || x.length !== 32) throw new GrindFailedError('worker sent no x');
  const dynamicBits = dynamicPuzzleBits(nodeAddress, x);
  if (dynamicBits < c2) throw new GrindFailedError(`worker answer has ${dynamicBits} < ${c2} bits`);
  return { x, dynamicBits, attempts: found.attempts, seconds: found.seconds };
}
