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
 */
import { BaseError } from '../common/errors.ts';
import { keccak256 } from '../crypto/keccak.ts';
import type { Kernels, ResidentVectors } from './kernels/kernels.ts';
import { referenceKernels } from './kernels/kernels.ts';
import { encodeProgram, opMask, programFlags, PROGRAM_FLAG_MULHI, PROGRAM_OP_CODES, PROGRAM_SOURCE_CODES, requantPreShift } from './kernels/step-program.ts';
import { minMax } from './ops/op.ts';
import type { ProgramRecord, StepProgram } from './kernels/step-program.ts';
import type { LoadedModel } from './model-file.ts';
import type { NodeViews, RunEnv, RunQuery } from './ops/op.ts';

export interface RunInput {
  /** Prompt token ids (generate), 1 ≤ length ≤ contextLength. */
  prompt?: ArrayLike<number>;
  /** Input vector (classify), int8, one entry per element of the vector node. */
  vector?: ArrayLike<number>;
  /** Most tokens to generate (generate), ≥ 1. */
  maxTokens?: number;
  /** Sampling seed in [0, 2^64); null or absent = greedy. */
  seed?: bigint | number | null;
}

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

export interface RunResult {
  /** Generated token ids (generate) or the output node's elements (classify). */
  output: Int32Array;
  /** keccak256 of `output` as int32 LE. */
  outputHash: Uint8Array;
  /** Steps executed. */
  steps: number;
  /** Elements per step. */
  stepElements: number;
  /** Prompt length P (0 for classify). */
  promptLength: number;
  /** The full trace (only with trace: true): steps · stepElements int32. */
  trace: Int32Array | null;
}

export class RunInputError extends BaseError<{ reason: string }> {
  constructor(reason: string) {
    super('ENGINE_BAD_INPUT', `bad run input: ${reason}`, { details: { reason } });
  }
}

export class TraceTooLargeError extends BaseError<{ elements: number; limit: number }> {
  constructor(elements: number, limit: number) {
    super('ENGINE_TRACE_TOO_LARGE', `trace of ${elements} elements exceeds the limit of ${limit}`, { details: { elements, limit } });
  }
}

/** The kernels' memory moved during a run (an allocation inside a kernel call): a bug, never a bad input. */
export class KernelMemoryMovedError extends BaseError<{ step: number }> {
  constructor(step: number) {
    super('ENGINE_KERNEL_MEMORY_MOVED', `the kernels' memory grew during step ${step} of a run`, { details: { step } });
  }
}

/** RunEnv.hist on the whole-step path: no op reads it (attention reads its resident KV matrix). */
const NO_HISTORY: (Int32Array | null)[] = [];

/** Bytes hashed into outputHash. */
export function outputBytes(output: Int32Array): Uint8Array {
  const bytes = new Uint8Array(output.length * 4);
  const view = new DataView(bytes.buffer);
  output.forEach((v, i) => view.setInt32(4 * i, v, true));
  return bytes;
}

/** Normalises and checks a query against the model. */
export function prepareQuery(model: LoadedModel, input: RunInput): { query: RunQuery; maxTokens: number } {
  const { meta } = model;
  let seed: bigint | null = null;
  if (input.seed !== undefined && input.seed !== null) {
    if (typeof input.seed === 'number' && !Number.isSafeInteger(input.seed)) throw new RunInputError('seed must be an integer');
    seed = BigInt(input.seed);
    if (seed < 0n || seed >= 1n << 64n) throw new RunInputError('seed must be in [0, 2^64)');
  }
  if (meta.task === 'classify') {
    const vecNode = model.nodes.find((n) => n.op === 'vector');
    const want = vecNode?.size ?? 0;
    const v = input.vector ?? [];
    if (v.length !== want) throw new RunInputError(`input vector needs ${want} values, got ${v.length}`);
    const vector = new Int8Array(want);
    for (let i = 0; i < want; i++) {
      const x = v[i]!;
      if (!Number.isInteger(x) || x < -128 || x > 127) throw new RunInputError(`input value ${i} = ${x} is not an int8`);
      vector[i] = x;
    }
    return { query: { prompt: new Int32Array(0), vector, seed }, maxTokens: 1 };
  }
  const p = input.prompt ?? [];
  if (p.length < 1) throw new RunInputError('the prompt is empty');
  if (p.length > meta.contextLength) throw new RunInputError(`prompt of ${p.length} tokens exceeds the context length ${meta.contextLength}`);
  const prompt = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const x = p[i]!;
    if (!Number.isInteger(x) || x < 0 || x >= meta.vocabSize) throw new RunInputError(`prompt token ${i} = ${x} is not in [0, ${meta.vocabSize})`);
    prompt[i] = x;
  }
  const maxTokens = input.maxTokens ?? meta.contextLength - p.length + 1;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RunInputError('maxTokens must be an integer ≥ 1');
  return { query: { prompt, vector: new Int8Array(0), seed }, maxTokens };
}

