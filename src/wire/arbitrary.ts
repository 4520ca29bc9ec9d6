/**
 * Random values of any schema, for property tests and fuzzing of the codec and of every
 * message schema declared elsewhere (src/dht, src/hcs): `arbitrary(MySchema, new SeededRandom(1))`.
 *
 * Values favour edge cases: integer limits, empty and full-length strings and lists,
 * multi-byte UTF-8 (2, 3 and 4-byte sequences, a leading U+FEFF), absent optionals.
 */
import type { Random } from '../common/clock.ts';
import type { Infer, Schema, StructFields, UnionVariants } from './schema.ts';

export interface ArbitraryOptions {
  /** Cap on generated list lengths and byte/string sizes, so fuzzing stays fast whatever the schema allows. */
  maxSize: number;
}

export const DEFAULTS: ArbitraryOptions = {
  // Items / bytes: enough to cross the 1-byte varint boundary (127/128) without slow tests.
  maxSize: 300,
};

const SAMPLE_CHARS = ['a', 'Z', '0', ' ', '\u0000', '\u007f', 'é', 'ß', '\u07ff', '\u0800', '€', '\ufeff', '\uffff', '😀', '\u{10ffff}'];

function u32(random: Random): number {
  const b = random.bytes(4);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

function below(random: Random, n: number): number {
  return n <= 0 ? 0 : u32(random) % n;
}

function bigOf(random: Random, bytes: number): bigint {
  let v = 0n;
  for (const b of random.bytes(bytes)) v = (v << 8n) | BigInt(b);
  return v;
}

/** A size in [0, max], biased to 0, max, and the 127/128 varint boundary. */
function size(random: Random, max: number): number {
  const pick = below(random, 8);
  if (pick === 0) return 0;
  if (pick === 1) return max;
  if (pick === 2) return Math.min(max, 127 + below(random, 2));
  return below(random, max + 1);
}

function uint(random: Random, bits: 8 | 16 | 32): number {
  const max = 2 ** bits - 1;
  const pick = below(random, 6);
  if (pick === 0) return 0;
  if (pick === 1) return max;
  return u32(random) % (max + 1);
}

function big(random: Random, bytes: number): bigint {
  const pick = below(random, 6);
  if (pick === 0) return 0n;
  if (pick === 1) return (1n << BigInt(8 * bytes)) - 1n;
  if (pick === 2) return bigOf(random, 1 + below(random, bytes));
  return bigOf(random, bytes);
}

function text(random: Random, maxBytes: number): string {
  const target = size(random, maxBytes);
  let out = '';
  let used = 0;
  while (used < target) {
    const ch = SAMPLE_CHARS[below(random, SAMPLE_CHARS.length)]!;
    const len = Buffer.byteLength(ch, 'utf8');
    if (used + len > target) {
      if (target - used >= 1) {
        out += 'x';
        used += 1;
        continue;
      }
      break;
    }
    out += ch;
    used += len;
  }
  return out;
}

export function arbitrary<S extends Schema>(schema: S, random: Random, options: Partial<ArbitraryOptions> = {}): Infer<S> {
  const { maxSize } = { ...DEFAULTS, ...options };
  const gen = (s: Schema): unknown => {
    switch (s.kind) {
      case 'u8':
        return uint(random, 8);
      case 'u16':
        return uint(random, 16);
      case 'u32':
        return uint(random, 32);
      case 'u64':
        return big(random, 8);
      case 'u256':
        return big(random, 32);
      case 'bool':
        return below(random, 2) === 1;
      case 'bytes':
        return random.bytes(s.length);
      case 'varbytes':
        return random.bytes(size(random, Math.min(s.max, maxSize)));
      case 'string':
        return text(random, Math.min(s.maxBytes, maxSize));
      case 'list': {
        const n = size(random, Math.min(s.maxItems, Math.max(1, Math.floor(maxSize / 20))));
        return Array.from({ length: n }, () => gen(s.of));
      }
      case 'optional':
        return below(random, 3) === 0 ? undefined : gen(s.of);
      case 'struct': {
        const out: Record<string, unknown> = {};
        for (const [name, f] of Object.entries(s.fields as StructFields)) {
          const v = gen(f);
          if (v !== undefined) out[name] = v;
        }
        return out;
      }
      case 'union': {
        const entries = Object.entries(s.variants as UnionVariants);
        const [name, [, vs]] = entries[below(random, entries.length)]!;
        return { kind: name, value: gen(vs) };
      }
    }
  };
  return gen(schema) as Infer<S>;
}
