/**
 * Where a dispute party's step descriptions and weights come from (whitepaper §2.2.5; docs/dispute.md §3): an engine
 * model and query (`modelStepSource`), or a synthetic source (benchmarks). The one step the contract replays is
 * derived from the model layout; a party needs the same description to pick and prove the operands.
 */
import { BaseError } from '../common/errors.ts';
import type { ElementDescription } from '../engine/graph.ts';
import { describeElement, type TraceContext } from '../engine/element.ts';
import type { LoadedModel } from '../engine/model-file.ts';
import { OPS_BY_NAME } from '../engine/ops/index.ts';
import type { RunQuery } from '../engine/ops/op.ts';
import { queryInputValues } from '../inference/query-input.ts';

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
  /**
   * Elements per step and the trace offset of the output node (a generate model's chosen token; a classify model's
   * output elements): the stop rule and the output check (ModelLayouts.outputElement).
   */
  steps?: { stepElements: number; outputOffset: number; classify?: boolean };
}

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
    steps: { stepElements: model.layout.stepElements, outputOffset: model.layout.offsets[model.meta.outputNode]!, classify: model.meta.task === 'classify' },
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