/** A model bound to a kernels instance (weights made resident once), able to run many queries. */
export class Runner {
  readonly model: LoadedModel;
  readonly options: RunnerOptions;
  private readonly views: NodeViews[];
  private readonly scratch8: Int8Array;
  /**
   * Every node's values (two sets: step t and step t−1) and the small weight tensors the element-wise and
   * matvec kernels read (requant multipliers, matvec biases, muldiv gains), in the kernels' own memory, so the
   * wasm kernels work on them in place instead of copying in and out per call. int32 layout: [0, N) values A,
   * [N, 2N) values B, then `residentWeights` of dtype i32; int8: those of dtype i8.
   */
  private readonly vectors: ResidentVectors;
  private readonly residentWeights: { node: number; field: 'w0' | 'w1'; index: number; dtype: 'i32' | 'i8' }[] = [];
  private valuesA: Int32Array[] = [];
  private valuesB: Int32Array[] = [];
  /**
   * The whole-step program (kernels with `programs`, i.e. wasm): every non-source node in graph order as one
   * record, run in one call per step on the values in valuesA (a single value set: see run()). null = per-node
   * path (the reference kernels).
   */
  private readonly program: StepProgram | null = null;
  /** Source nodes (run in JavaScript before each step's program). */
  private readonly sourceIds: number[] = [];
  /** The rest in graph order: wasm record ranges [first, end) and nodes kept on the per-node path (js ≥ 0). */
  private readonly segments: { first: number; end: number; js: number }[] = [];
  /** Op kinds in the program with their masks (profiling re-runs). */
  private readonly programKinds: { op: string; mask: [number, number] }[] = [];
  /** Index in vectors.int32 of the prompt buffer (the token buffer follows), or −1. */
  private readonly generateBuffers: number = -1;
  /**
   * The greedy happy path's program (StepProgram.generate, one call per run), or null when a run cannot be one
   * call (fallback segments, other sources). It holds only the nodes the output can depend on when the query has
   * no seed (liveFor): the sampler branch that `select` discards is dead there. Traced runs compute every node.
   */
  private greedyProgram: StepProgram | null = null;
  /** The same for seeded runs (liveFor(model, true); prng in wasm). */
  private seededProgram: StepProgram | null = null;
  /** Byte offsets of the output node's values and of the token buffer (stable: growth never moves data). */
  private greedyOffsets: [number, number] = [0, 0];

