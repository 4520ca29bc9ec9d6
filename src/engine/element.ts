/**
 * One trace element at a time (whitepaper §2.2.5: "narrowed down to one transaction, which is settled on-chain";
 * engine.md §5.2–5.3): where an element sits (step, node, position), what it depends on, the partial sums of a
 * reduction's links, and a one-step re-execution from its inputs — the computation the dispute contract replays.
 * `evaluateElement` is written per element, independently of the runner's bulk loops, so tests can check that
 * both agree on every element of a trace.
 */
import { BaseError } from '../common/errors.ts';
import type { Combiner, ElementDescription, Link, Ref } from './graph.ts';
import type { LoadedModel } from './model-file.ts';
import type { DescribeEnv, RunQuery } from './ops/op.ts';
import { clamp, euclidMod, isqrtFloor, roundDiv, roundShift } from './ops/arith.ts';
import { prng } from './ops/sources.ts';
import { llmElementwiseStep } from './ops/llm.ts';

export class ElementOutOfRangeError extends BaseError<{ index: number; elements: number }> {
  constructor(index: number, elements: number) {
    super('ENGINE_ELEMENT_OUT_OF_RANGE', `trace element ${index} is outside the trace [0, ${elements})`, { details: { index, elements } });
  }
}

/** What an element needs from its run: the trace and the query. */
export interface TraceContext {
  trace: Int32Array;
  query: RunQuery;
}

export interface ElementLocation {
  index: number;
  step: number;
  node: number;
  position: number;
}

export interface ElementInfo extends ElementLocation {
  op: string;
  name: string;
  value: number;
  description: ElementDescription;
}

export function locateElement(model: LoadedModel, elements: number, index: number): ElementLocation {
  if (!Number.isSafeInteger(index) || index < 0 || index >= elements) throw new ElementOutOfRangeError(index, elements);
  const { offsets, stepElements } = model.layout;
  const step = Math.floor(index / stepElements);
  const within = index - step * stepElements;
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= within) lo = mid;
    else hi = mid - 1;
  }
  return { index, step, node: lo, position: within - offsets[lo]! };
}

export function describeElement(model: LoadedModel, ctx: TraceContext, index: number): ElementInfo {
  const loc = locateElement(model, ctx.trace.length, index);
  const { offsets, stepElements, defs } = model.layout;
  const env: DescribeEnv = {
    t: loc.step,
    id: loc.node,
    meta: model.meta,
    nodes: model.nodes,
    promptLength: ctx.query.prompt.length,
    traceIndex: (step, node, pos) => step * stepElements + offsets[node]! + pos,
    valueAt: (i) => ctx.trace[i]!,
  };
  const node = model.nodes[loc.node]!;
  return {
    ...loc,
    op: node.op,
    name: model.meta.nodeNames?.[loc.node] ?? '',
    value: ctx.trace[index]!,
    description: defs[loc.node]!.describe(env, node, loc.position),
  };
}

/** The value a Ref names. Query refs to the seed are not numbers and are resolved by the source ops themselves. */
export function refValue(model: LoadedModel, ctx: TraceContext, ref: Ref): number {
  if ('trace' in ref) return ctx.trace[ref.trace]!;
  if ('constant' in ref) return ref.constant;
  if ('weight' in ref) {
    const w = model.weights;
    const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
    return ref.dtype === 'i8' ? view.getInt8(ref.weight) : view.getInt32(ref.weight, true);
  }
  switch (ref.query) {
    case 'prompt':
      return ctx.query.prompt[ref.index]!;
    case 'vector':
      return ctx.query.vector[ref.index]!;
    case 'step':
      return ref.index;
    case 'seed':
      return ctx.query.seed === null ? 0 : 1;
  }
}

/**
 * acc_0 … acc_L of a reduction: acc_0 = init, acc_{j+1} = combine(acc_j, link j). The last one is the element.
 * For 'argmax' acc is an index into the row, and link j compares a_j with the row element at index acc.
 */
