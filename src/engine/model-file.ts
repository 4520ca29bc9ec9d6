/**
 * The model file: one self-describing binary file holding the graph, its metadata and the weights, and the
 * model hash that commits to all three (whitepaper §2.2.4 "only requiring the LLM hash", §2.2.6 "the weight
 * matrix is stored in a way that allows parsing"; engine.md §4 is the normative layout).
 *
 *   offset  bytes            field
 *   0       8                magic "HSMODEL\0"
 *   8       4                version (u32 LE) = 1
 *   12      4                metaLength M (u32 LE): bytes of canonical JSON metadata
 *   16      4                nodeCount N (u32 LE)
 *   20      4                weightsLength W (u32 LE), a multiple of 32
 *   24      8                zero
 *   32      M, padded to 32  metadata: canonical JSON (sorted keys, no spaces), UTF-8, zero padding
 *   …       64·N             node table: one 16-word int32 LE record per node (graph.ts)
 *   …       W                weights blob: int8 / int32 LE tensors at 32-byte aligned offsets
 * The file is exactly that long: trailing bytes are refused.
 *
 * Hashes (keccak256; merkleRoot = commitment/weights.ts weightsRoot: binary tree over 32-byte leaves, zero-padded):
 *   nodesRoot   = merkleRoot(node table)          — node i is leaves 2i and 2i+1
 *   graphHash   = keccak256(keccak256(meta bytes) ‖ nodesRoot)
 *   weightsRoot = merkleRoot(weights blob)        — weight byte k is byte k mod 32 of leaf floor(k / 32)
 *   modelHash   = keccak256(graphHash ‖ weightsRoot)
 * so a contract holding only modelHash can check one node record or one weight with a short Merkle proof.
 */
import { keccak256, keccak256Concat } from '../crypto/keccak.ts';
import type { GraphNode, Model, ModelMeta } from './graph.ts';
import { GraphValidationError, ModelFormatError, NODE_PARAMS, NODE_RECORD_BYTES, NODE_RECORD_WORDS } from './graph.ts';
import { OPS_BY_CODE, OPS_BY_NAME } from './ops/index.ts';
import { GRAPH_LIMITS, validateModel, type GraphLayout, type GraphLimits } from './validate.ts';
import { weightsRoot as merkleRoot32 } from '../commitment/weights.ts';

export const MODEL_MAGIC = new Uint8Array([0x48, 0x53, 0x4d, 0x4f, 0x44, 0x45, 0x4c, 0x00]); // "HSMODEL\0"
export const MODEL_VERSION = 1;
export const PREAMBLE_BYTES = 32;

export interface ModelFileOptions extends GraphLimits {
  /** Largest file accepted: bounds the one allocation a load makes. */
  maxFileBytes: number;
  /** Largest metadata JSON. */
  maxMetaBytes: number;
}

export const DEFAULTS: ModelFileOptions = {
  ...GRAPH_LIMITS,
  maxFileBytes: 1 << 30, // 1 GiB: far above the shipped models (kilobytes to a few MiB), below a laptop's RAM
  maxMetaBytes: 4 << 20, // 4 MiB: a 65,536-entry vocabulary plus node names fits
};

/** A validated model with its proven layout and hashes. */
export interface LoadedModel extends Model {
  layout: GraphLayout;
  /** The metadata as it is hashed (canonical JSON, UTF-8). */
  metaBytes: Uint8Array;
  /** The node table as it is hashed. */
  nodeTable: Uint8Array;
  graphHash: Uint8Array;
  weightsRoot: Uint8Array;
  modelHash: Uint8Array;
}

export class ModelTruncatedError extends ModelFormatError<{ needed: number; actual: number; what: string }> {
  constructor(what: string, needed: number, actual: number) {
    super('MODEL_TRUNCATED', `model file truncated: ${what} needs ${needed} bytes, file has ${actual}`, { details: { what, needed, actual } });
  }
}

export class ModelMagicError extends ModelFormatError<{ found: string }> {
  constructor(found: string) {
    super('MODEL_BAD_MAGIC', `not a Hyperspace model file (magic ${found})`, { details: { found } });
  }
}

export class ModelVersionError extends ModelFormatError<{ version: number; supported: number }> {
  constructor(version: number) {
    super('MODEL_BAD_VERSION', `unsupported model file version ${version} (supported: ${MODEL_VERSION})`, { details: { version, supported: MODEL_VERSION } });
  }
}

