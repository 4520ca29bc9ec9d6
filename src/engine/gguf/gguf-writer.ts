/**
 * GGUF writer (version 3): our own models, test fixtures and the generated benchmark model are written in the
 * format llama.cpp reads, so the reference runs the very same weights (whitepaper §2.2.6; layout in gguf-format.ts).
 *
 * Output is a list of chunks (header, then each tensor with its padding) so a ~100M-parameter file is never
 * copied into one more buffer than needed; `writeGgufFile` streams them to disk.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { ImportStructureError } from './errors.ts';
import { alignUp, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VALUE_TYPES, GGUF_VERSION, scalarBytes, type GgufScalar, type GgufScalarType, type GgufValue } from './gguf-format.ts';
import { encodeTensor, typeByName, typeBytes } from './tensor-types.ts';

export interface GgufTensorInput {
  name: string;
  /** ggml order: dims[0] innermost. */
  dims: number[];
  /** 'F32' | 'F16' | 'BF16' | 'Q8_0' */
  type: string;
  /** Float values, row-major with dims[0] innermost; encoded as `type`. */
  values: ArrayLike<number>;
}

export interface GgufWriteInput {
  metadata: [string, GgufValue][];
  tensors: GgufTensorInput[];
  alignment?: number;
}

const encoder = new TextEncoder();

class Sink {
  private chunks: Uint8Array[] = [];
  private cur = new Uint8Array(1 << 16);
  private dv = new DataView(this.cur.buffer);
  private n = 0;
  length = 0;
  private ensure(k: number): void {
    if (this.n + k <= this.cur.length) return;
    this.flush();
    if (k > this.cur.length) {
      this.cur = new Uint8Array(k);
      this.dv = new DataView(this.cur.buffer);
    }
  }
  flush(): void {
    if (this.n > 0) this.chunks.push(this.cur.slice(0, this.n));
    this.n = 0;
  }
  raw(b: Uint8Array): void {
    this.flush();
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    this.ensure(4);
    this.dv.setUint32(this.n, v, true);
    this.n += 4;
    this.length += 4;
  }
  u64(v: number | bigint): void {
    this.ensure(8);
    this.dv.setBigUint64(this.n, BigInt(v), true);
    this.n += 8;
    this.length += 8;
  }
  string(s: string): void {
    const b = encoder.encode(s);
    this.u64(b.length);
    this.ensure(b.length);
    this.cur.set(b, this.n);
    this.n += b.length;
    this.length += b.length;
  }
  scalar(t: GgufScalarType, v: GgufScalar, key: string): void {
    if (t === 'string') {
      if (typeof v !== 'string') throw new ImportStructureError(`value is not a string`, key);
      this.string(v);
      return;
    }
    const k = scalarBytes(t);
    this.ensure(k);
    const dv = this.dv;
    const o = this.n;
    const num = (): number => {
      if (typeof v !== 'number' && typeof v !== 'boolean') throw new ImportStructureError(`value is not a number`, key);
      return Number(v);
    };
    switch (t) {
      case 'u8': dv.setUint8(o, num()); break;
      case 'i8': dv.setInt8(o, num()); break;
      case 'u16': dv.setUint16(o, num(), true); break;
      case 'i16': dv.setInt16(o, num(), true); break;
      case 'u32': dv.setUint32(o, num(), true); break;
      case 'i32': dv.setInt32(o, num(), true); break;
      case 'f32': dv.setFloat32(o, num(), true); break;
      case 'f64': dv.setFloat64(o, num(), true); break;
      case 'bool': dv.setUint8(o, v ? 1 : 0); break;
      case 'u64': dv.setBigUint64(o, BigInt(v as number | bigint), true); break;
      case 'i64': dv.setBigInt64(o, BigInt(v as number | bigint), true); break;
    }
    this.n += k;
    this.length += k;
  }
  pad(alignment: number): void {
    const k = alignUp(this.length, alignment) - this.length;
    if (k > 0) this.raw(new Uint8Array(k));
  }
  done(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }
}

/** Serialises a GGUF file as chunks (concatenate them, or use `writeGgufFile`). */
export function encodeGguf(input: GgufWriteInput): Uint8Array[] {
  const alignment = input.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  const metadata = [...input.metadata];
  if (alignment !== GGUF_DEFAULT_ALIGNMENT && !metadata.some(([k]) => k === 'general.alignment')) {
    metadata.push(['general.alignment', { type: 'u32', value: alignment }]);
  }
  const s = new Sink();
  s.u32(GGUF_MAGIC);
  s.u32(GGUF_VERSION);
  s.u64(input.tensors.length);
  s.u64(metadata.length);
  for (const [key, v] of metadata) {
    s.string(key);
    s.u32(GGUF_VALUE_TYPES[v.type]);
    if (v.type === 'array') {
      s.u32(GGUF_VALUE_TYPES[v.itemType]);
      s.u64(v.value.length);
      for (const item of v.value) s.scalar(v.itemType, item, key);
    } else s.scalar(v.type, v.value, key);
  }
  let offset = 0;
  const encoded = input.tensors.map((t) => {
    const type = typeByName(t.type);
    if (type === undefined) throw new ImportStructureError(`unknown type ${t.type}`, t.name);
    const elements = t.dims.reduce((a, b) => a * b, 1);
    if (elements !== t.values.length) throw new ImportStructureError(`dims give ${elements} elements, ${t.values.length} given`, t.name);
    const data = encodeTensor(type, t.values, t.name);
    if (data.length !== typeBytes(type, elements)) throw new ImportStructureError('encoded size mismatch', t.name);
    const at = offset;
    offset = alignUp(offset + data.length, alignment);
    return { t, type, data, at };
  });
  for (const { t, type, at } of encoded) {
    s.string(t.name);
    s.u32(t.dims.length);
    for (const d of t.dims) s.u64(d);
    s.u32(type.ggml);
    s.u64(at);
  }
  s.pad(alignment);
  for (const { data } of encoded) {
    s.raw(data);
    s.pad(alignment);
  }
  return s.done();
}

export function concatChunks(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export function encodeGgufBytes(input: GgufWriteInput): Uint8Array {
  return concatChunks(encodeGguf(input));
}

export function writeGgufFile(path: string, input: GgufWriteInput): number {
  const fd = openSync(path, 'w');
  let total = 0;
  try {
    for (const c of encodeGguf(input)) total += writeSync(fd, c);
  } finally {
    closeSync(fd);
  }
  return total;
}
