/**
 * Validation of a whole graph (engine.md §4.3): structure, per-op rules and a proof by interval arithmetic that
 * no element can leave int32. Runs on every model the engine loads or builds, so a hostile file is refused
 * here with a GraphValidationError / ModelMetaError rather than misbehaving at run time.
 */
import type { GraphNode, Model, ModelMeta, Range } from './graph.ts';
import { GraphValidationError, ModelMetaError, NODE_PARAMS } from './graph.ts';
import { OPS_BY_NAME } from './ops/index.ts';
import type { CheckEnv, OpDef } from './ops/op.ts';
import { int32Range } from './ops/op.ts';
import { INT32_MAX, INT32_MIN, isIntIn } from './ops/arith.ts';
import { Tokenizer } from './tokenizer.ts';
import { tokenizerFromBlob, type TextTokenizer } from './tokenizers/meta.ts';

/** Largest vocabulary of a model with a language-model tokenizer (Gemma-sized; the issue asks for 32k–150k). */
export const MAX_LLM_VOCAB = 262_144;

export interface GraphLimits {
  /** Most nodes in a graph: bounds load work and the node table (64 bytes each → 4 MiB). */
  maxNodes: number;
  /** Most elements in one node: 2^24, the kernels' row limit and a 64 MiB int32 buffer. */
  maxNodeSize: number;
  /** Most elements per step (all nodes): 2^26 int32 = 256 MiB of live values. */
  maxStepElements: number;
  /** Longest context (generate): attention rows hold one slot per position. */
  maxContextLength: number;
  /**
   * Most bytes of run state a model may ask for (`runStateBytes`): KV caches, their int32 histories and the two
   * live value sets. Without it a file of a few KB (attention nodes need no weights) could make a run allocate
   * hundreds of GiB; with it such a file is refused at load like any other malformed graph.
   */
  maxRunStateBytes: number;
}

export const GRAPH_LIMITS: GraphLimits = {
  maxNodes: 65_536, // node table ≤ 4 MiB
  maxNodeSize: 1 << 24, // 16 Mi elements
  maxStepElements: 1 << 26, // 64 Mi elements per step
  maxContextLength: 4096, // positions
  // 1 GiB, the same budget as the runner's largest trace: the int8 KV caches live in the kernels' 4 GiB wasm32
  // memory beside the weights (≤ 1 GiB file) and the values (≤ 512 MiB), so the sum stays addressable, and a
  // 24 GiB machine can hold several runs. A d 768, 12-layer decoder at context 1024 needs about 95 MiB.
  maxRunStateBytes: 1 << 30,
};

/**
 * Bytes of run state a validated graph needs (what the runner allocates besides the weights and the trace):
 * every attention node's int8 KV cache (C rows × size(b)), every history node's int32 copy over the context
 * (4 · C · size) and the two int32 value sets of a step (current and previous: 8 · stepElements).
 */
export function runStateBytes(nodes: readonly GraphNode[], contextLength: number, historyNodes: readonly number[], stepElements: number): number {
  let bytes = 8 * stepElements;
  for (const n of nodes) if (n.op === 'attn_scores' || n.op === 'attn_mix') bytes += contextLength * nodes[n.b]!.size;
  for (const h of historyNodes) bytes += 4 * contextLength * nodes[h]!.size;
  return bytes;
}

