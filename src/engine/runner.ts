/**
 * The runner: executes a validated model on a query, producing the output, its hash and — only on demand —
 * the full execution trace (whitepaper §2.2.5; engine.md §5).
 *
 * Steps. A 'classify' model runs one step. A 'generate' model runs one step per position t = 0, 1, …: step t
 * reads token t (the prompt's for t < P, else the token chosen at step t−1) and chooses the next token; the
 * tokens chosen at steps P−1, P, … are the output. Generation stops after maxTokens tokens, at <eos>, or when
 * the context is full (t = contextLength − 1). Steps run = P − 1 + (tokens generated).
 *
 * Trace. Element (s, n, i) — element i of node n at step s — has index s·stepElements + offsets[n] + i: step after
 * step, node after node, position after position. Every element is an int32. The happy path (trace: false)
 * keeps only the current and previous step and the KV-cache nodes' history: O(stepElements + C·cache) memory.
 *
 * outputHash = keccak256(output elements as int32 little-endian, in order).
 *
 * The parts: run-query.ts (input checks), run-options.ts (settings, profiler), run-result.ts (result, hashed
 * bytes), run-errors.ts, resident-model.ts (weights and values in the kernels' memory), whole-step-plan.ts (the
 * wasm program path), live-nodes.ts (happy-path liveness). This file holds the step loop; importers import each
 * part's names from the part itself.
 */
import { keccak256 } from '../crypto/keccak.ts';
import type { LoadedModel } from './model-file.ts';
import type { RunEnv } from './ops/op.ts';
import { ResidentModel } from './resident-model.ts';
import { KernelMemoryMovedError, TraceTooLargeError } from './run-errors.ts';
import { DEFAULTS } from './run-options.ts';
import type { RunnerOptions, RunOptions } from './run-options.ts';
import { prepareQuery } from './run-query.ts';
import type { RunInput } from './run-query.ts';
import { outputBytes } from './run-result.ts';
import type { RunResult } from './run-result.ts';
import { WholeStepPlan } from './whole-step-plan.ts';

/** RunEnv.hist on the whole-step path: no op reads it (attention reads its resident KV matrix). */
const NO_HISTORY: (Int32Array | null)[] = [];

/** A model bound to a kernels instance (weights made resident once), able to run many queries. */
export class Runner {
  readonly model: LoadedModel;
  readonly options: RunnerOptions;
  /** Node views, value sets and small weights in the kernels' memory. */
  private readonly resident: ResidentModel;
  /**
   * The whole-step program (kernels with `programs`, i.e. wasm): every non-source node in graph order as one
   * record, run in one call per step on the resident value set A (a single value set: see run()). null = per-node
   * path (the reference kernels).
   */
  private readonly plan: WholeStepPlan | null = null;

  constructor(model: LoadedModel, options: Partial<RunnerOptions> = {}) {
    this.model = model;
    this.options = { ...DEFAULTS, ...options };
    const { kernels, programOps } = this.options;
    this.resident = new ResidentModel(model, kernels, Boolean(kernels.programs) && programOps.size > 0);
    if (kernels.programs && model.layout.defs.some((d) => programOps.has(d.code))) {
      this.plan = new WholeStepPlan(model, this.resident, kernels.programs, programOps);
      // Allocating the program may have grown the memory: re-make the views.
      this.resident.refresh();
    }
  }

  /** Whether runs take the whole-step path (a program in the kernels' memory; else the per-node path). */
  get wholeStep(): boolean {
    return this.plan !== null;
  }

  /** Frees the kernels' resident matrices and vectors. */
  close(): void {
    this.plan?.free();
    this.resident.free();
  }

