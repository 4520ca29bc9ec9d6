/**
 * GGUF reader with hostile-file hardening (whitepaper §2.2.6: a node imports model files it did not produce).
 *
 * Reads the header, the metadata and the tensor table through a windowed cursor over a `ByteSource`, so a
 * multi-GiB file costs one window plus the metadata in memory. Every count, length, dimension and offset is checked
 * against `GgufLimits` and the file size *before* anything is allocated for it; tensors must lie inside the data
 * section, be aligned, not overlap and have whole blocks per row. Tensor data is read on demand (`readGgufTensor`).
 */
import type { ByteSource } from './byte-source.ts';
import { ImportLimitError, ImportMagicError, ImportStructureError, ImportTruncatedError } from './errors.ts';
import { alignUp, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VALUE_TYPES, GGUF_TYPE_NAMES, scalarBytes, type GgufScalar, type GgufScalarType, type GgufValue } from './gguf-format.ts';
import { decodeTensor, ggmlType, typeBytes, type TensorTypeInfo } from './tensor-types.ts';

export interface GgufLimits {
  maxKvCount: number;
  maxTensorCount: number;
  maxStringBytes: number;
  maxArrayLength: number;
  maxMetadataBytes: number;
  maxDims: number;
  maxTensorElements: number;
}

export const DEFAULTS: GgufLimits = {
  maxKvCount: 1 << 16, // metadata entries; real files have ~20–60
  maxTensorCount: 1 << 16, // tensors; a 405B Llama has ~1,140
  maxStringBytes: 1 << 20, // one string, bytes: chat templates are ≤ ~20 KB, tokens ≤ ~100 B
  maxArrayLength: 1 << 21, // items in one array: vocabularies (and merges) of up to ~262k entries, 8× headroom
  maxMetadataBytes: 128 << 20, // bytes of header + metadata + tensor table read into memory: a 262k vocab with merges is ~15 MB
  maxDims: 4, // ggml's GGML_MAX_DIMS
  maxTensorElements: 1 << 28, // one tensor decoded to float32 is ≤ 1 GiB: the engine's whole model file limit
};

export interface GgufTensorInfo {
  name: string;
  /** ggml order: dims[0] is the innermost (row length). */
  dims: number[];
  elements: number;
  type: TensorTypeInfo;
  /** Absolute byte offset in the file. */
  offset: number;
  bytes: number;
}

export interface GgufFile {
  version: number;
  alignment: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  tensorsByName: Map<string, GgufTensorInfo>;
  /** Absolute offset of the data section. */
  dataOffset: number;
  source: ByteSource;
}

const WINDOW = 1 << 20; // bytes read per refill of the cursor

/** Sequential reads over a ByteSource through a refillable window; counts every byte against the metadata limit. */
class Cursor {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  private readonly source: ByteSource;
  private readonly limit: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  constructor(source: ByteSource, limit: number) {
    this.source = source;
    this.limit = limit;
  }