  constructor(model: LoadedModel, options: Partial<RunnerOptions> = {}) {
    this.model = model;
    this.options = { ...DEFAULTS, ...options };
    const w = model.weights;
    const kernels = this.options.kernels;
    this.views = model.nodes.map((n) => {
      const v: NodeViews = { w0: null, w1: null, matrix: null };
      const i8 = (off: number, len: number) => new Int8Array(w.buffer, w.byteOffset + off, len);
      const i32 = (off: number, len: number) => new Int32Array(w.buffer, w.byteOffset + off, len);
      switch (n.op) {
        case 'matvec': {
          const cols = model.nodes[n.a]!.size;
          v.matrix = kernels.prepareMatrix(i8(n.w0, n.size * cols), n.size, cols);
          if (n.w1 >= 0) v.w1 = i32(n.w1, n.size);
          break;
        }
        case 'attn_scores':
        case 'attn_mix':
          // The KV cache of input b, resident in the kernels' memory: one row per position (ops/attention.ts).
          v.matrix = kernels.createMatrix(model.meta.contextLength, model.nodes[n.b]!.size);
          break;
        case 'gather':
          v.w0 = i8(n.w0, n.p[0]! * n.size);
          break;
        case 'lut':
          v.w0 = i32(n.w0, 256);
          break;
        case 'requant':
          if (n.w0 >= 0) v.w0 = i32(n.w0, n.size);
          break;
        case 'muldiv':
          if (n.w0 >= 0) v.w0 = i8(n.w0, n.p[4]!);
          break;
      }
      return v;
    });
    this.scratch8 = new Int8Array(Math.max(1, ...model.nodes.map((n) => n.size)));
    const N = model.nodes.length;
    const lengths32 = [...model.nodes.map((n) => n.size), ...model.nodes.map((n) => n.size)];
    const lengths8: number[] = [];
    const sources: (Int32Array | Int8Array)[] = [];
    model.nodes.forEach((n, id) => {
      const v = this.views[id]!;
      const add = (field: 'w0' | 'w1', t: Int32Array | Int8Array | null): void => {
        if (t === null) return;
        const dtype = t instanceof Int32Array ? 'i32' : 'i8';
        const lengths = dtype === 'i32' ? lengths32 : lengths8;
        this.residentWeights.push({ node: id, field, index: lengths.length, dtype });
        lengths.push(t.length);
        sources.push(t);
      };
      if (n.op === 'requant' || n.op === 'muldiv') add('w0', v.w0);
      if (n.op === 'matvec') add('w1', v.w1);
      // The whole-step program reads the embedding and lookup tables in place too.
      if (kernels.programs && this.options.programOps.size > 0 && (n.op === 'gather' || n.op === 'lut')) add('w0', v.w0);
    });
    // The whole-generation call's prompt and token buffers (C int32 each), for generate models on programs.
    if (kernels.programs && model.meta.task === 'generate') {
      this.generateBuffers = lengths32.length;
      lengths32.push(model.meta.contextLength, model.meta.contextLength);
    }
    this.vectors = kernels.createVectors(lengths32, lengths8);
    this.residentWeights.forEach((r, i) => (r.dtype === 'i32' ? this.vectors.int32 : this.vectors.int8)[r.index]!.set(sources[i]!));
    this.bindVectors(N);
    if (kernels.programs && model.layout.defs.some((d) => this.options.programOps.has(d.code))) {
      this.program = this.buildProgram(kernels.programs);
      // Allocating the program may have grown the memory: re-make the views.
      if (this.vectors.refresh()) this.bindVectors();
    }
  }