  run(input: RunInput, options: RunOptions = {}): RunResult {
    const { model, resident } = this;
    const { meta, layout, nodes } = model;
    const { query, maxTokens } = prepareQuery(model, input);
    const P = query.prompt.length;
    const C = meta.contextLength;
    const maxSteps = meta.task === 'classify' ? 1 : Math.min(C, P - 1 + maxTokens);
    let trace: Int32Array | null = null;
    if (options.trace) {
      const elements = maxSteps * layout.stepElements;
      if (elements > this.options.maxTraceElements) throw new TraceTooLargeError(elements, this.options.maxTraceElements);
      trace = new Int32Array(elements);
    }
    const plan = this.plan;
    // The per-node path keeps the KV-history copies (hist) and zeroes both value sets. The whole-step path needs
    // neither: no op reads hist (attention reads its resident KV matrix), and every value is written at step t
    // before anything reads it (the token source reads the previous step's output only from t = P on).
    const hist: (Int32Array | null)[] = plan === null ? nodes.map(() => null) : NO_HISTORY;
    if (plan === null) for (const h of layout.historyNodes) hist[h] = new Int32Array(C * nodes[h]!.size);
    // Another runner on the same kernels may have grown their memory since the last run: re-bind the views.
    resident.refresh();
    let cur = resident.valuesA;
    let prev = resident.valuesB;
    if (plan === null) {
      for (const v of cur) v.fill(0);
      for (const v of prev) v.fill(0);
    }
    const env: RunEnv = { t: 0, vals: cur, prev: null, hist, views: resident.views, query, kernels: this.options.kernels, scratch8: resident.scratch8 };
    const out: number[] = [];
    const eos = layout.tokenizer?.eosId ?? -1;
    let steps = 0;
    const profiler = options.profiler ?? null;
    const oneCall = plan?.oneCallFor(query.seed) ?? null;
    if (plan !== null && oneCall !== null && !trace && profiler === null) {
      // Happy path: the whole generation in one wasm call (the same steps as the loop below).
      const run = plan.generate(oneCall, query, maxSteps, maxTokens, eos);
      return { ...run, stepElements: layout.stepElements, promptLength: P, trace: null };
    }
    for (let t = 0; t < maxSteps; t++) {
      env.t = t;
      if (plan !== null) {
        // Whole-step path: one value set (cur). The token source reads the output node "at step t − 1" — still
        // in cur, since that node comes later in the graph and has not run yet at step t — so prev = cur.
        env.prev = t > 0 ? cur : null;
        plan.runStep(env, cur, t, profiler);
        if (trace) for (let id = 0; id < nodes.length; id++) trace.set(cur[id]!, t * layout.stepElements + layout.offsets[id]!);
      } else {
        env.vals = cur;
        for (let id = 0; id < nodes.length; id++) {
          const vals = cur[id]!;
          if (profiler === null) layout.defs[id]!.run(env, id, nodes[id]!, vals);
          else {
            const t0 = profiler.now();
            layout.defs[id]!.run(env, id, nodes[id]!, vals);
            profiler.record(id, profiler.now() - t0);
          }
          const h = hist[id];
          if (h) h.set(vals, t * vals.length);
          if (trace) trace.set(vals, t * layout.stepElements + layout.offsets[id]!);
        }
      }
      // Nothing a run calls allocates in the kernels' memory (createVectors reserved the scratch), so the views
      // cannot have been detached; check anyway rather than return values read from a detached view.
      if (resident.refresh()) throw new KernelMemoryMovedError(t);
      steps = t + 1;
      if (meta.task === 'classify') {
        out.push(...cur[meta.outputNode]!);
        break;
      }
      if (t >= P - 1) {
        const tok = cur[meta.outputNode]![0]!;
        out.push(tok);
        if (out.length >= maxTokens || tok === eos) break;
      }
      if (plan === null) {
        // Per-node path: two value sets, swapped each step (the token source reads the previous step's output).
        [prev, cur] = [cur, prev];
        env.prev = prev;
      }
    }
    const output = Int32Array.from(out);
    return {
      output,
      outputHash: keccak256(outputBytes(output)),
      steps,
      stepElements: layout.stepElements,
      promptLength: P,
      trace: trace ? trace.subarray(0, steps * layout.stepElements) : null,
    };
  }
}

/** One-shot run with the reference kernels (tests, small models). */
export function runModel(model: LoadedModel, input: RunInput, options: RunOptions & Partial<RunnerOptions> = {}): RunResult {
  const runner = new Runner(model, options);
  try {
    return runner.run(input, options);
  } finally {
    runner.close();
  }
}
