/**
 * Message schemas for the canonical wire codec (§2.1.2; docs/spec/wire.md §2).
 *
 * A schema is plain JSON-able data (`{ kind: 'u16' }`, `{ kind: 'list', of, maxItems }`, …), so
 * golden vectors can carry their schema and another implementation can read it. Build schemas
 * with the constructors below; the TypeScript type of a value follows from its schema:
 *
 *   const Ping = struct({ token: bytes(8), hops: optional(u8) });
 *   type Ping = Infer<typeof Ping>;   // { token: Uint8Array; hops?: number }
 *
 * Other folders declare their own message schemas (src/dht, src/hcs) with these constructors.
 */
import { InvalidArgumentError } from '../common/errors.ts';

/** Largest length prefix, count or size a schema may allow: lengths are u32 varints. */
export const MAX_LENGTH_LIMIT = 0xffff_ffff;

export interface U8Schema { readonly kind: 'u8' }
export interface U16Schema { readonly kind: 'u16' }
export interface U32Schema { readonly kind: 'u32' }
export interface U64Schema { readonly kind: 'u64' }
export interface U256Schema { readonly kind: 'u256' }
export interface BoolSchema { readonly kind: 'bool' }
/** Exactly `length` bytes, no prefix. */
export interface BytesSchema { readonly kind: 'bytes'; readonly length: number }
/** varint length ‖ bytes, length ≤ max. */
export interface VarBytesSchema { readonly kind: 'varbytes'; readonly max: number }
/** varint byte length ‖ UTF-8, byte length ≤ maxBytes. */
export interface StringSchema { readonly kind: 'string'; readonly maxBytes: number }
/** varint count ‖ items, count ≤ maxItems. */
export interface ListSchema<T extends Schema = Schema> { readonly kind: 'list'; readonly of: T; readonly maxItems: number }
/** 0x00, or 0x01 ‖ value. */
export interface OptionalSchema<T extends Schema = Schema> { readonly kind: 'optional'; readonly of: T }
/** Fields in declaration order, no tags. */
export interface StructSchema<F extends StructFields = StructFields> { readonly kind: 'struct'; readonly fields: F }
/** u8 tag ‖ the variant's value. */
export interface UnionSchema<V extends UnionVariants = UnionVariants> { readonly kind: 'union'; readonly variants: V }

export type StructFields = { readonly [name: string]: Schema };
export type UnionVariants = { readonly [name: string]: readonly [number, Schema] };

export type Schema =
  | U8Schema
  | U16Schema
  | U32Schema
  | U64Schema
  | U256Schema
  | BoolSchema
  | BytesSchema
  | VarBytesSchema
  | StringSchema
  | ListSchema<any>
  | OptionalSchema<any>
  | StructSchema<any>
  | UnionSchema<any>;

// ---------------------------------------------------------------------------------------------
// Inferred value types

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type OptionalKeys<F extends StructFields> = { [K in keyof F]: F[K] extends OptionalSchema<any> ? K : never }[keyof F];
type RequiredKeys<F extends StructFields> = Exclude<keyof F, OptionalKeys<F>>;