  /** Encodes every non-source node the program can run as a record (step-program.ts); plans the step. */
  private buildProgram(programs: NonNullable<Kernels['programs']>): StepProgram {
    const { nodes } = this.model;
    const records: ProgramRecord[] = [];
    const recordNodes: number[] = []; // node id of each record
    const at = (id: number): number => (id >= 0 ? programs.offsetOf(this.valuesA[id]!) : 0);
    const kinds = new Map<string, number>();
    nodes.forEach((n, id) => {
      const def = this.model.layout.defs[id]!;
      if (def.kind === 'source') {
        this.sourceIds.push(id);
        return;
      }
      if (!PROGRAM_OP_CODES.has(def.code) || !this.options.programOps.has(def.code)) {
        this.segments.push({ first: 0, end: 0, js: id });
        return;
      }
      const v = this.views[id]!;
      const w0 = v.matrix ? programs.matrixOffset(v.matrix) : v.w0 ? programs.offsetOf(v.w0) : 0;
      const w1 = v.w1 ? programs.offsetOf(v.w1) : 0;
      const size = (i: number) => (i >= 0 ? nodes[i]!.size : 0);
      const { ranges } = this.model.layout;
      const m = n.op === 'requant' ? (v.w0 ? minMax(v.w0) : { lo: n.p[0]!, hi: n.p[0]! }) : n.op === 'muldiv' && v.w0 ? minMax(v.w0) : null;
      const flags = programFlags(n.op, n.p, ranges[n.a] ?? { lo: 0, hi: 0 }, n.b >= 0 ? ranges[n.b]! : null, m, n.size);
      const ex = flags & PROGRAM_FLAG_MULHI ? requantPreShift(ranges[n.a]!, m!, n.p[1]!) : 0;
      records.push({ code: def.code, size: n.size, out: at(id), a: at(n.a), b: at(n.b), c: at(n.c), w0, w1, sizeA: size(n.a), sizeB: size(n.b), p: n.p.slice(0, 6), flags, ex });
      recordNodes.push(id);
      kinds.set(n.op, def.code);
      const last = this.segments[this.segments.length - 1];
      if (last !== undefined && last.js < 0) last.end = records.length;
      else this.segments.push({ first: records.length - 1, end: records.length, js: -1 });
    });
    for (const [op, code] of kinds) this.programKinds.push({ op, mask: opMask([code]) });
    const sources: ProgramRecord[] = [];
    if (this.generateBuffers >= 0 && this.sourceIds.every((id) => PROGRAM_SOURCE_CODES.has(this.model.layout.defs[id]!.code))) {
      const prompt = programs.offsetOf(this.vectors.int32[this.generateBuffers]!);
      for (const id of this.sourceIds) {
        const n = nodes[id]!;
        const code = this.model.layout.defs[id]!.code;
        sources.push({ code, size: 1, out: at(id), a: code === 1 ? at(n.p[1]!) : 0, b: 0, c: 0, w0: code === 1 ? prompt : 0, w1: 0, sizeA: 0, sizeB: 0, p: [], flags: 0 });
      }
      if (this.segments.length === 1 && this.segments[0]!.js < 0) {
        const live = liveFor(this.model, false);
        const liveRecords = records.filter((_, k) => live.has(recordNodes[k]!));
        // Offsets first: creating a program may grow the memory, which detaches the views (offsetOf reads them).
        this.greedyOffsets = [at(this.model.meta.outputNode), programs.offsetOf(this.vectors.int32[this.generateBuffers + 1]!)];
        const liveSeeded = liveFor(this.model, true);
        const seededRecords = records.filter((_, k) => liveSeeded.has(recordNodes[k]!));
        this.greedyProgram = programs.createProgram(encodeProgram(liveRecords, sources), Math.max(1, ...nodes.map((n) => n.size)));
        this.seededProgram = programs.createProgram(encodeProgram(seededRecords, sources), Math.max(1, ...nodes.map((n) => n.size)));
      }
    }
    return programs.createProgram(encodeProgram(records, sources), Math.max(1, ...nodes.map((n) => n.size)));
  }

  /** Points the value sets and the resident weight views at the current views of `vectors`. */
  private bindVectors(N = this.model.nodes.length): void {
    this.valuesA = this.vectors.int32.slice(0, N);
    this.valuesB = this.vectors.int32.slice(N, 2 * N);
    for (const r of this.residentWeights) this.views[r.node]![r.field] = (r.dtype === 'i32' ? this.vectors.int32 : this.vectors.int8)[r.index]!;
  }

  /** Whether runs take the whole-step path (a program in the kernels' memory; else the per-node path). */
  get wholeStep(): boolean {
    return this.program !== null;
  }

  /** Frees the kernels' resident matrices and vectors. */
  close(): void {
    this.program?.free();
    this.greedyProgram?.free();
    this.seededProgram?.free();
    for (const v of this.views) v.matrix?.free();
    this.vectors.free();
  }

