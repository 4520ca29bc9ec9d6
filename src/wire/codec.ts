/**
 * The canonical binary codec (§2.1.2; docs/spec/wire.md §2): exactly one byte string per value.
 *
 * - integers: fixed width, big-endian (u8 1, u16 2, u32 4, u64 8, u256 32 bytes);
 * - bool: one byte, 0x00 or 0x01 (anything else is refused);
 * - bytes(n): the n bytes; varBytes / string / list: a LEB128 varint length (byte length for
 *   strings, item count for lists), then the content. A varint must be minimal and fit a u32;
 * - optional: 0x00 for absent, 0x01 then the value;
 * - struct: the fields in schema order, no tags, no lengths;
 * - union: the variant's u8 tag, then its value.
 *
 * Decoding validates everything against the schema and its limits, refuses trailing bytes,
 * and throws only `WireDecodeError` subclasses (errors.ts). Encoding validates the value and
 * throws `WireEncodeError`. Since every decoded value re-encodes to the same bytes and every
 * encoding decodes to an equal value, signatures over encodings are signatures over values.
 */
import { InvalidArgumentError } from '../common/errors.ts';
import {
  NonCanonicalError,
  OversizedError,
  TrailingBytesError,
  TruncatedError,
  UnknownTagError,
  WireDecodeError,
  WireEncodeError,
  WrongTypeError,
} from './errors.ts';
import { minEncodedSize, type Infer, type Schema, type StructFields, type UnionVariants } from './schema.ts';

export interface CodecOptions {
  /** Largest whole message, in bytes, that encode produces and decode reads. */
  maxMessageBytes: number;
}

export const DEFAULTS: CodecOptions = {
  // 1 MiB: far above any control message (a FIND_NODE answer of 20 contacts is < 3 KiB),
  // small enough that a peer cannot make us buffer much. Bulk data (model files) does not
  // travel in wire messages.
  maxMessageBytes: 1024 * 1024,
};

const U64_LIMIT = 1n << 64n;
const U256_LIMIT = 1n << 256n;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

function resolveOptions(options: Partial<CodecOptions> | undefined): CodecOptions {
  if (options === undefined) return DEFAULTS;
  const merged = { ...DEFAULTS, ...options };
  if (!Number.isSafeInteger(merged.maxMessageBytes) || merged.maxMessageBytes < 0) {
    throw new InvalidArgumentError('maxMessageBytes', 'must be a non-negative integer');
  }
  return merged;
}

// =============================================================================================
// Decoding

class Reader {
  offset = 0;
  readonly view: DataView;
  /** Path segments to the value being read, joined only when an error is thrown. */
  readonly path: string[] = [];
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  pathString(): string {
    let out = '';
    for (const p of this.path) out += p.startsWith('[') || out === '' ? p : `.${p}`;
    return out;
  }

  remaining(): number {
    return this.bytes.length - this.offset;
  }

  need(n: number): void {
    if (this.remaining() < n) throw new TruncatedError(this.pathString(), this.offset, n, this.remaining());
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Minimal LEB128, at most 5 bytes, value ≤ 2³²−1. */
  varint(): number {
    const start = this.offset;
    let value = 0;
    for (let i = 0; ; i++) {
      if (this.remaining() < 1) throw new TruncatedError(this.pathString(), this.offset, 1, 0);
      const b = this.bytes[this.offset++]!;
      if (i === 4 && b > 0x0f) throw new OversizedError(this.pathString(), start, 'varint', Number.POSITIVE_INFINITY, 0xffff_ffff);
      value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new NonCanonicalError(this.pathString(), start, 'varint has a redundant zero byte');
        return value;
      }
    }
  }
}

