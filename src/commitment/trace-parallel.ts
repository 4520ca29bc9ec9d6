/**
 * Multi-core trace commitment (whitepaper §2.2.6; issue 4's goal: 10^7 elements in ≤ 1 s on 2 cores).
 *
 * The leaves are split into W contiguous ranges aligned to subtrees of 2^m leaves (m = D − ceil(log2 W)
 * − 3, so there are about 8·W such subtrees to balance); each worker thread hashes levels 1..m of its
 * ranges into SharedArrayBuffers, and the calling thread hashes the few nodes of levels m+1..D. The
 * result is bit-identical to `commitTrace` (tested), so any machine, any worker count, gives the same root.
 */
import { Worker } from 'node:worker_threads';
import { CommitmentParameterError } from './errors.ts';
import { createPairHasher } from './keccak-pairs.ts';
import { depthFor, nodesAtLevel, zeroWords, type MerkleTree } from './merkle.ts';
import { arityBits, commitTrace, DEFAULTS, traceCommitmentFromTree, traceLeafCount, type TraceCommitOptions, type TraceCommitment } from './trace.ts';
import type { TraceWorkerJob, TraceWorkerReply } from './trace-worker.ts';

/** Below this depth (2^10 leaves = 8,192 elements) a single thread is faster than posting jobs. */
const MIN_PARALLEL_DEPTH = 10;
/** Most worker threads a pool may start. */
const MAX_WORKERS = 64;

const hasher = await createPairHasher();

/** The worker file beside this one: `.ts` when run from source by type stripping, `.js` once compiled. */
function workerUrl(): URL {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./trace-worker${extension}`, import.meta.url);
}

/** A set of worker threads reused across commitments (starting one costs tens of milliseconds). */
export class TraceCommitPool {
  readonly size: number;
  private readonly workers: Worker[];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  private constructor(workers: Worker[]) {
    this.workers = workers;
    this.size = workers.length;
    for (const worker of workers) {
      worker.on('message', (reply: TraceWorkerReply) => {
        const entry = this.pending.get(reply.id);
        if (entry === undefined) return;
        this.pending.delete(reply.id);
        if (reply.ok) entry.resolve();
        else entry.reject(new CommitmentParameterError('trace worker', reply.id, reply.message));
      });
      worker.on('error', (error) => {
        for (const entry of this.pending.values()) entry.reject(error instanceof Error ? error : new Error(String(error)));
        this.pending.clear();
      });
    }
  }

  /** Starts `workers` threads and waits until each has loaded its hasher. */
  static async create(workers: number = DEFAULTS.workers): Promise<TraceCommitPool> {
    if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
      throw new CommitmentParameterError('workers', workers, `must be an integer in [1, ${MAX_WORKERS}]`);
    }
    const started = await Promise.all(
      Array.from({ length: workers }, () => new Promise<Worker>((resolve, reject) => {
        const worker = new Worker(workerUrl());
        worker.once('online', () => resolve(worker));
        worker.once('error', reject);
      })),
    );
    const pool = new TraceCommitPool(started);
    // A no-op job per worker: resolves once each worker's module (and wasm) is loaded.
    const empty = new SharedArrayBuffer(64);
    await Promise.all(started.map((w) => pool.post(w, { values: empty, elements: 16, levels: [new SharedArrayBuffer(32)], leafStart: 0, leafEnd: 2 })));
    return pool;
  }

  private post(worker: Worker, job: Omit<TraceWorkerJob, 'id'>): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...job, id } satisfies TraceWorkerJob);
    });
  }

  /** Same result as `commitTrace(values, options)`, hashed on the pool's threads. */
  async commit(values: Int32Array, options: Omit<TraceCommitOptions, 'workers'> = {}): Promise<TraceCommitment> {
    const arity = options.arity ?? DEFAULTS.arity;
    arityBits(arity);
    if (!(values instanceof Int32Array)) throw new CommitmentParameterError('values', typeof values, 'must be an Int32Array');
    const leafCount = traceLeafCount(values.length);
    const depth = depthFor(leafCount);
    const W = this.size;
    if (depth < MIN_PARALLEL_DEPTH || W === 1) return commitTrace(values, { arity });

    // Values must be shared memory for the workers to read them without a copy per worker.
    let shared: SharedArrayBuffer;
    if (values.buffer instanceof SharedArrayBuffer && values.byteOffset === 0) {
      shared = values.buffer;
    } else {
      shared = new SharedArrayBuffer(values.byteLength);
      new Int32Array(shared).set(values);
    }
    const top = Math.max(1, depth - Math.ceil(Math.log2(W)) - 3);
    const levelBuffers: SharedArrayBuffer[] = [];
    for (let h = 1; h <= top; h++) levelBuffers.push(new SharedArrayBuffer(nodesAtLevel(leafCount, h) * 32));

    const chunk = 2 ** top;
    const chunks = Math.ceil(leafCount / chunk);
    const jobs: Promise<void>[] = [];
    for (let w = 0; w < W; w++) {
      const first = Math.floor((w * chunks) / W);
      const last = Math.floor(((w + 1) * chunks) / W);
      if (last <= first) continue;
      const leafStart = first * chunk;
      const leafEnd = Math.min(leafCount, last * chunk);
      jobs.push(this.post(this.workers[w]!, { values: shared, elements: values.length, levels: levelBuffers, leafStart, leafEnd }));
    }
    await Promise.all(jobs);

    const levels: Int32Array[] = [new Int32Array(0), ...levelBuffers.map((b) => new Int32Array(b))];
    for (let h = top; h < depth; h++) {
      const next = new Int32Array(nodesAtLevel(leafCount, h + 1) * 8);
      hasher.hashLevel(levels[h]!, nodesAtLevel(leafCount, h), next, zeroWords(h));
      levels.push(next);
    }
    const rootWords = levels[depth]!;
    const tree: MerkleTree = { leafCount, depth, levels, root: new Uint8Array(rootWords.buffer.slice(0, 32)) };
    return traceCommitmentFromTree(tree, values.length, arity);
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** One-off parallel commitment: starts `options.workers` threads, commits, stops them. */
export async function commitTraceParallel(values: Int32Array, options: TraceCommitOptions = {}): Promise<TraceCommitment> {
  const pool = await TraceCommitPool.create(options.workers ?? DEFAULTS.workers);
  try {
    return await pool.commit(values, options.arity === undefined ? {} : { arity: options.arity });
  } finally {
    await pool.close();
  }
}
