/**
 * safetensors reader with hostile-file hardening (whitepaper §2.2.6: Hugging Face checkpoints users bring).
 *
 *   u64 LE N · N bytes of JSON header · data
 *   header: { "<name>": { "dtype": "F32" | "F16" | "BF16" | …, "shape": [d0, …], "data_offsets": [begin, end] },
 *             "__metadata__"?: { string: string } }       offsets relative to the data start, row-major, little-endian
 * The header length, every shape and every offset are checked against `SafetensorsLimits` and the file size before
 * anything is allocated; tensors must not overlap and must have exactly the bytes their dtype and shape need.
 */
import type { ByteSource } from './byte-source.ts';
import { ImportLimitError, ImportStructureError, ImportTruncatedError } from './errors.ts';
import { decodeTensor, typeByName, type TensorTypeInfo } from './tensor-types.ts';

export interface SafetensorsLimits {
  maxHeaderBytes: number;
  maxTensorCount: number;
  maxDims: number;
  maxTensorElements: number;
}

export const DEFAULTS: SafetensorsLimits = {
  maxHeaderBytes: 100 << 20, // the format's own limit (100 MB; the Rust reader refuses more)
  maxTensorCount: 1 << 16, // a 405B checkpoint shard has ~1,000
  maxDims: 4, // Llama weights are ≤ 2-D
  maxTensorElements: 1 << 28, // one tensor decoded to float32 is ≤ 1 GiB (as GGUF)
};

export interface SafetensorsTensorInfo {
  name: string;
  /** Row-major: shape[last] is innermost. */
  shape: number[];
  elements: number;
  type: TensorTypeInfo;
  offset: number;
  bytes: number;
}

export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsTensorInfo>;
  source: ByteSource;
}

/** safetensors dtypes → our type table (only float types are decodable). */
const DTYPES: Record<string, string> = { F32: 'F32', F16: 'F16', BF16: 'BF16', F64: 'F64', I8: 'I8', I16: 'I16', I32: 'I32', I64: 'I64' };

export function readSafetensors(source: ByteSource, limits: Partial<SafetensorsLimits> = {}): SafetensorsFile {
  const lim = { ...DEFAULTS, ...limits };
  const head = source.read(0, 8, 'safetensors header length');
  const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(lim.maxHeaderBytes)) throw new ImportLimitError('safetensors header bytes', n, lim.maxHeaderBytes);
  const headerBytes = Number(n);
  const raw = source.read(8, headerBytes, 'safetensors header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    throw new ImportStructureError(`header is not UTF-8 JSON: ${(e as Error).message.slice(0, 80)}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new ImportStructureError('header is not a JSON object');
  const entries = Object.entries(header as Record<string, unknown>);
  if (entries.length > lim.maxTensorCount + 1) throw new ImportLimitError('safetensors tensor count', entries.length, lim.maxTensorCount);
  const dataStart = 8 + headerBytes;
  const dataBytes = source.size - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsTensorInfo>();
  for (const [name, v] of entries) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ImportStructureError('__metadata__ is not an object');
      for (const [k, s] of Object.entries(v)) {
        if (typeof s !== 'string') throw new ImportStructureError('metadata value is not a string', k);
        metadata[k] = s;
      }
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ImportStructureError('entry is not an object', name);
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const typeName = typeof e.dtype === 'string' && Object.hasOwn(DTYPES, e.dtype) ? DTYPES[e.dtype] : undefined;
    if (typeName === undefined) throw new ImportStructureError(`unknown dtype ${JSON.stringify(e.dtype)}`, name);
    const type = typeByName(typeName)!;
    if (!Array.isArray(e.shape) || e.shape.length > lim.maxDims) throw new ImportLimitError(`${name} dimensions`, Array.isArray(e.shape) ? e.shape.length : -1, lim.maxDims);
    let elements = 1;
    for (const d of e.shape) {
      if (!Number.isSafeInteger(d) || (d as number) < 0) throw new ImportStructureError(`bad dimension ${JSON.stringify(d)}`, name);
      elements *= d as number;
      if (elements > lim.maxTensorElements) throw new ImportLimitError(`${name} elements`, elements, lim.maxTensorElements);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[0] > off[1]) throw new ImportStructureError('bad data_offsets', name);
    const [begin, end] = off as [number, number];
    if (end > dataBytes) throw new ImportTruncatedError(`tensor ${name}`, dataStart + begin, end - begin, source.size);
    const bytes = elements * type.blockBytes;
    if (end - begin !== bytes) throw new ImportStructureError(`has ${end - begin} bytes, ${type.name} ${JSON.stringify(e.shape)} needs ${bytes}`, name);
    tensors.set(name, { name, shape: e.shape as number[], elements, type, offset: dataStart + begin, bytes });
  }
  const sorted = [...tensors.values()].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.offset < sorted[i - 1]!.offset + sorted[i - 1]!.bytes) throw new ImportStructureError(`overlaps ${sorted[i - 1]!.name}`, sorted[i]!.name);
  }
  return { metadata, tensors, source };
}

export function readSafetensor(file: SafetensorsFile, info: SafetensorsTensorInfo): Float32Array {
  return decodeTensor(info.type, file.source.read(info.offset, info.bytes, `tensor ${info.name}`), info.elements, info.name);
}

/** Writes a safetensors file (our own fixtures and exports): tensors in the given order, 8-byte aligned header. */
export function encodeSafetensors(tensors: { name: string; shape: number[]; dtype: 'F32' | 'F16' | 'BF16'; data: Uint8Array }[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const hb = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20); // the reference writer pads with spaces to 8 bytes
  hb.set(json);
  const out = new Uint8Array(8 + hb.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let o = 8 + hb.length;
  for (const t of tensors) {
    out.set(t.data, o);
    o += t.data.length;
  }
  return out;
}