  bytes(n: number, what: string): Uint8Array {
    if (this.pos + n > this.limit) throw new ImportLimitError('GGUF header and metadata bytes', this.pos + n, this.limit);
    if (this.pos + n > this.source.size) throw new ImportTruncatedError(what, this.pos, n, this.source.size);
    const rel = this.pos - this.bufStart;
    if (rel < 0 || rel + n > this.buf.length) {
      const len = Math.min(Math.max(n, WINDOW), this.source.size - this.pos);
      this.buf = this.source.read(this.pos, len, what);
      this.bufStart = this.pos;
    }
    const start = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(start, start + n);
  }
  private view(n: number, what: string): DataView {
    const b = this.bytes(n, what);
    return new DataView(b.buffer, b.byteOffset, n);
  }
  u32(what: string): number {
    return this.view(4, what).getUint32(0, true);
  }
  /** A u64 that must be ≤ max (a count, a length, a dimension): returned as a number. */
  u64(what: string, max: number): number {
    const v = this.view(8, what).getBigUint64(0, true);
    if (v > BigInt(max)) throw new ImportLimitError(what, v, max);
    return Number(v);
  }
  string(what: string, maxBytes: number): string {
    const n = this.u64(`${what} length`, maxBytes);
    const b = this.bytes(n, what);
    try {
      return this.decoder.decode(b);
    } catch {
      throw new ImportStructureError(`${what} is not valid UTF-8`);
    }
  }
  scalar(t: GgufScalarType, what: string, maxString: number): GgufScalar {
    if (t === 'string') return this.string(what, maxString);
    const dv = this.view(scalarBytes(t), what);
    switch (t) {
      case 'u8':
        return dv.getUint8(0);
      case 'i8':
        return dv.getInt8(0);
      case 'u16':
        return dv.getUint16(0, true);
      case 'i16':
        return dv.getInt16(0, true);
      case 'u32':
        return dv.getUint32(0, true);
      case 'i32':
        return dv.getInt32(0, true);
      case 'f32':
        return dv.getFloat32(0, true);
      case 'f64':
        return dv.getFloat64(0, true);
      case 'u64':
        return dv.getBigUint64(0, true);
      case 'i64':
        return dv.getBigInt64(0, true);
      case 'bool': {
        const b = dv.getUint8(0);
        if (b > 1) throw new ImportStructureError(`${what}: bool byte ${b}`);
        return b === 1;
      }
    }
  }
}

function valueType(code: number, what: string): keyof typeof GGUF_VALUE_TYPES {
  const name = GGUF_TYPE_NAMES[code];
  if (name === undefined) throw new ImportStructureError(`${what}: unknown value type ${code}`);
  return name;
}