/** What validation proves and the runner needs. */
export interface GraphLayout {
  /** Proven inclusive range of each node's elements. */
  ranges: Range[];
  /** Offset of node i's first element within a step. */
  offsets: number[];
  /** Elements per step: Σ size. */
  stepElements: number;
  /** Nodes whose values at earlier steps are read (the KV cache). */
  historyNodes: number[];
  /** Op definition of each node. */
  defs: OpDef[];
  /** The tokenizer (generate models). */
  tokenizer: Tokenizer | TextTokenizer | null;
}

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function validateMeta(meta: unknown, nodeCount: number, limits: GraphLimits = GRAPH_LIMITS, weights: Uint8Array = new Uint8Array(0)): { meta: ModelMeta; tokenizer: Tokenizer | TextTokenizer | null } {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new ModelMetaError('(root)', 'not an object');
  const m = meta as Record<string, unknown>;
  const known = new Set(['name', 'description', 'task', 'contextLength', 'vocabSize', 'outputNode', 'vocab', 'tokenizer', 'eosId', 'nodeNames', 'provenance']);
  for (const k of Object.keys(m)) if (!known.has(k)) throw new ModelMetaError(k, 'unknown field');
  if (typeof m.name !== 'string' || !NAME_RE.test(m.name)) throw new ModelMetaError('name', 'must match [a-z0-9][a-z0-9-]{0,63}');
  if (typeof m.description !== 'string' || m.description.length > 4096) throw new ModelMetaError('description', 'must be a string of at most 4096 characters');
  if (m.task !== 'generate' && m.task !== 'classify') throw new ModelMetaError('task', 'must be "generate" or "classify"');
  if (!isIntIn(m.contextLength, 1, limits.maxContextLength)) throw new ModelMetaError('contextLength', `must be an integer in [1, ${limits.maxContextLength}]`);
  if (m.task === 'classify' && m.contextLength !== 1) throw new ModelMetaError('contextLength', 'must be 1 for a classify model');
  // A language model's own tokenizer (engine.md §4.1 `tokenizer`) allows the vocabularies of real models.
  const maxVocab = m.tokenizer === undefined ? 65_536 : MAX_LLM_VOCAB;
  if (!isIntIn(m.vocabSize, 1, maxVocab)) throw new ModelMetaError('vocabSize', `must be an integer in [1, ${maxVocab}]`);
  if (!isIntIn(m.outputNode, 0, nodeCount - 1)) throw new ModelMetaError('outputNode', `must name a node in [0, ${nodeCount - 1}]`);
  let tokenizer: Tokenizer | TextTokenizer | null = null;
  if (m.tokenizer !== undefined) {
    if (m.task !== 'generate' || m.vocab !== undefined) throw new ModelMetaError('tokenizer', 'only a generate model without a character vocab has a language-model tokenizer');
    tokenizer = tokenizerFromBlob(m.tokenizer, m.eosId, weights);
    if (tokenizer.size !== m.vocabSize) throw new ModelMetaError('tokenizer', `has ${tokenizer.size} tokens but vocabSize is ${m.vocabSize}`);
  } else if (m.eosId !== undefined) {
    throw new ModelMetaError('eosId', 'only a model with a language-model tokenizer names its eosId');
  } else if (m.task === 'generate') {
    if (!Array.isArray(m.vocab)) throw new ModelMetaError('vocab', 'a generate model needs its tokenizer vocabulary');
    try {
      tokenizer = new Tokenizer(m.vocab);
    } catch (error) {
      throw new ModelMetaError('vocab', (error as Error).message);
    }
    if (tokenizer.size !== m.vocabSize) throw new ModelMetaError('vocab', `has ${tokenizer.size} entries but vocabSize is ${m.vocabSize}`);
  } else if (m.vocab !== undefined) {
    throw new ModelMetaError('vocab', 'only generate models have a vocabulary');
  }
  if (m.nodeNames !== undefined) {
    if (!Array.isArray(m.nodeNames) || m.nodeNames.length !== nodeCount || !m.nodeNames.every((s) => typeof s === 'string' && s.length <= 128)) {
      throw new ModelMetaError('nodeNames', 'must be one string (≤ 128 characters) per node');
    }
  }
  if (m.provenance !== undefined) {
    const p = m.provenance;
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new ModelMetaError('provenance', 'must be an object');
    for (const [k, v] of Object.entries(p)) {
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) throw new ModelMetaError(`provenance.${k}`, 'must be a string or a finite number');
    }
  }
  return { meta: m as unknown as ModelMeta, tokenizer };
}

