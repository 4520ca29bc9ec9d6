/**
 * Worker thread of `TraceCommitPool` (trace-parallel.ts): hashes levels 1..top of a contiguous,
 * subtree-aligned range of leaves of a trace tree into shared level buffers.
 */
import { parentPort } from 'node:worker_threads';
import { createPairHasher } from './keccak-pairs.ts';
import { zeroWords } from './merkle.ts';

/** One job: leaves [leafStart, leafEnd) of a tree over `elements` values; leafStart is a multiple of 2^top. */
export interface TraceWorkerJob {
  id: number;
  values: SharedArrayBuffer;
  elements: number;
  /** levels[h − 1] is the shared buffer of level h, for h = 1..top. */
  levels: SharedArrayBuffer[];
  leafStart: number;
  leafEnd: number;
}

export type TraceWorkerReply = { id: number; ok: true } | { id: number; ok: false; message: string };

const hasher = await createPairHasher();

function run(job: TraceWorkerJob): void {
  const values = new Int32Array(job.values, 0, job.elements);
  const top = job.levels.length;
  // Level 1: nodes [leafStart / 2, ceil(leafEnd / 2)) from values [8·leafStart, min(n, 8·leafEnd)).
  let start = job.leafStart / 2;
  let end = Math.ceil(job.leafEnd / 2);
  const level1 = new Int32Array(job.levels[0]!);
  hasher.hashValuePairs(values.subarray(16 * start, Math.min(job.elements, 16 * end)), level1.subarray(8 * start, 8 * end));
  for (let h = 1; h < top; h++) {
    const src = new Int32Array(job.levels[h - 1]!);
    const dst = new Int32Array(job.levels[h]!);
    const count = end - start;
    const nextStart = start / 2;
    const nextEnd = Math.ceil(end / 2);
    hasher.hashLevel(src.subarray(8 * start, 8 * end), count, dst.subarray(8 * nextStart, 8 * nextEnd), zeroWords(h));
    start = nextStart;
    end = nextEnd;
  }
}

parentPort?.on('message', (job: TraceWorkerJob) => {
  try {
    run(job);
    parentPort?.postMessage({ id: job.id, ok: true } satisfies TraceWorkerReply);
  } catch (error) {
    parentPort?.postMessage({ id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies TraceWorkerReply);
  }
});
