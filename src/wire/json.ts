/**
 * JSON view of schema values (docs/spec/wire.md §2.3), used by golden vectors and JSON CLI
 * output: u64/u256 as decimal strings, bytes as lower-case 0x-hex, an absent optional as null,
 * a union as { kind, value }, everything else as itself. `fromJsonValue` is its strict inverse.
 */
import { InvalidArgumentError } from '../common/errors.ts';
import { fromHex, toHex } from '../common/bytes.ts';
import type { Infer, Schema, StructFields, UnionVariants } from './schema.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function toJsonValue<S extends Schema>(schema: S, value: Infer<S>): JsonValue {
  const go = (s: Schema, v: any): JsonValue => {
    switch (s.kind) {
      case 'u8':
      case 'u16':
      case 'u32':
      case 'bool':
      case 'string':
        return v;
      case 'u64':
      case 'u256':
        return (v as bigint).toString();
      case 'bytes':
      case 'varbytes':
        return toHex(v);
      case 'list':
        return (v as unknown[]).map((x) => go(s.of, x));
      case 'optional':
        return v === undefined ? null : go(s.of, v);
      case 'struct': {
        const out: Record<string, JsonValue> = {};
        for (const [name, f] of Object.entries(s.fields as StructFields)) out[name] = go(f, v[name]);
        return out;
      }
      case 'union': {
        const [, vs] = (s.variants as UnionVariants)[v.kind]!;
        return { kind: v.kind, value: go(vs, v.value) };
      }
    }
  };
  return go(schema, value);
}

/** Inverse of toJsonValue. Shape errors throw InvalidArgumentError; range checks are left to `encode`. */
export function fromJsonValue<S extends Schema>(schema: S, json: unknown): Infer<S> {
  const go = (s: Schema, j: any, path: string): unknown => {
    const bad = (reason: string): never => {
      throw new InvalidArgumentError(path || 'value', reason);
    };
    switch (s.kind) {
      case 'u8':
      case 'u16':
      case 'u32':
        if (typeof j !== 'number') bad('expected a number');
        return j;
      case 'bool':
        if (typeof j !== 'boolean') bad('expected a boolean');
        return j;
      case 'string':
        if (typeof j !== 'string') bad('expected a string');
        return j;
      case 'u64':
      case 'u256':
        if (typeof j !== 'string' || !/^(0|[1-9][0-9]*)$/.test(j)) bad('expected a decimal string');
        return BigInt(j);
      case 'bytes':
      case 'varbytes':
        if (typeof j !== 'string' || !j.startsWith('0x')) bad('expected 0x-hex');
        return fromHex(j, undefined, path || 'value');
      case 'list':
        if (!Array.isArray(j)) bad('expected an array');
        return (j as unknown[]).map((x, i) => go(s.of, x, `${path}[${i}]`));
      case 'optional':
        return j === null ? undefined : go(s.of, j, path);
      case 'struct': {
        if (j === null || typeof j !== 'object' || Array.isArray(j)) bad('expected an object');
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(j)) if (!Object.hasOwn(s.fields, key)) bad(`unknown field ${key}`);
        for (const [name, f] of Object.entries(s.fields as StructFields)) {
          const v = go(f, j[name] === undefined && f.kind === 'optional' ? null : j[name], path ? `${path}.${name}` : name);
          if (v !== undefined) out[name] = v;
        }
        return out;
      }
      case 'union': {
        if (j === null || typeof j !== 'object' || typeof j.kind !== 'string') bad('expected { kind, value }');
        const variant = (s.variants as UnionVariants)[j.kind];
        if (variant === undefined || !Object.hasOwn(s.variants, j.kind)) bad(`unknown variant ${j.kind}`);
        return { kind: j.kind, value: go(variant![1], j.value, path ? `${path}.${j.kind}` : j.kind) };
      }
    }
  };
  return go(schema, json, '') as Infer<S>;
}
