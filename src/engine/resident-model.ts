/**
 * A model made resident in one kernels instance (whitepaper §2.2.6 deterministic execution; docs/kernels.md):
 * the per-node weight views the ops read (matvec matrices prepared once, KV-cache matrices, tables), every node's
 * values (two sets: step t and step t − 1) and the small weight tensors the element-wise and matvec kernels read
 * in place, all in the kernels' own memory so the wasm kernels never copy in and out per call.
 *
 * The kernels' memory may grow (another runner on the same kernels, a program allocation): growth never moves
 * data but detaches the JavaScript views, so `refresh()` re-makes them.
 */
import type { Kernels, ResidentVectors } from './kernels/kernels.ts';
import type { LoadedModel } from './model-file.ts';
import type { NodeViews } from './ops/op.ts';

export class ResidentModel {
  readonly model: LoadedModel;
  /** Per node: the weight views and resident matrices its op reads (RunEnv.views). */
  readonly views: NodeViews[];
  /** int8 scratch of the largest node size (RunEnv.scratch8). */
  readonly scratch8: Int8Array;
  /**
   * The resident vectors. int32 layout: [0, N) values A, [N, 2N) values B, then `residentWeights` of dtype i32,
   * then (generateBuffers ≥ 0) the prompt and token buffers; int8: the `residentWeights` of dtype i8.
   */
  readonly vectors: ResidentVectors;
  private readonly residentWeights: { node: number; field: 'w0' | 'w1'; index: number; dtype: 'i32' | 'i8' }[] = [];
  /** Value set A (one Int32Array per node): the only set on the whole-step path. */
  valuesA: Int32Array[] = [];
  /** Value set B: the per-node path's other set (step t − 1). */
  valuesB: Int32Array[] = [];
  /** Index in vectors.int32 of the prompt buffer (the token buffer follows), or −1. */
  readonly generateBuffers: number = -1;

  /**
   * `programTables`: the whole-step program will run (kernels with programs and a non-empty programOps), so the
   * embedding (gather) and lookup (lut) tables are made resident too, for the program to read in place.
   */
  constructor(model: LoadedModel, kernels: Kernels, programTables: boolean) {
    this.model = model;
    const w = model.weights;
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
        case 'rope':
          v.w0 = i32(n.w0, model.meta.contextLength * n.p[0]! * 2); // the rotary table (C, dh, 2)
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
      if (programTables && (n.op === 'gather' || n.op === 'lut')) add('w0', v.w0);
    });
    // The whole-generation call's prompt and token buffers (C int32 each), for generate models on programs.
    if (kernels.programs && model.meta.task === 'generate') {
      this.generateBuffers = lengths32.length;
      lengths32.push(model.meta.contextLength, model.meta.contextLength);
    }
    this.vectors = kernels.createVectors(lengths32, lengths8);
    this.residentWeights.forEach((r, i) => (r.dtype === 'i32' ? this.vectors.int32 : this.vectors.int8)[r.index]!.set(sources[i]!));
    this.bind(N);
  }

  /** Points the value sets and the resident weight views at the current views of `vectors`. */
  private bind(N = this.model.nodes.length): void {
    this.valuesA = this.vectors.int32.slice(0, N);
    this.valuesB = this.vectors.int32.slice(N, 2 * N);
    for (const r of this.residentWeights) this.views[r.node]![r.field] = (r.dtype === 'i32' ? this.vectors.int32 : this.vectors.int8)[r.index]!;
  }

  /** Re-makes every view if the kernels' memory grew since the last look; true if it had (views were detached). */
  refresh(): boolean {
    if (!this.vectors.refresh()) return false;
    this.bind();
    return true;
  }

  /** Frees the resident matrices and vectors. */
  free(): void {
    for (const v of this.views) v.matrix?.free();
    this.vectors.free();
  }
}