export class ModelSizeError extends ModelFormatError<{ field: string; value: number; limit: number }> {
  constructor(field: string, value: number, limit: number, reason = 'exceeds') {
    super('MODEL_BAD_SIZE', `model file ${field} = ${value} ${reason} ${limit}`, { details: { field, value, limit } });
  }
}

export class ModelHeaderError extends ModelFormatError<{ reason: string }> {
  constructor(reason: string) {
    super('MODEL_BAD_HEADER', `model file header: ${reason}`, { details: { reason } });
  }
}

// ------------------------------------------------------------------------------------------------ canonical JSON

/** Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ModelHeaderError('metadata holds a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new ModelHeaderError(`metadata holds a ${typeof value}`);
}

// ------------------------------------------------------------------------------------------------ node records

export function encodeNodeTable(nodes: readonly GraphNode[]): Uint8Array {
  const out = new Uint8Array(nodes.length * NODE_RECORD_BYTES);
  const view = new DataView(out.buffer);
  nodes.forEach((n, i) => {
    const def = OPS_BY_NAME.get(n.op);
    if (!def) throw new GraphValidationError(i, String(n.op), 'unknown op');
    const words = [def.code, n.a, n.b, n.c, n.size, n.w0, n.w1, ...n.p, 0];
    if (words.length !== NODE_RECORD_WORDS) throw new GraphValidationError(i, n.op, `needs exactly ${NODE_PARAMS} params`);
    words.forEach((w, k) => view.setInt32(i * NODE_RECORD_BYTES + 4 * k, w, true));
  });
  return out;
}

export function decodeNodeTable(table: Uint8Array, count: number): GraphNode[] {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const nodes: GraphNode[] = [];
  for (let i = 0; i < count; i++) {
    const w = (k: number) => view.getInt32(i * NODE_RECORD_BYTES + 4 * k, true);
    const def = OPS_BY_CODE.get(w(0));
    if (!def) throw new GraphValidationError(i, `#${w(0)}`, `unknown op code ${w(0)}`);
    if (w(15) !== 0) throw new GraphValidationError(i, def.name, 'reserved word 15 must be 0');
    const p: number[] = [];
    for (let k = 0; k < NODE_PARAMS; k++) p.push(w(7 + k));
    nodes.push({ op: def.name, a: w(1), b: w(2), c: w(3), size: w(4), w0: w(5), w1: w(6), p });
  }
  return nodes;
}

// ------------------------------------------------------------------------------------------------ hashes

export function computeHashes(metaBytes: Uint8Array, nodeTable: Uint8Array, weights: Uint8Array): { graphHash: Uint8Array; weightsRoot: Uint8Array; modelHash: Uint8Array } {
  const graphHash = keccak256Concat(keccak256(metaBytes), merkleRoot32(nodeTable));
  const weightsRoot = merkleRoot32(weights);
  return { graphHash, weightsRoot, modelHash: keccak256Concat(graphHash, weightsRoot) };
}

/** Validates an in-memory model (e.g. fresh from the GraphBuilder) and computes its hashes. */
export function prepareModel(model: Model, options: Partial<ModelFileOptions> = {}): LoadedModel {
  const opts = { ...DEFAULTS, ...options };
  if (model.weights.length % 32 !== 0) throw new ModelSizeError('weightsLength', model.weights.length, 32, 'is not a multiple of');
  if (model.weights.length > opts.maxFileBytes) throw new ModelSizeError('weightsLength', model.weights.length, opts.maxFileBytes);
  // Own, 32-byte aligned copy of the weights: int32 views need 4-byte alignment, and callers may reuse theirs.
  const weights = new Uint8Array(model.weights);
  const metaBytes = new TextEncoder().encode(canonicalJson(model.meta));
  if (metaBytes.length > opts.maxMetaBytes) throw new ModelSizeError('metaLength', metaBytes.length, opts.maxMetaBytes);
  const nodes = model.nodes.map((n) => ({ ...n, p: [...n.p] }));
  const meta = JSON.parse(new TextDecoder().decode(metaBytes)) as ModelMeta;
  const layout = validateModel({ meta, nodes, weights }, opts);
  const nodeTable = encodeNodeTable(nodes);
  return { meta, nodes, weights, layout, metaBytes, nodeTable, ...computeHashes(metaBytes, nodeTable, weights) };
}

const pad32 = (n: number) => Math.ceil(n / 32) * 32;