  run(input: RunInput, options: RunOptions = {}): RunResult {
    const { model } = this;
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
    const program = this.program;
    // The per-node path keeps the KV-history copies (hist) and zeroes both value sets. The whole-step path needs
    // neither: no op reads hist (attention reads its resident KV matrix), and every value is written at step t
    // before anything reads it (the token source reads the previous step's output only from t = P on).
    const hist: (Int32Array | null)[] = program === null ? nodes.map(() => null) : NO_HISTORY;
    if (program === null) for (const h of layout.historyNodes) hist[h] = new Int32Array(C * nodes[h]!.size);
    // Another runner on the same kernels may have grown their memory since the last run: re-bind the views.
    if (this.vectors.refresh()) this.bindVectors();
    let cur = this.valuesA;
    let prev = this.valuesB;
    if (program === null) {
      for (const v of cur) v.fill(0);
      for (const v of prev) v.fill(0);
    }
    const env: RunEnv = { t: 0, vals: cur, prev: null, hist, views: this.views, query, kernels: this.options.kernels, scratch8: this.scratch8 };
    const out: number[] = [];
    const eos = layout.tokenizer?.eosId ?? -1;
    let steps = 0;
    const profiler = options.profiler ?? null;
    const greedy = this.greedyProgram;
    const oneCall = query.seed === null ? greedy : this.seededProgram;
    if (oneCall !== null && !trace && profiler === null) {
      // Happy path: the whole generation in one wasm call (the same steps as the loop below).
      const buffers = this.vectors.int32;
      buffers[this.generateBuffers]!.set(query.prompt);
      const tokens = buffers[this.generateBuffers + 1]!;
      steps = oneCall.generate(P, maxSteps, maxTokens, eos, this.greedyOffsets[0]!, this.greedyOffsets[1]!, query.seed);
      // The tokens are int32 little-endian in the wasm memory: exactly outputBytes(output), hashed in place.
      const outputHash = this.options.kernels.programs!.keccakAt(this.greedyOffsets[1]!, 4 * (steps - P + 1));
      if (this.vectors.refresh()) {
        this.bindVectors();
        throw new KernelMemoryMovedError(steps - 1);
      }
      return { output: tokens.slice(0, steps - P + 1), outputHash, steps, stepElements: layout.stepElements, promptLength: P, trace: null };
    }
    for (let t = 0; t < maxSteps; t++) {
      env.t = t;
      if (program !== null) {
        // Whole-step path: one value set (cur). The token source reads the output node "at step t − 1" — still
        // in cur, since that node comes later in the graph and has not run yet at step t — so prev = cur.
        env.prev = t > 0 ? cur : null;
        this.runProgramStep(program, env, cur, t, profiler);
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
      if (this.vectors.refresh()) {
        this.bindVectors();
        throw new KernelMemoryMovedError(t);
      }
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
      if (program === null) {
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

  /**
   * One step on the whole-step path: the source nodes in JavaScript (they read only the query, t and the
   * previous token), then the program — one wasm call per segment (one in all when every op is ported).
   */
  private runProgramStep(program: StepProgram, env: RunEnv, cur: Int32Array[], t: number, profiler: OpProfiler | null): void {
    const { nodes, layout } = this.model;
    for (const id of this.sourceIds) {
      if (profiler === null) layout.defs[id]!.run(env, id, nodes[id]!, cur[id]!);
      else {
        const t0 = profiler.now();
        layout.defs[id]!.run(env, id, nodes[id]!, cur[id]!);
        profiler.record(id, profiler.now() - t0);
      }
    }
    for (const seg of this.segments) {
      if (seg.js < 0) program.run(seg.first, seg.end, t, -1, -1);
      else if (profiler === null) layout.defs[seg.js]!.run(env, seg.js, nodes[seg.js]!, cur[seg.js]!);
      else {
        const t0 = profiler.now();
        layout.defs[seg.js]!.run(env, seg.js, nodes[seg.js]!, cur[seg.js]!);
        profiler.record(seg.js, profiler.now() - t0);
      }
    }
    if (profiler?.recordKind) {
      // Time each op kind alone (and an empty pass: the calls' own cost) by re-running the step's program.
      for (const { op, mask } of [...this.programKinds, { op: '', mask: [0, 0] as [number, number] }]) {
        const t0 = profiler.now();
        for (const seg of this.segments) if (seg.js < 0) program.run(seg.first, seg.end, t, mask[0], mask[1]);
        profiler.recordKind(op, profiler.now() - t0);
      }
    }
  }
}

/**
 * The nodes the output can depend on (at this and, through the token source, later steps) when the query's seed
 * is given (`seeded`) or not: every input of a live node is live, except that a `select` whose condition is the
 * `seeded` source reads only the branch that condition picks (a query constant). KV-cache inputs are inputs.
 */
export function liveFor(model: LoadedModel, seeded: boolean): Set<number> {
  const { nodes } = model;
  const live = new Set<number>();
  const stack = [model.meta.outputNode];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    const n = nodes[id]!;
    if (n.op === 'token') stack.push(n.p[1]!);
    if (n.op === 'select' && nodes[n.c]!.op === 'seeded') stack.push(n.c, seeded ? n.a : n.b);
    else for (const i of [n.a, n.b, n.c]) if (i >= 0) stack.push(i);
  }
  return live;
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