/** Validates the whole model; throws a ModelFormatError subclass on the first problem. */
export function validateModel(model: Model, limits: GraphLimits = GRAPH_LIMITS): GraphLayout {
  const { nodes, weights } = model;
  if (nodes.length === 0 || nodes.length > limits.maxNodes) throw new GraphValidationError(-1, '(graph)', `node count ${nodes.length} not in [1, ${limits.maxNodes}]`);
  const { meta, tokenizer } = validateMeta(model.meta, nodes.length, limits, weights);
  const ranges: Range[] = [];
  const offsets: number[] = [];
  const defs: OpDef[] = [];
  const history = new Set<number>();
  let stepElements = 0;
  nodes.forEach((node, id) => {
    const def = OPS_BY_NAME.get(node.op);
    if (!def) throw new GraphValidationError(id, String(node.op), 'unknown op');
    checkStructure(node, id, def, limits);
    const env: CheckEnv = { id, node, nodes, ranges, meta, weights };
    const r = def.check(env);
    int32Range(env, r);
    if (!(r.lo <= r.hi)) throw new GraphValidationError(id, node.op, `empty output range [${r.lo}, ${r.hi}]`);
    ranges.push(r);
    offsets.push(stepElements);
    defs.push(def);
    for (const h of def.history?.(node) ?? []) history.add(h);
    stepElements += node.size;
    if (stepElements > limits.maxStepElements) throw new GraphValidationError(id, node.op, `elements per step exceed ${limits.maxStepElements}`);
  });
  // Checks that look forward: the token source reads the output node of the previous step.
  const out = ranges[meta.outputNode]!;
  if (meta.task === 'generate') {
    if (nodes[meta.outputNode]!.size !== 1) throw new ModelMetaError('outputNode', 'a generate model outputs one token id per step');
    if (out.lo < 0 || out.hi > meta.vocabSize - 1) throw new ModelMetaError('outputNode', `range [${out.lo}, ${out.hi}] is not within the vocabulary [0, ${meta.vocabSize - 1}]`);
  }
  nodes.forEach((node, id) => {
    if (node.op === 'token' && node.p[1] !== meta.outputNode) throw new GraphValidationError(id, 'token', `token node p1 = ${node.p[1]} must be the output node ${meta.outputNode}`);
  });
  const historyNodes = [...history].sort((a, b) => a - b);
  const state = runStateBytes(nodes, meta.contextLength, historyNodes, stepElements);
  if (state > limits.maxRunStateBytes) {
    throw new GraphValidationError(-1, '(graph)', `a run would need ${state} bytes of KV caches and live values, above the limit of ${limits.maxRunStateBytes}`);
  }
  return { ranges, offsets, stepElements, historyNodes, defs, tokenizer };
}

function checkStructure(node: GraphNode, id: number, def: OpDef, limits: GraphLimits): void {
  const bad = (reason: string): never => {
    throw new GraphValidationError(id, def.name, reason);
  };
  if (!isIntIn(node.size, 1, limits.maxNodeSize)) bad(`size ${node.size} not in [1, ${limits.maxNodeSize}]`);
  for (const k of ['a', 'b', 'c'] as const) {
    const v = node[k];
    const use = def.usage[k];
    if (v === -1) {
      if (use === 'required') bad(`input ${k} is required`);
    } else {
      if (use === 'none') bad(`input ${k} must be absent (−1)`);
      if (!isIntIn(v, 0, id - 1)) bad(`input ${k} = ${v} must name an earlier node`);
    }
  }
  for (const k of ['w0', 'w1'] as const) {
    const v = node[k];
    const use = def.usage[k];
    if (v === -1) {
      if (use === 'required') bad(`weight ${k} is required`);
    } else {
      if (use === 'none') bad(`weight ${k} must be absent (−1)`);
      if (!isIntIn(v, 0, INT32_MAX)) bad(`weight offset ${k} = ${v} out of range`);
    }
  }
  if (!Array.isArray(node.p) || node.p.length !== NODE_PARAMS) bad(`needs exactly ${NODE_PARAMS} params`);
  node.p.forEach((v, i) => {
    if (!isIntIn(v, INT32_MIN, INT32_MAX)) bad(`param p${i} is not an int32`);
    if (i >= def.usage.params && v !== 0) bad(`unused param p${i} must be 0`);
  });
}