/** The file bytes of a model (validated first). */
export function encodeModelFile(model: Model | LoadedModel): Uint8Array {
  const m = 'modelHash' in model ? model : prepareModel(model);
  const metaPadded = pad32(m.metaBytes.length);
  const out = new Uint8Array(PREAMBLE_BYTES + metaPadded + m.nodeTable.length + m.weights.length);
  const view = new DataView(out.buffer);
  out.set(MODEL_MAGIC, 0);
  view.setUint32(8, MODEL_VERSION, true);
  view.setUint32(12, m.metaBytes.length, true);
  view.setUint32(16, m.nodes.length, true);
  view.setUint32(20, m.weights.length, true);
  out.set(m.metaBytes, PREAMBLE_BYTES);
  out.set(m.nodeTable, PREAMBLE_BYTES + metaPadded);
  out.set(m.weights, PREAMBLE_BYTES + metaPadded + m.nodeTable.length);
  return out;
}

/**
 * Parses and validates a model file. Every failure is a ModelFormatError subclass; sizes are checked against
 * the limits before anything is allocated, so a hostile header cannot request a huge buffer.
 */
export function decodeModelFile(bytes: Uint8Array, options: Partial<ModelFileOptions> = {}): LoadedModel {
  const opts = { ...DEFAULTS, ...options };
  if (!(bytes instanceof Uint8Array)) throw new ModelHeaderError('input is not a byte array');
  if (bytes.length > opts.maxFileBytes) throw new ModelSizeError('fileLength', bytes.length, opts.maxFileBytes);
  if (bytes.length < PREAMBLE_BYTES) {
    if (bytes.length >= 8 && !MODEL_MAGIC.every((b, i) => bytes[i] === b)) throw new ModelMagicError(hexOf(bytes.subarray(0, 8)));
    throw new ModelTruncatedError('preamble', PREAMBLE_BYTES, bytes.length);
  }
  if (!MODEL_MAGIC.every((b, i) => bytes[i] === b)) throw new ModelMagicError(hexOf(bytes.subarray(0, 8)));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MODEL_VERSION) throw new ModelVersionError(version);
  const metaLength = view.getUint32(12, true);
  const nodeCount = view.getUint32(16, true);
  const weightsLength = view.getUint32(20, true);
  for (let i = 24; i < 32; i++) if (bytes[i] !== 0) throw new ModelHeaderError(`reserved preamble byte ${i} is not zero`);
  if (metaLength > opts.maxMetaBytes) throw new ModelSizeError('metaLength', metaLength, opts.maxMetaBytes);
  if (nodeCount < 1 || nodeCount > opts.maxNodes) throw new ModelSizeError('nodeCount', nodeCount, opts.maxNodes, 'is 0 or exceeds');
  if (weightsLength % 32 !== 0) throw new ModelSizeError('weightsLength', weightsLength, 32, 'is not a multiple of');
  const metaPadded = pad32(metaLength);
  const total = PREAMBLE_BYTES + metaPadded + nodeCount * NODE_RECORD_BYTES + weightsLength;
  if (bytes.length < total) throw new ModelTruncatedError('header-declared sections', total, bytes.length);
  if (bytes.length > total) throw new ModelSizeError('fileLength', bytes.length, total, 'has trailing bytes beyond');
  const metaBytes = bytes.slice(PREAMBLE_BYTES, PREAMBLE_BYTES + metaLength);
  for (let i = PREAMBLE_BYTES + metaLength; i < PREAMBLE_BYTES + metaPadded; i++) {
    if (bytes[i] !== 0) throw new ModelHeaderError('metadata padding is not zero');
  }
  let metaText: string;
  let meta: unknown;
  try {
    metaText = new TextDecoder('utf-8', { fatal: true }).decode(metaBytes);
    meta = JSON.parse(metaText);
  } catch (error) {
    throw new ModelHeaderError(`metadata is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (canonicalJson(meta) !== metaText) throw new ModelHeaderError('metadata is not canonical JSON (sorted keys, no whitespace)');
  const tableStart = PREAMBLE_BYTES + metaPadded;
  const nodeTable = bytes.slice(tableStart, tableStart + nodeCount * NODE_RECORD_BYTES);
  const nodes = decodeNodeTable(nodeTable, nodeCount);
  const weights = bytes.slice(tableStart + nodeTable.length, total);
  const layout = validateModel({ meta: meta as ModelMeta, nodes, weights }, opts);
  return { meta: meta as ModelMeta, nodes, weights, layout, metaBytes, nodeTable, ...computeHashes(metaBytes, nodeTable, weights) };
}

function hexOf(b: Uint8Array): string {
  return '0x' + Buffer.from(b).toString('hex');
}
