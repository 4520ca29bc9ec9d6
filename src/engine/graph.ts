/**
 * The integer graph: the in-memory form of a model (whitepaper §2.2.5 "every neuron … stores its value",
 * §2.2.6; DESIGN.md §1.7). docs/spec/engine.md is the normative description.
 *
 * A model is a list of nodes in topological order. Node i produces `size` int32 elements per step; each element
 * is a SOURCE (from the query), a REDUCTION over an explicit list of links, or an ELEMENT-WISE integer function of
 * at most three inputs. Inputs name earlier nodes (a, b, c; −1 = absent); weights are byte offsets into the
 * model's weights blob (w0, w1; −1 = absent); p[0..7] are int32 parameters whose meaning depends on the op.
 *
 * Every node encodes to one fixed 64-byte record (16 little-endian int32 words) so the dispute contract can
 * authenticate a single node against the model hash with a Merkle proof of two 32-byte leaves:
 *   word 0 op code · 1 a · 2 b · 3 c · 4 size · 5 w0 · 6 w1 · 7..14 p[0..7] · 15 reserved (0)
 */
import type { TokenizerRef } from './tokenizers/tokenizer-ref.ts';
import { BaseError } from '../common/errors.ts';

export type OpKind = 'source' | 'reduction' | 'elementwise';

export type Dtype = 'i8' | 'i32';

export const NODE_RECORD_WORDS = 16;
export const NODE_RECORD_BYTES = NODE_RECORD_WORDS * 4;
export const NODE_PARAMS = 8;

export interface GraphNode {
  /** Op name (see ops/index.ts OPS). */
  op: string;
  /** Input node ids, −1 when absent; each must be < this node's id. */
  a: number;
  b: number;
  c: number;
  /** Number of int32 elements this node produces per step. */
  size: number;
  /** Byte offsets of weight tensors in the weights blob (32-byte aligned), −1 when absent. */
  w0: number;
  w1: number;
  /** Eight int32 parameters; unused ones are 0. */
  p: number[];
}

export type TaskKind = 'generate' | 'classify';

/** Model metadata, stored as canonical JSON in the file header. */
export interface ModelMeta {
  /** Short name, [a-z0-9-]{1,64}. */
  name: string;
  description: string;
  /** 'generate': a token-by-token decoder; 'classify': one step over an int8 input vector. */
  task: TaskKind;
  /** Positions per run (generate) — steps are numbered 0 … contextLength−1. 1 for classify. */
  contextLength: number;
  /** Number of token ids (generate); number of classes / output width (classify). */
  vocabSize: number;
  /** Node whose elements are the run's output each step: the chosen token (generate) or the output vector. */
  outputNode: number;
  /** Character tokenizer vocabulary (generate only): index = token id; see tokenizer.ts. */
  vocab?: string[];
  /** Language-model tokenizer and chat template: a blob in the weights (generate only, instead of `vocab`); see tokenizers/meta.ts. */
  tokenizer?: TokenizerRef;
  /** The stop token of a model with `tokenizer`. */
  eosId?: number;
  /** Optional human-readable names of nodes, for `model info` and traces. */
  nodeNames?: string[];
  /** Free-form provenance (training script, task, accuracy), JSON-safe strings and numbers only. */
  provenance?: Record<string, string | number>;
}

export interface Model {
  meta: ModelMeta;
  nodes: GraphNode[];
  /** Weights blob: int8 / int32 little-endian tensors, each at a 32-byte aligned offset; length multiple of 32. */
  weights: Uint8Array;
}

/** Inclusive integer range [lo, hi] of a node's elements, proven at load time. */
export interface Range {
  lo: number;
  hi: number;
}

/** Where a value comes from: a trace element, a weight, the query, or a constant. */
export type Ref =
  | { trace: number }
  | { weight: number; dtype: Dtype }
  | { query: 'prompt' | 'vector' | 'seed' | 'step'; index: number }
  | { constant: number };

export type Combiner = 'mac' | 'add' | 'max' | 'argmax' | 'countle';

/** One link of a reduction: for 'mac' acc += a·b; 'add' acc += a; 'max' acc = max(acc, a);
 *  'argmax' acc = a > b ? j : acc (b is the element at the current best index); 'countle' acc += (a ≤ b). */
export interface Link {
  a: Ref;
  b?: Ref;
}

export type ElementDescription =
  | { kind: 'source'; inputs: Ref[] }
  | { kind: 'elementwise'; inputs: Ref[] }
  | { kind: 'reduction'; combiner: Combiner; init: Ref; links: Link[] };

export class ModelFormatError<D extends Record<string, unknown> = Record<string, unknown>> extends BaseError<D> {}

/** The graph breaks a structural or range rule (unknown op, later input, bad parameter, possible overflow…). */
export class GraphValidationError extends ModelFormatError<{ node: number; op: string; reason: string }> {
  constructor(node: number, op: string, reason: string) {
    super('MODEL_BAD_GRAPH', `model graph node ${node} (${op}): ${reason}`, { details: { node, op, reason } });
  }
}

export class ModelMetaError extends ModelFormatError<{ field: string; reason: string }> {
  constructor(field: string, reason: string) {
    super('MODEL_BAD_META', `model metadata ${field}: ${reason}`, { details: { field, reason } });
  }
}

/** A fresh node with every optional field absent. */
export function emptyNode(op: string, size: number): GraphNode {
  return { op, a: -1, b: -1, c: -1, size, w0: -1, w1: -1, p: [0, 0, 0, 0, 0, 0, 0, 0] };
}
