/**
 * Tensor element types of GGUF (ggml `ggml_type`) and safetensors, with their block layouts, and the conversions
 * to and from float32 (whitepaper §2.2.6: imported weights are decoded to float, then quantised to the engine's
 * int8 with per-row scales).
 *
 * A ggml quantised type stores `blockElements` values in `blockBytes` bytes; a row's element count must be a
 * multiple of the block. Q8_0: 32 values = one float16 scale d then 32 int8 q, value = d · q (ggml-quants.c).
 */
import { ImportStructureError, ImportUnsupportedTypeError } from './errors.ts';
// C's roundf (half away from zero), which ggml's quantisers use; the engine's rounding too
import { roundHalfAway } from '../train/fake-quant.ts';

export interface TensorTypeInfo {
  name: string;
  /** ggml type id (GGUF), or -1 for a safetensors-only type. */
  ggml: number;
  blockElements: number;
  blockBytes: number;
  /** Whether this module can decode it. */
  decodable: boolean;
}

/** ggml_type ids (ggml.h). Only the decodable ones may appear in a tensor we load; the rest are named for errors. */
export const GGML_TYPES: readonly TensorTypeInfo[] = [
  { name: 'F32', ggml: 0, blockElements: 1, blockBytes: 4, decodable: true },
  { name: 'F16', ggml: 1, blockElements: 1, blockBytes: 2, decodable: true },
  { name: 'Q4_0', ggml: 2, blockElements: 32, blockBytes: 18, decodable: false },
  { name: 'Q4_1', ggml: 3, blockElements: 32, blockBytes: 20, decodable: false },
  { name: 'Q5_0', ggml: 6, blockElements: 32, blockBytes: 22, decodable: false },
  { name: 'Q5_1', ggml: 7, blockElements: 32, blockBytes: 24, decodable: false },
  { name: 'Q8_0', ggml: 8, blockElements: 32, blockBytes: 34, decodable: true },
  { name: 'Q8_1', ggml: 9, blockElements: 32, blockBytes: 36, decodable: false },
  { name: 'Q2_K', ggml: 10, blockElements: 256, blockBytes: 84, decodable: false },
  { name: 'Q3_K', ggml: 11, blockElements: 256, blockBytes: 110, decodable: false },
  { name: 'Q4_K', ggml: 12, blockElements: 256, blockBytes: 144, decodable: false },
  { name: 'Q5_K', ggml: 13, blockElements: 256, blockBytes: 176, decodable: false },
  { name: 'Q6_K', ggml: 14, blockElements: 256, blockBytes: 210, decodable: false },
  { name: 'Q8_K', ggml: 15, blockElements: 256, blockBytes: 292, decodable: false },
  { name: 'I8', ggml: 24, blockElements: 1, blockBytes: 1, decodable: false },
  { name: 'I16', ggml: 25, blockElements: 1, blockBytes: 2, decodable: false },
  { name: 'I32', ggml: 26, blockElements: 1, blockBytes: 4, decodable: false },
  { name: 'I64', ggml: 27, blockElements: 1, blockBytes: 8, decodable: false },
  { name: 'F64', ggml: 28, blockElements: 1, blockBytes: 8, decodable: false },
  { name: 'BF16', ggml: 30, blockElements: 1, blockBytes: 2, decodable: true },
];

const BY_GGML = new Map(GGML_TYPES.map((t) => [t.ggml, t]));
const BY_NAME = new Map(GGML_TYPES.map((t) => [t.name, t]));

export type DecodableType = 'F32' | 'F16' | 'BF16' | 'Q8_0';

export function ggmlType(id: number, tensor: string): TensorTypeInfo {
  const t = BY_GGML.get(id);
  if (t === undefined) throw new ImportStructureError(`unknown ggml type ${id}`, tensor);
  return t;
}

export function typeByName(name: string): TensorTypeInfo | undefined {
  return BY_NAME.get(name);
}

/** Bytes of `elements` values of type `t` (elements must be a multiple of the block; checked by the caller). */
export function typeBytes(t: TensorTypeInfo, elements: number): number {
  return (elements / t.blockElements) * t.blockBytes;
}

// ---- float16 / bfloat16 ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits → number (exact). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** number → IEEE binary16 bits, round to nearest even (as numpy and ggml's `GGML_FP32_TO_FP16` do). */
export function f32ToF16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let frac = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (frac !== 0 ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    frac |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = frac >>> shift;
    const rest = frac & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1) === 1)) m++;
    return sign | m; // m may carry into the exponent field: that is the correct smallest normal
  }
  let m = frac >>> 13;
  const rest = frac & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

export function bf16ToF32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0]!;
}

/** number → bfloat16 bits, round to nearest even (torch's conversion); NaN stays NaN. */
export function f32ToBf16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

// ---- decode / encode whole tensors ----

/** Decodes `elements` values of `type` from little-endian `bytes` into float32. */
export function decodeTensor(type: TensorTypeInfo, bytes: Uint8Array, elements: number, tensor: string): Float32Array {
  if (!type.decodable) throw new ImportUnsupportedTypeError(tensor, type.name);
  if (bytes.length !== typeBytes(type, elements)) throw new ImportStructureError(`has ${bytes.length} bytes, type ${type.name} needs ${typeBytes(type, elements)}`, tensor);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(elements);
  switch (type.name as DecodableType) {
    case 'F32':
      for (let i = 0; i < elements; i++) out[i] = dv.getFloat32(4 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < elements; i++) out[i] = f16ToF32(dv.getUint16(2 * i, true));
      break;
    case 'BF16':
      for (let i = 0; i < elements; i++) out[i] = bf16ToF32(dv.getUint16(2 * i, true));
      break;
    case 'Q8_0':
      for (let b = 0; b < elements / 32; b++) {
        const d = f16ToF32(dv.getUint16(34 * b, true));
        for (let j = 0; j < 32; j++) out[32 * b + j] = d * dv.getInt8(34 * b + 2 + j);
      }
      break;
  }
  return out;
}

/** Encodes float values as `type` (little-endian). Q8_0 follows ggml's `quantize_row_q8_0_ref`. */
export function encodeTensor(type: TensorTypeInfo, values: ArrayLike<number>, tensor: string): Uint8Array {
  if (!type.decodable) throw new ImportUnsupportedTypeError(tensor, type.name);
  const n = values.length;
  if (n % type.blockElements !== 0) throw new ImportStructureError(`${n} values are not a multiple of the ${type.name} block ${type.blockElements}`, tensor);
  const out = new Uint8Array(typeBytes(type, n));
  const dv = new DataView(out.buffer);
  switch (type.name as DecodableType) {
    case 'F32':
      for (let i = 0; i < n; i++) dv.setFloat32(4 * i, values[i]!, true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, f32ToF16(values[i]!), true);
      break;
    case 'BF16':
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, f32ToBf16(values[i]!), true);
      break;
    case 'Q8_0':
      for (let b = 0; b < n / 32; b++) {
        let amax = 0;
        for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(values[32 * b + j]!));
        const d = Math.fround(amax / 127);
        const id = d !== 0 ? Math.fround(1 / d) : 0;
        dv.setUint16(34 * b, f32ToF16(d), true);
        for (let j = 0; j < 32; j++) dv.setInt8(34 * b + 2 + j, roundHalfAway(Math.fround(values[32 * b + j]! * id)));
      }
      break;
  }
  return out;
}
