/**
 * The whole-step path (whitepaper §2.2.6 deterministic execution; docs/kernels.md "Whole-step programs"): on
 * kernels with `programs` (wasm) a model is encoded once into a program in the kernels' memory — every non-source
 * node in graph order as one record (step-program.ts) — and a step runs as one wasm call per segment, the source
 * nodes first in JavaScript. Ops outside `programOps` stay on the per-node path between segments (the fallback).
 * When every op is in the program and every source can be a record, a greedy or seeded run without a trace or
 * profiler is a single call for the whole generation (`generate`).
 *
 * Values live in one set (the resident model's value set A): the token source reads the output node "at step
 * t − 1", which comes later in the graph and still holds that value when step t starts.
 */
import type { Kernels, StepProgram } from './kernels/kernels.ts';
import { encodeProgram, opMask, programFlags, PROGRAM_FLAG_MULHI, PROGRAM_OP_CODES, PROGRAM_SOURCE_CODES, requantPreShift } from './kernels/step-program.ts';
import type { ProgramRecord } from './kernels/step-program.ts';
import { liveFor } from './live-nodes.ts';
import type { LoadedModel } from './model-file.ts';
import { minMax } from './ops/op.ts';
import type { RunEnv, RunQuery } from './ops/op.ts';
import type { ResidentModel } from './resident-model.ts';
import { KernelMemoryMovedError } from './run-errors.ts';
import type { OpProfiler } from './run-options.ts';

type ProgramSupport = NonNullable<Kernels['programs']>;

export class WholeStepPlan {
  private readonly model: LoadedModel;
  private readonly resident: ResidentModel;
  private readonly programs: ProgramSupport;
  /** Every non-source node the program can run, in graph order (run per segment each step). */
  readonly program: StepProgram;
  /** Source nodes (run in JavaScript before each step's program). */
  private readonly sourceIds: number[] = [];
  /** The rest in graph order: wasm record ranges [first, end) and nodes kept on the per-node path (js ≥ 0). */
  private readonly segments: { first: number; end: number; js: number }[] = [];
  /** Op kinds in the program with their masks (profiling re-runs). */
  private readonly programKinds: { op: string; mask: [number, number] }[] = [];
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

  /**
   * Encodes every non-source node the program can run as a record (step-program.ts); plans the step. Creating
   * programs may grow the kernels' memory: the caller refreshes the resident model's views afterwards.
   */
  constructor(model: LoadedModel, resident: ResidentModel, programs: ProgramSupport, programOps: ReadonlySet<number>) {
    this.model = model;
    this.resident = resident;
    this.programs = programs;
    const { nodes } = model;
    const records: ProgramRecord[] = [];
    const recordNodes: number[] = []; // node id of each record
    const at = (id: number): number => (id >= 0 ? programs.offsetOf(resident.valuesA[id]!) : 0);
    const kinds = new Map<string, number>();
    nodes.forEach((n, id) => {
      const def = model.layout.defs[id]!;
      if (def.kind === 'source') {
        this.sourceIds.push(id);
        return;
      }
      if (!PROGRAM_OP_CODES.has(def.code) || !programOps.has(def.code)) {
        this.segments.push({ first: 0, end: 0, js: id });
        return;
      }
      const v = resident.views[id]!;
      const w0 = v.matrix ? programs.matrixOffset(v.matrix) : v.w0 ? programs.offsetOf(v.w0) : 0;
      const w1 = v.w1 ? programs.offsetOf(v.w1) : 0;
      const size = (i: number) => (i >= 0 ? nodes[i]!.size : 0);
      const { ranges } = model.layout;
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
    const buffers = resident.generateBuffers;
    if (buffers >= 0 && this.sourceIds.every((id) => PROGRAM_SOURCE_CODES.has(model.layout.defs[id]!.code))) {
      const prompt = programs.offsetOf(resident.vectors.int32[buffers]!);
      for (const id of this.sourceIds) {
        const n = nodes[id]!;
        const code = model.layout.defs[id]!.code;
        sources.push({ code, size: 1, out: at(id), a: code === 1 ? at(n.p[1]!) : 0, b: 0, c: 0, w0: code === 1 ? prompt : 0, w1: 0, sizeA: 0, sizeB: 0, p: [], flags: 0 });
      }
      if (this.segments.length === 1 && this.segments[0]!.js < 0) {
        const live = liveFor(model, false);
        const liveRecords = records.filter((_, k) => live.has(recordNodes[k]!));
        // Offsets first: creating a program may grow the memory, which detaches the views (offsetOf reads them).
        this.greedyOffsets = [at(model.meta.outputNode), programs.offsetOf(resident.vectors.int32[buffers + 1]!)];
        const liveSeeded = liveFor(model, true);
        const seededRecords = records.filter((_, k) => liveSeeded.has(recordNodes[k]!));
        this.greedyProgram = programs.createProgram(encodeProgram(liveRecords, sources), Math.max(1, ...nodes.map((n) => n.size)));
        this.seededProgram = programs.createProgram(encodeProgram(seededRecords, sources), Math.max(1, ...nodes.map((n) => n.size)));
      }
    }
    this.program = programs.createProgram(encodeProgram(records, sources), Math.max(1, ...nodes.map((n) => n.size)));
  }

  /** The one-call program for a query with this seed (greedy or seeded), or null when runs cannot be one call. */
  oneCallFor(seed: bigint | null): StepProgram | null {
    return seed === null ? this.greedyProgram : this.seededProgram;
  }

  /**
   * The whole generation in one wasm call (the same steps as the per-step loop) with `oneCall` from oneCallFor;
   * the output hash is computed in place on the token buffer.
   */
  generate(oneCall: StepProgram, query: RunQuery, maxSteps: number, maxTokens: number, eos: number): { output: Int32Array; outputHash: Uint8Array; steps: number } {
    const P = query.prompt.length;
    const buffers = this.resident.vectors.int32;
    const at = this.resident.generateBuffers;
    buffers[at]!.set(query.prompt);
    const tokens = buffers[at + 1]!;
    const steps = oneCall.generate(P, maxSteps, maxTokens, eos, this.greedyOffsets[0]!, this.greedyOffsets[1]!, query.seed);
    // The tokens are int32 little-endian in the wasm memory: exactly outputBytes(output), hashed in place.
    const outputHash = this.programs.keccakAt(this.greedyOffsets[1]!, 4 * (steps - P + 1));
    if (this.resident.refresh()) throw new KernelMemoryMovedError(steps - 1);
    return { output: tokens.slice(0, steps - P + 1), outputHash, steps };
  }

  /**
   * One step on the whole-step path: the source nodes in JavaScript (they read only the query, t and the
   * previous token), then the program — one wasm call per segment (one in all when every op is ported).
   */
  runStep(env: RunEnv, cur: Int32Array[], t: number, profiler: OpProfiler | null): void {
    const { program } = this;
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

  /** Frees the programs (the resident model frees its own memory). */
  free(): void {
    this.program.free();
    this.greedyProgram?.free();
    this.seededProgram?.free();
  }
}
