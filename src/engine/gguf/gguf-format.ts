/**
 * GGUF container constants and the metadata value model shared by the reader and the writer (whitepaper §2.2.6:
 * the file format users bring; layout from ggml's docs/gguf.md, version 3, little-endian).
 *
 *   u32 magic "GGUF" · u32 version · u64 tensorCount · u64 kvCount
 *   kv:     string key · u32 valueType · value          (string = u64 length + UTF-8 bytes, no terminator)
 *   tensor: string name · u32 nDims · u64 dims[nDims] (ne[0] = innermost) · u32 ggmlType · u64 offset
 *   padding to `general.alignment` (default 32), then the tensor data; each offset is relative to the data start
 *   and a multiple of the alignment.
 */

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as u32 little-endian
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** GGUF metadata value types (gguf_type). */
export const GGUF_VALUE_TYPES = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufScalarType = Exclude<keyof typeof GGUF_VALUE_TYPES, 'array'>;
export type GgufScalar = number | bigint | boolean | string;

/** One metadata value with its declared type (64-bit integers are bigint, everything else number/boolean/string). */
export type GgufValue =
  | { type: GgufScalarType; value: GgufScalar }
  | { type: 'array'; itemType: GgufScalarType; value: GgufScalar[] };

export const GGUF_TYPE_NAMES: readonly (keyof typeof GGUF_VALUE_TYPES)[] = Object.keys(GGUF_VALUE_TYPES) as (keyof typeof GGUF_VALUE_TYPES)[];

/** Fixed byte width of a scalar type, or 0 for string. */
export function scalarBytes(t: GgufScalarType): number {
  switch (t) {
    case 'u8':
    case 'i8':
    case 'bool':
      return 1;
    case 'u16':
    case 'i16':
      return 2;
    case 'u32':
    case 'i32':
    case 'f32':
      return 4;
    case 'u64':
    case 'i64':
    case 'f64':
      return 8;
    case 'string':
      return 0;
  }
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
