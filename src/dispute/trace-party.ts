/**
 * One party's knowledge in a dispute (whitepaper §2.2.5): its execution trace and commitment, the partial sums of
 * any reduction element, and the Merkle-proven operands of the one step the contract replays (docs/dispute.md §4).
 * Pure: no chain, no clock. The agent (agent.ts) turns these into transactions.
 *
 * Operands name where a value comes from (OneStepVerifier.Operand): kind 0 a trace element (or partial sum) of the
 * agreed prefix, with the Merkle proof of its leaf from this party's own tree (the contract accepts a proof against
 * either party's root: the leaves before the disputed one are equal in both); 1 an int8 weight byte; 2 a
 * little-endian int32 weight; 3 a graph constant; 4 a query input element (prompt token / vector value) proven against the
 * query input commitment (query-input.ts). The contract derives which operand is which from the model layout;
 * a party supplies only the node holding the element and the proofs.
 */
import { BaseError } from '../common/errors.ts';
import { toHex } from '../common/bytes.ts';
import { childRoots } from '../commitment/bisection.ts';
import { commitPartialSums, commitTrace, leafReader, proveElement, type TraceCommitment } from '../commitment/trace.ts';
import { commitWeights, proveWeightLeafIn, type WeightsCommitment } from '../commitment/weights.ts';
import type { Combiner, ElementDescription, Ref } from '../engine/graph.ts';
import { combineStep, describeElement, refValue, type TraceContext } from '../engine/element.ts';
import type { LoadedModel } from '../engine/model-file.ts';
import { OPS_BY_NAME } from '../engine/ops/index.ts';
import type { RunQuery } from '../engine/ops/op.ts';
import { commitQueryInput, proveQueryInput, queryInputValues, type QueryInputCommitment } from './query-input.ts';

export type Hex = `0x${string}`;

/** What the one-step needs to know about an element besides its operands. */
export interface StepInfo {
  /** Node holding the element (the contract checks it and derives the rest). */
  node: number;
  /** Op code (src/engine/ops `code`). */
  op: number;
  /** The node's eight int32 parameters. */
  p: number[];
  /** requant / muldiv read a weight operand. */
  hasWeight: boolean;
  description: ElementDescription;
}

/** Where descriptions and weights come from: an engine model and query, or a synthetic source (benchmarks). */
export interface StepSource {
  weights: Uint8Array;
  describe(index: number, trace: Int32Array): StepInfo;
  /** The query input (prompt token ids or classify vector), committed by the Query's promptHash. */
  input?: Int32Array;
}

export interface Operand {
  kind: number;
  index: bigint;
  value: bigint;
  leaf: Hex;
  siblings: Hex[];
}

export const COMBINER_CODES: Readonly<Record<Combiner, number>> = { mac: 0, add: 1, max: 2, argmax: 3, countle: 4 };

export class UnsupportedStepError extends BaseError<{ element: number; reason: string }> {
  constructor(element: number, reason: string) {
    super('DISPUTE_UNSUPPORTED_STEP', `dispute: element ${element} cannot be replayed on chain: ${reason}`, { details: { element, reason } });
  }
}

/** Descriptions from an engine model (src/engine/element.ts describeElement). */
export function modelStepSource(model: LoadedModel, query: RunQuery): StepSource {
  return {
    weights: model.weights,
    input: queryInputValues(query),
    describe(index, trace) {
      const ctx: TraceContext = { trace, query };
      const info = describeElement(model, ctx, index);
      const node = model.nodes[info.node]!;
      const op = OPS_BY_NAME.get(node.op);
      if (!op) throw new UnsupportedStepError(index, `unknown op ${node.op}`);
      return { node: info.node, op: op.code, p: [...node.p], hasWeight: node.w0 >= 0, description: info.description };
    },
  };
}

export interface TracePartyOptions {
  /** Bisection fan-out k (a power of two). */
  arity: number;
  /**
   * A cheating party's partial sums for reduction element `element`, given the sums recomputed from its own trace
   * and the value it claims. Default: the recomputed sums with the last one replaced by the claim (a lie only at
   * the end); tests pass other strategies (a lie from link j on).
   */
  forgeSums?: (element: number, sums: Int32Array, claimed: number) => Int32Array;
}