export type InferStruct<F extends StructFields> = Simplify<
  { [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: F[K] extends OptionalSchema<infer T> ? Infer<T> : never }
>;

export type InferUnion<V extends UnionVariants> = {
  [K in keyof V & string]: { kind: K; value: Infer<V[K][1]> };
}[keyof V & string];

/** The TypeScript type of the values a schema describes (`unknown` for the untyped `Schema`). */
export type Infer<S> = 0 extends 1 & S ? unknown : InferKnown<S>;

type InferKnown<S> = S extends U8Schema | U16Schema | U32Schema
  ? number
  : S extends U64Schema | U256Schema
    ? bigint
    : S extends BoolSchema
      ? boolean
      : S extends BytesSchema | VarBytesSchema
        ? Uint8Array
        : S extends StringSchema
          ? string
          : S extends ListSchema<infer T>
            ? Infer<T>[]
            : S extends OptionalSchema<infer T>
              ? Infer<T> | undefined
              : S extends StructSchema<infer F>
                ? InferStruct<F>
                : S extends UnionSchema<infer V>
                  ? InferUnion<V>
                  : never;

// ---------------------------------------------------------------------------------------------
// Constructors (each validates its limits, so a bad schema fails at module load, not on the wire)

export const u8: U8Schema = Object.freeze({ kind: 'u8' });
export const u16: U16Schema = Object.freeze({ kind: 'u16' });
export const u32: U32Schema = Object.freeze({ kind: 'u32' });
/** 64-bit unsigned, as a bigint (timestamps in ms, counters). */
export const u64: U64Schema = Object.freeze({ kind: 'u64' });
/** 256-bit unsigned, as a bigint, 32 bytes big-endian (wei amounts, EVM words). */
export const u256: U256Schema = Object.freeze({ kind: 'u256' });
export const bool: BoolSchema = Object.freeze({ kind: 'bool' });

function assertLimit(name: string, value: number, min = 0): void {
  if (!Number.isInteger(value) || value < min || value > MAX_LENGTH_LIMIT) {
    throw new InvalidArgumentError(name, `must be an integer in [${min}, ${MAX_LENGTH_LIMIT}]`);
  }
}

/** Exactly `length` bytes (hashes, addresses, keys). */
export function bytes(length: number): BytesSchema {
  assertLimit('bytes length', length);
  return Object.freeze({ kind: 'bytes', length });
}

/** A byte string of at most `max` bytes. */
export function varBytes(max: number): VarBytesSchema {
  assertLimit('varBytes max', max);
  return Object.freeze({ kind: 'varbytes', max });
}

/** A well-formed UTF-8 string of at most `maxBytes` encoded bytes. */
export function string(maxBytes: number): StringSchema {
  assertLimit('string maxBytes', maxBytes);
  return Object.freeze({ kind: 'string', maxBytes });
}

/** At most `maxItems` values of `of`. */
export function list<const T extends Schema>(of: T, maxItems: number): ListSchema<T> {
  assertSchema(of, 'list item');
  assertLimit('list maxItems', maxItems);
  return Object.freeze({ kind: 'list', of, maxItems });
}

/** `of` or nothing; in a struct the field becomes optional (`name?: T`). */
export function optional<const T extends Schema>(of: T): OptionalSchema<T> {
  assertSchema(of, 'optional value');
  return Object.freeze({ kind: 'optional', of });
}

/** Integer-like keys are enumerated before others by JavaScript, which would reorder fields. */
const INTEGER_KEY_RE = /^(0|[1-9][0-9]*)$/;

/** Named fields, encoded in the order written. */
export function struct<const F extends StructFields>(fields: F): StructSchema<F> {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new InvalidArgumentError('struct fields', 'must be an object');
  for (const [name, schema] of Object.entries(fields)) {
    if (INTEGER_KEY_RE.test(name)) throw new InvalidArgumentError('struct field name', `${name} is integer-like; JavaScript would reorder it`);
    assertSchema(schema, `struct field ${name}`);
  }
  return Object.freeze({ kind: 'struct', fields: Object.freeze({ ...fields }) as F });
}

/** One of several named variants, each with a distinct u8 tag: `union({ a: [0, SchemaA], b: [1, SchemaB] })`. */
export function union<const V extends UnionVariants>(variants: V): UnionSchema<V> {
  if (variants === null || typeof variants !== 'object' || Array.isArray(variants)) throw new InvalidArgumentError('union variants', 'must be an object');
  const seen = new Set<number>();
  const entries = Object.entries(variants);
  if (entries.length === 0) throw new InvalidArgumentError('union variants', 'at least one');
  for (const [name, variant] of entries) {
    if (!Array.isArray(variant) || variant.length !== 2) throw new InvalidArgumentError(`union variant ${name}`, 'must be [tag, schema]');
    const [tag, schema] = variant as readonly [number, Schema];
    if (!Number.isInteger(tag) || tag < 0 || tag > 255) throw new InvalidArgumentError(`union variant ${name}`, 'tag must be in [0, 255]');
    if (seen.has(tag)) throw new InvalidArgumentError(`union variant ${name}`, `tag ${tag} used twice`);
    seen.add(tag);
    assertSchema(schema, `union variant ${name}`);
  }
  return Object.freeze({ kind: 'union', variants: Object.freeze({ ...variants }) as V });
}

const SIMPLE_KINDS = new Set(['u8', 'u16', 'u32', 'u64', 'u256', 'bool']);

/**
 * Checks that `schema` is a well-formed schema tree (used on schemas read from JSON, e.g. the
 * golden vectors). Throws InvalidArgumentError naming the first problem.
 */
export function assertSchema(schema: unknown, where = 'schema'): asserts schema is Schema {
  if (schema === null || typeof schema !== 'object') throw new InvalidArgumentError(where, 'not a schema object');
  const s = schema as Record<string, unknown>;
  const kind = s['kind'];
  if (typeof kind === 'string' && SIMPLE_KINDS.has(kind)) return;
  switch (kind) {
    case 'bytes':
      return assertLimit(`${where}.length`, s['length'] as number);
    case 'varbytes':
      return assertLimit(`${where}.max`, s['max'] as number);
    case 'string':
      return assertLimit(`${where}.maxBytes`, s['maxBytes'] as number);
    case 'list':
      assertLimit(`${where}.maxItems`, s['maxItems'] as number);
      return assertSchema(s['of'], `${where}.of`);
    case 'optional':
      return assertSchema(s['of'], `${where}.of`);
    case 'struct': {
      const fields = s['fields'];
      if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new InvalidArgumentError(where, 'struct fields must be an object');
      for (const [name, f] of Object.entries(fields)) {
        if (INTEGER_KEY_RE.test(name)) throw new InvalidArgumentError(where, `integer-like field name ${name}`);
        assertSchema(f, `${where}.${name}`);
      }
      return;
    }
    case 'union': {
      const variants = s['variants'];
      if (variants === null || typeof variants !== 'object' || Array.isArray(variants)) throw new InvalidArgumentError(where, 'union variants must be an object');
      const seen = new Set<number>();
      for (const [name, v] of Object.entries(variants)) {
        if (!Array.isArray(v) || v.length !== 2 || !Number.isInteger(v[0]) || v[0] < 0 || v[0] > 255 || seen.has(v[0])) {
          throw new InvalidArgumentError(`${where}.${name}`, 'must be [distinct tag 0..255, schema]');
        }
        seen.add(v[0]);
        assertSchema(v[1], `${where}.${name}`);
      }
      if (seen.size === 0) throw new InvalidArgumentError(where, 'union without variants');
      return;
    }
    default:
      throw new InvalidArgumentError(where, `unknown kind ${String(kind)}`);
  }
}

/** Smallest possible encoding of a value of `schema`, in bytes (lets the decoder reject absurd counts early). */
export function minEncodedSize(schema: Schema): number {
  const cached = minSizeCache.get(schema);
  if (cached !== undefined) return cached;
  let size: number;
  switch (schema.kind) {
    case 'u8':
    case 'bool':
    case 'optional':
    case 'varbytes':
    case 'string':
    case 'list':
      size = 1;
      break;
    case 'u16':
      size = 2;
      break;
    case 'u32':
      size = 4;
      break;
    case 'u64':
      size = 8;
      break;
    case 'u256':
      size = 32;
      break;
    case 'bytes':
      size = schema.length;
      break;
    case 'struct':
      size = 0;
      for (const f of Object.values(schema.fields as StructFields)) size += minEncodedSize(f);
      break;
    case 'union': {
      let min = Infinity;
      for (const [, s] of Object.values(schema.variants as UnionVariants)) min = Math.min(min, minEncodedSize(s));
      size = 1 + min;
      break;
    }
  }
  minSizeCache.set(schema, size);
  return size;
}

const minSizeCache = new WeakMap<Schema, number>();
