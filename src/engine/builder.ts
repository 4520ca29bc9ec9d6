/**
 * GraphBuilder: the API for writing models (whitepaper §2.2.5–2.2.6; engine.md §3 defines each op).
 *
 * Each method appends one node in topological order and returns its id; weights passed in are appended to the
 * weights blob at 32-byte aligned offsets. `build()` validates the graph (ranges, shapes, int32 safety) and
 * returns a LoadedModel with its hashes; `encodeModelFile(model)` gives the file bytes.
 *
 *   const g = new GraphBuilder({ name: 'tiny', description: '', task: 'classify', contextLength: 1, vocabSize: 3 });
 *   const x = g.vector(4);                                 // int8 input (4)
 *   const h = g.matvec(x, w1, 8, b1);                      // W1 (8, 4) int8 @ x + b1 (8) int32 -> (8) int32
 *   const h8 = g.requant(h, { mul: 181, shift: 14, lo: 0 }); // ReLU folded into the clamp: [0, 127]
 *   const y = g.matvec(h8, w2, 3);                         // (3) int32 logits
 *   g.output(g.argmax(y, 3));                              // class id
 *   const model = g.build();
 *
 * For a decoder (task 'generate'): `token()` is the current token id (prompt[t] or the previous step's output),
 * `position()` is t, `attnScores`/`attnMix` read k/v nodes at every step ≤ t (the KV cache); layers.ts has
 * RMSNorm, attention, MLP, integer softmax and the greedy/seeded sampler built from these ops.
 */
import type { GraphNode, Model, ModelMeta } from './graph.ts';
import { emptyNode } from './graph.ts';
import { INT32_MIN, INT8_MAX, INT8_MIN } from './ops/arith.ts';
import { prepareModel, type LoadedModel, type ModelFileOptions } from './model-file.ts';
import { InvalidArgumentError } from '../common/errors.ts';

export type BuilderMeta = Omit<ModelMeta, 'outputNode' | 'nodeNames'>;

export interface ClampWindow {
  lo?: number;
  hi?: number;
}

export interface BinaryOptions extends ClampWindow {
  /** Broadcast divisor of operand b: element i reads b[floor(i / bdiv) mod size(b)] (default 1). */
  bdiv?: number;
}

export type RequantOptions = ClampWindow & { shift: number } & ({ mul: number } | { muls: Int32Array });

export interface MuldivOptions extends ClampWindow {
  /** Denominator node (broadcast with bdiv) … */
  den?: number;
  bdiv?: number;
  /** … or a constant denominator (non-zero). */
  constDen?: number;
  /** Multiplier m (default 1). */
  mul?: number;
  /** Optional int8 gains g, element i uses gain[i mod gain.length]. */
  gain?: Int8Array;
}

export class GraphBuilder {
  readonly meta: BuilderMeta;
  readonly nodes: GraphNode[] = [];
  readonly names: string[] = [];
  private chunks: Uint8Array[] = [];
  private weightBytes = 0;
  private outputId = -1;
  private tokenNodes: number[] = [];

  constructor(meta: BuilderMeta) {
    this.meta = meta;
  }

  size(id: number): number {
    const n = this.nodes[id];
    if (!n) throw new InvalidArgumentError('node', `no node ${id}`);
    return n.size;
  }

  // ------------------------------------------------------------------------------------------- weights

  /** Appends a tensor at the next 32-byte aligned offset; returns that offset. */
  private addBytes(bytes: Uint8Array): number {
    const offset = this.weightBytes;
    const padded = Math.ceil(bytes.length / 32) * 32;
    const chunk = new Uint8Array(padded);
    chunk.set(bytes);
    this.chunks.push(chunk);
    this.weightBytes += padded;
    return offset;
  }