export class TraceParty {
  readonly values: Int32Array;
  readonly source: StepSource;
  readonly commitment: TraceCommitment;
  readonly weights: WeightsCommitment;
  readonly input: QueryInputCommitment | undefined;
  readonly options: TracePartyOptions;
  private sumsCache = new Map<number, { sums: Int32Array; commitment: TraceCommitment; links: number }>();

  constructor(values: Int32Array, source: StepSource, options: TracePartyOptions) {
    this.values = values;
    this.source = source;
    this.options = options;
    this.commitment = commitTrace(values, { arity: options.arity });
    this.weights = commitWeights(source.weights);
    this.input = source.input ? commitQueryInput(source.input) : undefined;
  }

  get root(): Hex {
    return toHex(this.commitment.root) as Hex;
  }

  /** Children of node (level, index) of the trace tree, or of the partial-sums tree of `element`. */
  children(level: number, index: number, sumsOf?: number): Hex[] {
    const c = sumsOf === undefined ? this.commitment : this.sums(sumsOf).commitment;
    const v = sumsOf === undefined ? this.values : this.sums(sumsOf).sums;
    return childRoots(c, v, { level, index }, this.options.arity).map((x) => toHex(x) as Hex);
  }

  describe(element: number): StepInfo {
    return this.source.describe(element, this.values);
  }

  /** The partial sums this party stands behind for reduction `element`. */
  sums(element: number): { sums: Int32Array; commitment: TraceCommitment; links: number } {
    let s = this.sumsCache.get(element);
    if (!s) {
      const d = this.describe(element).description;
      if (d.kind !== 'reduction') throw new UnsupportedStepError(element, 'not a reduction');
      let sums = this.recomputeSums(d);
      const claimed = this.values[element]!;
      if (sums[sums.length - 1] !== claimed) {
        sums = this.options.forgeSums ? this.options.forgeSums(element, sums, claimed) : Int32Array.from(sums, (v, i) => (i === sums.length - 1 ? claimed : v));
      }
      s = { sums, commitment: commitPartialSums(sums, { arity: this.options.arity }), links: d.links.length };
      this.sumsCache.set(element, s);
    }
    return s;
  }

  private value(ref: Ref, element: number): number {
    if ('query' in ref) {
      if (ref.query === 'step') return ref.index;
      if ((ref.query === 'prompt' || ref.query === 'vector') && this.input) return this.input.values[ref.index]!;
      throw new UnsupportedStepError(element, `query ref ${ref.query}`);
    }
    if ('trace' in ref) return this.values[ref.trace]!;
    if ('constant' in ref) return ref.constant;
    const w = this.source.weights;
    const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
    return ref.dtype === 'i8' ? view.getInt8(ref.weight) : view.getInt32(ref.weight, true);
  }

  private recomputeSums(d: Extract<ElementDescription, { kind: 'reduction' }>): Int32Array {
    const out = new Int32Array(d.links.length + 1);
    let acc = this.value(d.init, -1);
    out[0] = acc;
    for (let j = 0; j < d.links.length; j++) {
      const l = d.links[j]!;
      const a = this.value(l.a, -1);
      const b = d.combiner === 'argmax' ? this.value(d.links[acc]!.a, -1) : l.b ? this.value(l.b, -1) : 0;
      acc = combineStep(d.combiner, acc, a, b, j);
      out[j + 1] = acc;
    }
    return out;
  }

  /** postSumsRoot arguments: the node holding the element, sums root, the leaf holding sums[F] and its proof. */
  sumsOpening(element: number): { node: bigint; root: Hex; leaf: Hex; siblings: Hex[] } {
    const s = this.sums(element);
    const p = proveElement(s.commitment, s.sums, s.links);
    return { node: BigInt(this.describe(element).node), root: toHex(s.commitment.root) as Hex, leaf: toHex(p.proof.leaf) as Hex, siblings: p.proof.siblings.map((x) => toHex(x) as Hex) };
  }