/** Parses and validates everything but the tensor data. The source stays open for `readGgufTensor`. */
export function readGguf(source: ByteSource, limits: Partial<GgufLimits> = {}): GgufFile {
  const lim = { ...DEFAULTS, ...limits };
  const c = new Cursor(source, lim.maxMetadataBytes);
  if (source.size < 24) throw new ImportTruncatedError('GGUF header', 0, 24, source.size);
  const magic = c.u32('magic');
  if (magic !== GGUF_MAGIC) throw new ImportMagicError('GGUF', `magic 0x${magic.toString(16)}`);
  const version = c.u32('version');
  if (version !== 2 && version !== 3) throw new ImportMagicError('GGUF', `version ${version} (2 and 3 are supported)`);
  const tensorCount = c.u64('tensor count', lim.maxTensorCount);
  const kvCount = c.u64('metadata count', lim.maxKvCount);

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key ${i}`, 65_535);
    if (metadata.has(key)) throw new ImportStructureError(`duplicate metadata key`, key);
    const type = valueType(c.u32(`${key} type`), key);
    if (type === 'array') {
      const itemType = valueType(c.u32(`${key} item type`), key);
      if (itemType === 'array') throw new ImportStructureError('nested arrays are not supported', key);
      const n = c.u64(`${key} array length`, lim.maxArrayLength);
      // Each item takes at least one byte (a string at least its 8-byte length): refuse counts the file cannot hold.
      const minItem = itemType === 'string' ? 8 : scalarBytes(itemType);
      if (c.pos + n * minItem > source.size) throw new ImportTruncatedError(`${key} array`, c.pos, n * minItem, source.size);
      const values: GgufScalar[] = new Array(n);
      for (let j = 0; j < n; j++) values[j] = c.scalar(itemType, key, lim.maxStringBytes);
      metadata.set(key, { type: 'array', itemType, value: values });
    } else {
      metadata.set(key, { type, value: c.scalar(type, key, lim.maxStringBytes) });
    }
  }

  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const al = metadata.get('general.alignment');
  if (al !== undefined) {
    if (al.type !== 'u32' || typeof al.value !== 'number' || al.value < 1 || al.value > 1 << 16 || (al.value & (al.value - 1)) !== 0) {
      throw new ImportStructureError('general.alignment must be a u32 power of two ≤ 65536');
    }
    alignment = al.value;
  }

  const raw: { name: string; dims: number[]; type: TensorTypeInfo; rel: number }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`tensor ${i} name`, 256);
    if (names.has(name)) throw new ImportStructureError('duplicate tensor name', name);
    names.add(name);
    const nDims = c.u32(`${name} dims`);
    if (nDims < 1 || nDims > lim.maxDims) throw new ImportLimitError(`${name} number of dimensions`, nDims, lim.maxDims);
    const dims: number[] = [];
    let elements = 1;
    for (let d = 0; d < nDims; d++) {
      const n = c.u64(`${name} dim ${d}`, lim.maxTensorElements);
      if (n === 0) throw new ImportStructureError(`dimension ${d} is 0`, name);
      elements *= n; // each factor ≤ 2^28 and we stop once the product passes the limit: stays a safe integer
      if (elements > lim.maxTensorElements) throw new ImportLimitError(`${name} elements`, elements, lim.maxTensorElements);
      dims.push(n);
    }
    const type = ggmlType(c.u32(`${name} type`), name);
    if (dims[0]! % type.blockElements !== 0) throw new ImportStructureError(`row length ${dims[0]} is not a multiple of the ${type.name} block ${type.blockElements}`, name);
    const rel = c.u64(`${name} offset`, Number.MAX_SAFE_INTEGER);
    raw.push({ name, dims, type, rel });
  }
  const dataOffset = alignUp(c.pos, alignment);
  const tensors: GgufTensorInfo[] = raw.map((t) => {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    const bytes = typeBytes(t.type, elements);
    if (t.rel % alignment !== 0) throw new ImportStructureError(`offset ${t.rel} is not a multiple of the alignment ${alignment}`, t.name);
    const offset = dataOffset + t.rel;
    if (offset + bytes > source.size) throw new ImportTruncatedError(`tensor ${t.name}`, offset, bytes, source.size);
    return { name: t.name, dims: t.dims, elements, type: t.type, offset, bytes };
  });
  const sorted = [...tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.offset < sorted[i - 1]!.offset + sorted[i - 1]!.bytes) throw new ImportStructureError(`overlaps ${sorted[i - 1]!.name}`, sorted[i]!.name);
  }
  return { version, alignment, metadata, tensors, tensorsByName: new Map(tensors.map((t) => [t.name, t])), dataOffset, source };
}

/** Reads and decodes one tensor to float32 (row-major with dims[0] innermost). */
export function readGgufTensor(file: GgufFile, info: GgufTensorInfo): Float32Array {
  return decodeTensor(info.type, file.source.read(info.offset, info.bytes, `tensor ${info.name}`), info.elements, info.name);
}

/** Typed metadata accessors: a missing or wrongly typed key is an `ImportStructureError` naming the key. */
export function metaNumber(file: GgufFile, key: string, fallback?: number): number {
  const v = file.metadata.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ImportStructureError('missing metadata key', key);
  }
  if (v.type === 'array' || typeof v.value === 'string' || typeof v.value === 'boolean') throw new ImportStructureError(`expected a number, got ${v.type}`, key);
  const n = Number(v.value);
  if (!Number.isFinite(n)) throw new ImportStructureError('not a finite number', key);
  return n;
}

export function metaString(file: GgufFile, key: string, fallback?: string): string {
  const v = file.metadata.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ImportStructureError('missing metadata key', key);
  }
  if (v.type !== 'string') throw new ImportStructureError(`expected a string, got ${v.type}`, key);
  return v.value as string;
}

export function metaArray(file: GgufFile, key: string): GgufScalar[] | undefined {
  const v = file.metadata.get(key);
  if (v === undefined) return undefined;
  if (v.type !== 'array') throw new ImportStructureError(`expected an array, got ${v.type}`, key);
  return v.value;
}