function readValue(schema: Schema, r: Reader): unknown {
  switch (schema.kind) {
    case 'u8':
      return r.u8();
    case 'u16': {
      r.need(2);
      const v = r.view.getUint16(r.offset);
      r.offset += 2;
      return v;
    }
    case 'u32': {
      r.need(4);
      const v = r.view.getUint32(r.offset);
      r.offset += 4;
      return v;
    }
    case 'u64': {
      r.need(8);
      const v = r.view.getBigUint64(r.offset);
      r.offset += 8;
      return v;
    }
    case 'u256': {
      r.need(32);
      let v = 0n;
      for (let i = 0; i < 4; i++) v = (v << 64n) | r.view.getBigUint64(r.offset + 8 * i);
      r.offset += 32;
      return v;
    }
    case 'bool': {
      const at = r.offset;
      const b = r.u8();
      if (b > 1) throw new WrongTypeError(r.pathString(), at, 'bool', `byte 0x${b.toString(16).padStart(2, '0')} is neither 0x00 nor 0x01`);
      return b === 1;
    }
    case 'bytes':
      return r.take(schema.length);
    case 'varbytes': {
      const at = r.offset;
      const length = r.varint();
      if (length > schema.max) throw new OversizedError(r.pathString(), at, 'byte length', length, schema.max);
      return r.take(length);
    }
    case 'string': {
      const at = r.offset;
      const length = r.varint();
      if (length > schema.maxBytes) throw new OversizedError(r.pathString(), at, 'string byte length', length, schema.maxBytes);
      r.need(length);
      const raw = r.bytes.subarray(r.offset, r.offset + length);
      let text: string;
      try {
        text = utf8Decoder.decode(raw);
      } catch {
        throw new WrongTypeError(r.pathString(), r.offset, 'utf-8 string', 'invalid UTF-8');
      }
      r.offset += length;
      return text;
    }
    case 'list': {
      const at = r.offset;
      const count = r.varint();
      if (count > schema.maxItems) throw new OversizedError(r.pathString(), at, 'item count', count, schema.maxItems);
      // Refuse counts the remaining bytes cannot possibly hold before allocating anything.
      const min = minEncodedSize(schema.of);
      if (count * min > r.remaining()) throw new TruncatedError(r.pathString(), r.offset, count * min, r.remaining());
      const out: unknown[] = new Array(count);
      for (let i = 0; i < count; i++) {
        r.path.push(`[${i}]`);
        out[i] = readValue(schema.of, r);
        r.path.pop();
      }
      return out;
    }
    case 'optional': {
      const at = r.offset;
      const tag = r.u8();
      if (tag === 0) return undefined;
      if (tag !== 1) throw new WrongTypeError(r.pathString(), at, 'optional tag', `byte 0x${tag.toString(16).padStart(2, '0')} is neither 0x00 nor 0x01`);
      return readValue(schema.of, r);
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [name, field] of Object.entries(schema.fields as StructFields)) {
        r.path.push(name);
        const v = readValue(field, r);
        r.path.pop();
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'union': {
      const at = r.offset;
      const tag = r.u8();
      for (const [name, [t, s]] of Object.entries(schema.variants as UnionVariants)) {
        if (t !== tag) continue;
        r.path.push(name);
        const value = readValue(s, r);
        r.path.pop();
        return { kind: name, value };
      }
      throw new UnknownTagError(r.pathString(), at, tag);
    }
  }
}

/**
 * Decodes the canonical encoding of one `schema` value occupying all of `bytes`.
 * Throws a WireDecodeError subclass for anything else; never another exception.
 */
export function decode<S extends Schema>(schema: S, bytes: Uint8Array, options?: Partial<CodecOptions>): Infer<S> {
  const { maxMessageBytes } = resolveOptions(options);
  if (!(bytes instanceof Uint8Array)) throw new WrongTypeError('', 0, 'Uint8Array', 'input is not bytes');
  if (bytes.length > maxMessageBytes) throw new OversizedError('', 0, 'message size', bytes.length, maxMessageBytes);
  const r = new Reader(bytes);
  let value: unknown;
  try {
    value = readValue(schema, r);
  } catch (error) {
    if (error instanceof WireDecodeError) throw error;
    // A bug or an engine limit (e.g. allocation) must still surface as a typed decode error.
    throw new WrongTypeError(r.pathString(), r.offset, 'valid message', `internal: ${String(error)}`);
  }
  if (r.offset !== bytes.length) throw new TrailingBytesError(r.offset, bytes.length - r.offset);
  return value as Infer<S>;
}

// =============================================================================================
// Encoding

class Writer {
  buf = new Uint8Array(256);
  view = new DataView(this.buf.buffer);
  length = 0;
  readonly path: string[] = [];
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  pathString(): string {
    let out = '';
    for (const p of this.path) out += p.startsWith('[') || out === '' ? p : `.${p}`;
    return out;
  }

  fail(expected: string, reason: string): never {
    throw new WireEncodeError(this.pathString(), expected, reason);
  }

  reserve(n: number): number {
    const at = this.length;
    const end = at + n;
    if (end > this.max) this.fail('message', `encoding exceeds maxMessageBytes (${this.max})`);
    if (end > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < end) size *= 2;
      const grown = new Uint8Array(Math.min(size, Math.max(end, this.max)));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = end;
    return at;
  }

  // reserve() may replace buf/view, so call it before touching them.
  u8(v: number): void {
    const at = this.reserve(1);
    this.buf[at] = v;
  }

  put(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.buf.set(bytes, at);
  }

  varint(v: number): void {
    while (v >= 0x80) {
      this.u8((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.u8(v);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function writeUint(w: Writer, kind: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) w.fail(kind, `${describe(v)} is not an integer in [0, ${max}]`);
  return v;
}

function writeValue(schema: Schema, v: unknown, w: Writer): void {
  switch (schema.kind) {
    case 'u8':
      w.u8(writeUint(w, 'u8', v, 0xff));
      return;
    case 'u16': {
      const x = writeUint(w, 'u16', v, 0xffff);
      const at = w.reserve(2);
      w.view.setUint16(at, x);
      return;
    }
    case 'u32': {
      const x = writeUint(w, 'u32', v, 0xffff_ffff);
      const at = w.reserve(4);
      w.view.setUint32(at, x);
      return;
    }
    case 'u64': {
      if (typeof v !== 'bigint' || v < 0n || v >= U64_LIMIT) w.fail('u64', `${describe(v)} is not a bigint in [0, 2^64)`);
      const at = w.reserve(8);
      w.view.setBigUint64(at, v);
      return;
    }
    case 'u256': {
      if (typeof v !== 'bigint' || v < 0n || v >= U256_LIMIT) w.fail('u256', `${describe(v)} is not a bigint in [0, 2^256)`);
      const at = w.reserve(32);
      for (let i = 3; i >= 0; i--) w.view.setBigUint64(at + 8 * (3 - i), (v >> BigInt(64 * i)) & 0xffff_ffff_ffff_ffffn);
      return;
    }
    case 'bool':
      if (typeof v !== 'boolean') w.fail('bool', `${describe(v)} is not a boolean`);
      w.u8(v ? 1 : 0);
      return;
    case 'bytes':
      if (!(v instanceof Uint8Array)) w.fail(`bytes(${schema.length})`, `${describe(v)} is not a Uint8Array`);
      if (v.length !== schema.length) w.fail(`bytes(${schema.length})`, `length ${v.length}`);
      w.put(v);
      return;
    case 'varbytes':
      if (!(v instanceof Uint8Array)) w.fail(`varBytes(${schema.max})`, `${describe(v)} is not a Uint8Array`);
      if (v.length > schema.max) w.fail(`varBytes(${schema.max})`, `length ${v.length} over the limit`);
      w.varint(v.length);
      w.put(v);
      return;
    case 'string': {
      if (typeof v !== 'string') w.fail('string', `${describe(v)} is not a string`);
      // Lone surrogates would be replaced by U+FFFD and not round-trip.
      if (!v.isWellFormed()) w.fail('string', 'contains a lone surrogate (not valid Unicode)');
      const encoded = utf8Encoder.encode(v);
      if (encoded.length > schema.maxBytes) w.fail(`string(${schema.maxBytes})`, `${encoded.length} UTF-8 bytes over the limit`);
      w.varint(encoded.length);
      w.put(encoded);
      return;
    }
    case 'list': {
      if (!Array.isArray(v)) w.fail('list', `${describe(v)} is not an array`);
      if (v.length > schema.maxItems) w.fail(`list(max ${schema.maxItems})`, `${v.length} items over the limit`);
      w.varint(v.length);
      for (let i = 0; i < v.length; i++) {
        w.path.push(`[${i}]`);
        writeValue(schema.of, v[i], w);
        w.path.pop();
      }
      return;
    }
    case 'optional':
      if (v === undefined) {
        w.u8(0);
        return;
      }
      w.u8(1);
      writeValue(schema.of, v, w);
      return;
    case 'struct': {
      if (!isPlainObject(v)) w.fail('struct', `${describe(v)} is not an object`);
      const fields = schema.fields as StructFields;
      for (const key of Object.keys(v)) if (!Object.hasOwn(fields, key)) w.fail('struct', `unknown field ${key}`);
      for (const [name, field] of Object.entries(fields)) {
        w.path.push(name);
        const fv = v[name];
        if (fv === undefined && field.kind !== 'optional') w.fail(field.kind, 'missing');
        writeValue(field, fv, w);
        w.path.pop();
      }
      return;
    }
    case 'union': {
      if (!isPlainObject(v)) w.fail('union', `${describe(v)} is not { kind, value }`);
      for (const key of Object.keys(v)) if (key !== 'kind' && key !== 'value') w.fail('union', `unknown key ${key}`);
      const kind = v['kind'];
      const variants = schema.variants as UnionVariants;
      if (typeof kind !== 'string' || !Object.hasOwn(variants, kind)) w.fail('union', `unknown variant ${describe(kind)}`);
      const [tag, s] = variants[kind]!;
      w.u8(tag);
      w.path.push(kind);
      writeValue(s, v['value'], w);
      w.path.pop();
      return;
    }
  }
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : String(v);
}

/** The canonical encoding of `value`. Throws WireEncodeError when the value does not fit the schema. */
export function encode<S extends Schema>(schema: S, value: Infer<S>, options?: Partial<CodecOptions>): Uint8Array {
  const { maxMessageBytes } = resolveOptions(options);
  const w = new Writer(maxMessageBytes);
  writeValue(schema, value, w);
  return w.result();
}

/** A schema bound to its encode/decode, for brevity at call sites: `PingCodec.decode(bytes)`. */
export interface Codec<S extends Schema> {
  readonly schema: S;
  encode(value: Infer<S>): Uint8Array;
  decode(bytes: Uint8Array): Infer<S>;
}

export function codec<S extends Schema>(schema: S, options?: Partial<CodecOptions>): Codec<S> {
  const resolved = resolveOptions(options);
  return {
    schema,
    encode: (value) => encode(schema, value, resolved),
    decode: (bytes) => decode(schema, bytes, resolved),
  };
}