  /** Operand for `ref` against the agreed prefix ending at `element` (trace refs) of this party's trace. */
  operand(ref: Ref, element: number): Operand {
    const none = { leaf: ZERO, siblings: [] as Hex[] };
    if ('constant' in ref) return { kind: 3, index: 0n, value: BigInt(ref.constant), ...none };
    if ('query' in ref) {
      if (ref.query === 'step') return { kind: 3, index: 0n, value: BigInt(ref.index), ...none };
      if ((ref.query === 'prompt' || ref.query === 'vector') && this.input) {
        const p = proveQueryInput(this.input, ref.index);
        return { kind: 4, index: BigInt(ref.index), value: BigInt(p.value), leaf: p.leaf, siblings: p.siblings };
      }
      throw new UnsupportedStepError(element, `query ref ${ref.query} (the sampling seed is not committed on chain yet)`);
    }
    if ('trace' in ref) return this.prefixOperand(this.commitment, this.values, ref.trace, element);
    const leafIndex = Math.floor(ref.weight / 32);
    const proof = proveWeightLeafIn(this.weights, this.source.weights, leafIndex);
    return { kind: ref.dtype === 'i8' ? 1 : 2, index: BigInt(ref.weight), value: 0n, leaf: toHex(proof.leaf) as Hex, siblings: proof.siblings.map((x) => toHex(x) as Hex) };
  }

  private prefixOperand(c: TraceCommitment, values: Int32Array, index: number, disputed: number): Operand {
    if (Math.floor(index / 8) === Math.floor(disputed / 8)) return { kind: 0, index: BigInt(index), value: 0n, leaf: ZERO, siblings: [] };
    const p = proveElement(c, values, index);
    return { kind: 0, index: BigInt(index), value: 0n, leaf: toHex(p.proof.leaf) as Hex, siblings: p.proof.siblings.map((x) => toHex(x) as Hex) };
  }

  /** resolveElement arguments for element-wise `element`. */
  elementStep(element: number): { node: bigint; inputs: Operand[] } {
    const info = this.describe(element);
    if (info.description.kind === 'reduction') throw new UnsupportedStepError(element, 'a reduction: open its links');
    return { node: BigInt(info.node), inputs: info.description.inputs.map((r) => this.operand(r, element)) };
  }

  /** resolveLink arguments for partial sum `s` of reduction `element`. */
  linkStep(element: number, s: number): { node: bigint; combiner: number; prev: Operand; a: Operand; b: Operand } {
    const info = this.describe(element);
    const d = info.description;
    if (d.kind !== 'reduction') throw new UnsupportedStepError(element, 'not a reduction');
    const combiner = COMBINER_CODES[d.combiner];
    const node = BigInt(info.node);
    const zero: Operand = { kind: 3, index: 0n, value: 0n, leaf: ZERO, siblings: [] };
    if (s === 0) return { node, combiner, prev: this.operand(d.init, element), a: zero, b: zero };
    const { sums, commitment } = this.sums(element);
    const link = d.links[s - 1]!;
    const prev = this.prefixOperand(commitment, sums, s - 1, s);
    const a = this.operand(link.a, element);
    let bRef: Ref | undefined = link.b;
    if (d.combiner === 'argmax') bRef = d.links[sums[s - 1]!]!.a;
    return { node, combiner, prev, a, b: bRef ? this.operand(bRef, element) : zero };
  }

  /** Leaf `leafIndex` of this party's partial-sums tree of reduction `element`. */
  sumsLeaf(element: number, leafIndex: number): Uint8Array {
    const s = this.sums(element);
    return leafReader(s.commitment, s.sums)(leafIndex);
  }

  /** This party's leaf `leafIndex` (hex), for checks. */
  leaf(leafIndex: number): Hex {
    return toHex(leafReader(this.commitment, this.values)(leafIndex)) as Hex;
  }
}

const ZERO = `0x${'00'.repeat(32)}` as Hex;
