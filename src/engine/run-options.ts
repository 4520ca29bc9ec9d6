/**
 * The runner's settings (per Runner: kernels, trace limit, which ops run inside the whole-step program) and the
 * per-run options (trace on demand, an optional per-op profiler). Whitepaper §2.2.5 (a dispute needs the trace;
 * the happy path only the output hash); engine.md §5.
 */
import type { Kernels } from './kernels/kernels.ts';
import { referenceKernels } from './kernels/kernels.ts';
import { PROGRAM_OP_CODES } from './kernels/step-program.ts';

export interface RunnerOptions {
  /** Kernels for the matvecs; the reference by default (bit-identical to wasm). */
  kernels: Kernels;
  /** Largest trace a run may materialise, in elements (4 bytes each). */
  maxTraceElements: number;
  /**
   * Op codes run inside the whole-step program when the kernels support programs (wasm); every other op runs on
   * the per-node path between program segments. An empty set = the per-node path for everything (A/B runs);
   * a subset exercises the fallback (tests).
   */
  programOps: ReadonlySet<number>;
}

export const DEFAULTS: RunnerOptions = {
  kernels: referenceKernels,
  maxTraceElements: 1 << 28, // 256 Mi elements = 1 GiB: beyond that a dispute should re-run in pieces
  programOps: PROGRAM_OP_CODES, // every op assembly/kernels.ts runProgram implements (all but the sources)
};

/**
 * Optional per-op timing (benchmarks): the runner calls `now()` around each node and `record(nodeId, elapsed)`
 * after it, in the units of `now()`. The runner reads no clock itself (a pure folder); without a profiler the
 * loop takes one null test per node and nothing else.
 */
export interface OpProfiler {
  now(): number;
  record(node: number, elapsed: number): void;
  /**
   * Whole-step path only (wasm kernels): after each step the runner re-runs that step's program once per op
   * kind with only that kind's nodes enabled, and once with none (`op` = ''), timing each call; re-running
   * recomputes identical values (every op is a function of this step's inputs; the KV row t is rewritten with
   * the same bytes), so results are unchanged. Without this method the program path records only the nodes it
   * runs in JavaScript (the sources).
   */
  recordKind?(op: string, elapsed: number): void;
}

export interface RunOptions {
  /** Materialise the full trace (disputes); the happy path (false) computes only the output and its hash. */
  trace?: boolean;
  /** Per-op timing hook; absent = none. */
  profiler?: OpProfiler | null;
}