export function partialSums(model: LoadedModel, ctx: TraceContext, desc: Extract<ElementDescription, { kind: 'reduction' }>): Int32Array {
  const out = new Int32Array(desc.links.length + 1);
  let acc = refValue(model, ctx, desc.init);
  out[0] = acc;
  const links: Link[] = desc.links;
  for (let j = 0; j < links.length; j++) {
    const l = links[j]!;
    const a = refValue(model, ctx, l.a);
    const b = desc.combiner === 'argmax' ? refValue(model, ctx, links[acc]!.a) : l.b ? refValue(model, ctx, l.b) : 0;
    acc = combineStep(desc.combiner, acc, a, b, j);
    out[j + 1] = acc;
  }
  return out;
}

/**
 * One link of a reduction (engine.md §3): 'mac' acc + a·b; 'add' acc + a; 'max' max(acc, a);
 * 'argmax' (b = the row element at index acc, j = the link index) a > b ? j : acc; 'countle' acc + (a ≤ b ? 1 : 0).
 */
export function combineStep(combiner: Combiner, acc: number, a: number, b: number, j: number): number {
  switch (combiner) {
    case 'mac':
      return acc + a * b;
    case 'add':
      return acc + a;
    case 'max':
      return a > acc ? a : acc;
    case 'argmax':
      return a > b ? j : acc;
    case 'countle':
      return acc + (a <= b ? 1 : 0);
  }
}

/** Re-executes one element from its inputs (engine.md §3), independently of the runner. */
export function evaluateElement(model: LoadedModel, ctx: TraceContext, index: number): number {
  const info = describeElement(model, ctx, index);
  const d = info.description;
  if (d.kind === 'reduction') return partialSums(model, ctx, d)[d.links.length]!;
  const node = model.nodes[info.node]!;
  const v = d.inputs.map((r) => refValue(model, ctx, r));
  switch (node.op) {
    case 'seeded':
      return ctx.query.seed === null ? 0 : 1;
    case 'random':
      return ctx.query.seed === null ? 0 : prng(ctx.query.seed, info.step);
    default:
      return elementwiseStep(node.op, node.p, v, node.w0 >= 0);
  }
}

/**
 * The element-wise (and source pass-through) rule of `op` on its input values, in the order `describe` lists
 * them (engine.md §3): the one step a contract replays. `hasWeight` tells requant / muldiv whether a weight
 * input (multiplier / gain) is present.
 */
export function elementwiseStep(op: string, p: readonly number[], v: readonly number[], hasWeight = false): number {
  const x = v[0]!;
  switch (op) {
    case 'token':
    case 'vector':
    case 'position':
      return x;
    case 'attn_scores': // a masked slot: the constant mask value
      return x;
    case 'gather':
      return v[1]!;
    case 'requant':
      return clamp(roundShift(x * (hasWeight ? v[1]! : p[0]!), p[1]!), p[2]!, p[3]!);
    case 'relu':
      return Math.max(x, 0);
    case 'lut':
      return v[1]!;
    case 'add':
      return clamp(x + v[1]!, p[0]!, p[1]!);
    case 'sub':
      return clamp(x - v[1]!, p[0]!, p[1]!);
    case 'max2':
      return clamp(Math.max(x, v[1]!), p[0]!, p[1]!);
    case 'muldiv':
      return clamp(roundDiv(x * (hasWeight ? v[2]! : 1) * p[3]!, v[1]!), p[0]!, p[1]!);
    case 'isqrt':
      return isqrtFloor(x + p[0]!);
    case 'mod':
      return euclidMod(x, v[1]!);
    case 'select':
      return v[2]! !== 0 ? x : v[1]!;
    case 'scan_add':
      return x + v[1]!;
    default: {
      const y = llmElementwiseStep(op, p, v);
      if (y === undefined) throw new Error(`elementwiseStep: no element-wise rule for op ${op}`);
      return y;
    }
  }
}