  tensorI8(data: Int8Array): number {
    return this.addBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  tensorI32(data: Int32Array | readonly number[]): number {
    const arr = data instanceof Int32Array ? data : Int32Array.from(data);
    const bytes = new Uint8Array(arr.length * 4);
    const view = new DataView(bytes.buffer);
    arr.forEach((v, i) => view.setInt32(4 * i, v, true));
    return this.addBytes(bytes);
  }

  // ------------------------------------------------------------------------------------------- nodes

  /** Appends a raw node (for ops without a helper); returns its id. */
  node(op: string, size: number, fields: Partial<Omit<GraphNode, 'op' | 'size'>> = {}, name = ''): number {
    const n = emptyNode(op, size);
    Object.assign(n, fields);
    const p = [...(fields.p ?? [])];
    while (p.length < 8) p.push(0);
    n.p = p;
    this.nodes.push(n);
    this.names.push(name);
    return this.nodes.length - 1;
  }

  token(name = 'token'): number {
    const id = this.node('token', 1, { p: [this.meta.vocabSize, 0] }, name);
    this.tokenNodes.push(id);
    return id;
  }
  vector(n: number, name = 'input'): number {
    return this.node('vector', n, {}, name);
  }
  position(name = 'position'): number {
    return this.node('position', 1, {}, name);
  }
  random(name = 'random'): number {
    return this.node('random', 1, {}, name);
  }
  seeded(name = 'seeded'): number {
    return this.node('seeded', 1, {}, name);
  }

  /** W (rows, size(x)) int8 row-major @ x + bias (rows) int32 -> (rows) int32. */
  matvec(x: number, w: Int8Array, rows: number, bias?: Int32Array, name = ''): number {
    const cols = this.size(x);
    if (w.length !== rows * cols) throw new InvalidArgumentError('matvec weights', `length ${w.length} ≠ ${rows}·${cols}`);
    if (bias && bias.length !== rows) throw new InvalidArgumentError('matvec bias', `length ${bias.length} ≠ ${rows}`);
    const w0 = this.tensorI8(w);
    const w1 = bias ? this.tensorI32(bias) : -1;
    return this.node('matvec', rows, { a: x, w0, w1 }, name);
  }
  /** Row-wise Σ a·b over rows of C (e.g. dot(x, x, n) = Σ x²). */
  dot(a: number, b: number, C: number, name = ''): number {
    return this.node('dot', this.size(a) / C, { a, b, p: [C] }, name);
  }
  /** Row `index` of the int8 table (rows, width). */
  gather(index: number, table: Int8Array, rows: number, width: number, name = ''): number {
    if (table.length !== rows * width) throw new InvalidArgumentError('gather table', `length ${table.length} ≠ ${rows}·${width}`);
    return this.node('gather', width, { a: index, w0: this.tensorI8(table), p: [rows] }, name);
  }
  /** (heads · contextLength) causal scores q·k over the KV cache; masked slots hold `mask`. */
  attnScores(q: number, k: number, heads: number, mask = INT32_MIN, name = ''): number {
    return this.node('attn_scores', heads * this.meta.contextLength, { a: q, b: k, p: [heads, mask] }, name);
  }
  /** (size(v)) Σ_j p[h, j] · v@j over the KV cache. */
  attnMix(p: number, v: number, heads: number, name = ''): number {
    return this.node('attn_mix', this.size(v), { a: p, b: v, p: [heads] }, name);
  }
  reduceSum(x: number, C: number, name = ''): number {
    return this.node('reduce_sum', this.size(x) / C, { a: x, p: [C] }, name);
  }
  reduceMax(x: number, C: number, name = ''): number {
    return this.node('reduce_max', this.size(x) / C, { a: x, p: [C] }, name);
  }
  argmax(x: number, C: number, name = ''): number {
    return this.node('argmax', this.size(x) / C, { a: x, p: [C] }, name);
  }
  countLe(x: number, threshold: number, C: number, name = ''): number {
    return this.node('count_le', this.size(x) / C, { a: x, b: threshold, p: [C] }, name);
  }
  scanAdd(x: number, C: number, name = ''): number {
    return this.node('scan_add', this.size(x), { a: x, p: [C] }, name);
  }
  /** clamp(roundShift(x · m, shift), lo, hi), default window int8. */
  requant(x: number, o: RequantOptions, name = ''): number {
    const lo = o.lo ?? INT8_MIN;
    const hi = o.hi ?? INT8_MAX;
    if ('muls' in o) return this.node('requant', this.size(x), { a: x, w0: this.tensorI32(o.muls), p: [0, o.shift, lo, hi] }, name);
    return this.node('requant', this.size(x), { a: x, p: [o.mul, o.shift, lo, hi] }, name);
  }
  relu(x: number, name = ''): number {
    return this.node('relu', this.size(x), { a: x }, name);
  }
  /** T[x + 128] for int8 x; `table` has 256 int32 entries (index 0 ↔ x = −128). */
  lut(x: number, table: Int32Array | readonly number[], name = ''): number {
    if (table.length !== 256) throw new InvalidArgumentError('lut table', `needs 256 entries, got ${table.length}`);
    return this.node('lut', this.size(x), { a: x, w0: this.tensorI32(table) }, name);
  }
  add(a: number, b: number, o: BinaryOptions = {}, name = ''): number {
    return this.binary('add', a, b, o, name);
  }
  sub(a: number, b: number, o: BinaryOptions = {}, name = ''): number {
    return this.binary('sub', a, b, o, name);
  }
  max2(a: number, b: number, o: BinaryOptions = {}, name = ''): number {
    return this.binary('max2', a, b, o, name);
  }
  private binary(op: string, a: number, b: number, o: BinaryOptions, name: string): number {
    return this.node(op, this.size(a), { a, b, p: [o.lo ?? INT32_MIN, o.hi ?? 2147483647, o.bdiv ?? 1] }, name);
  }
  /** clamp(roundDiv(a · g · m, d), lo, hi); d from node `den` or the constant `constDen`; window defaults to int32. */
  muldiv(a: number, o: MuldivOptions, name = ''): number {
    const lo = o.lo ?? INT32_MIN;
    const hi = o.hi ?? 2147483647;
    const w0 = o.gain ? this.tensorI8(o.gain) : -1;
    const glen = o.gain ? o.gain.length : 0;
    if (o.den !== undefined) return this.node('muldiv', this.size(a), { a, b: o.den, w0, p: [lo, hi, o.bdiv ?? 1, o.mul ?? 1, glen, 0] }, name);
    return this.node('muldiv', this.size(a), { a, w0, p: [lo, hi, 0, o.mul ?? 1, glen, o.constDen ?? 0] }, name);
  }
  isqrt(x: number, eps = 0, name = ''): number {
    return this.node('isqrt', this.size(x), { a: x, p: [eps] }, name);
  }
  mod(a: number, b: number, bdiv = 1, name = ''): number {
    return this.node('mod', this.size(a), { a, b, p: [bdiv] }, name);
  }
  select(cond: number, a: number, b: number, name = ''): number {
    return this.node('select', this.size(a), { a, b, c: cond }, name);
  }

  /** Marks the run's output node (the next token for 'generate'). */
  output(id: number): void {
    this.size(id);
    this.outputId = id;
  }

  /** The raw model (not yet validated). */
  toModel(): Model {
    if (this.outputId < 0) throw new InvalidArgumentError('graph', 'no output node: call output(id)');
    for (const t of this.tokenNodes) this.nodes[t]!.p[1] = this.outputId;
    const weights = new Uint8Array(this.weightBytes);
    let off = 0;
    for (const c of this.chunks) {
      weights.set(c, off);
      off += c.length;
    }
    const meta: ModelMeta = { ...this.meta, outputNode: this.outputId };
    if (this.names.some((n) => n !== '')) meta.nodeNames = [...this.names];
    return { meta, nodes: this.nodes.map((n) => ({ ...n, p: [...n.p] })), weights };
  }

  /** Validates and hashes the model. */
  build(options: Partial<ModelFileOptions> = {}): LoadedModel {
    return prepareModel(this.toModel(), options);
  }
}
