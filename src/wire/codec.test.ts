import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codec, decode, encode } from './codec.ts';
import {
  bool,
  bytes,
  list,
  optional,
  string,
  struct,
  u16,
  u256,
  u32,
  u64,
  u8,
  union,
  varBytes,
  type Infer,
  type Schema,
} from './schema.ts';
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
import { arbitrary } from './arbitrary.ts';
import { fromHex, toHex } from '../common/bytes.ts';
import { SeededRandom } from '../common/clock.ts';
import { InvalidArgumentError } from '../common/errors.ts';

const hex = (s: Schema, v: unknown) => toHex(encode(s, v as never));

/** Fails the test if a decoder threw the wrapped "internal" error (a codec bug) rather than a real decode error. */
function isRealDecodeError(e: unknown): boolean {
  return e instanceof WireDecodeError && !(e instanceof WrongTypeError && String(e.details.reason).startsWith('internal'));
}

test('integers are fixed-width big-endian', () => {
  assert.equal(hex(u8, 0xab), '0xab');
  assert.equal(hex(u16, 0x0102), '0x0102');
  assert.equal(hex(u32, 0xdeadbeef), '0xdeadbeef');
  assert.equal(hex(u64, 0x0102030405060708n), '0x0102030405060708');
  assert.equal(hex(u256, 1n), '0x' + '00'.repeat(31) + '01');
  assert.equal(hex(u256, (1n << 256n) - 1n), '0x' + 'ff'.repeat(32));
});

test('lengths are minimal LEB128 varints: 127 takes one byte, 128 takes two', () => {
  const s = varBytes(1000);
  assert.equal(hex(s, new Uint8Array(0)), '0x00');
  assert.equal(hex(s, new Uint8Array(127)).slice(0, 4), '0x7f');
  assert.equal(hex(s, new Uint8Array(128)).slice(0, 6), '0x8001');
  assert.equal(hex(s, new Uint8Array(300)).slice(0, 6), '0xac02');
  assert.equal(hex(string(10), 'é'), '0x02c3a9');
  assert.equal(hex(list(u16, 5), [1, 2]), '0x0200010002');
  assert.equal(hex(optional(u8), undefined), '0x00');
  assert.equal(hex(optional(u8), 7), '0x0107');
  assert.equal(hex(bool, true), '0x01');
});

test('structs concatenate fields in schema order and unions prefix the variant tag', () => {
  const S = struct({ b: u8, a: u16, c: optional(bool) });
  assert.equal(hex(S, { b: 1, a: 2 }), '0x01000200');
  assert.equal(hex(S, { a: 2, b: 1, c: false }), '0x0100020100');
  const U = union({ small: [3, u8], big: [200, u16] });
  assert.equal(hex(U, { kind: 'big', value: 0x0102 }), '0xc80102');
  assert.deepEqual(decode(U, fromHex('0x0309')), { kind: 'small', value: 9 });
});

test('inferred types: optional fields become optional properties', () => {
  const Ping = struct({ token: bytes(8), hops: optional(u8), tags: list(string(8), 4) });
  type Ping = Infer<typeof Ping>;
  const p: Ping = { token: new Uint8Array(8), tags: [] };
  const q: Ping = decode(Ping, encode(Ping, p));
  assert.deepEqual(q, p);
  // @ts-expect-error token must be bytes
  const bad: Ping = { token: 'x', tags: [] };
  assert.throws(() => encode(Ping, bad), WireEncodeError);
});

test('truncated input is a TruncatedError naming the path', () => {
  const S = struct({ a: u32, items: list(struct({ id: bytes(4), name: string(10) }), 10) });
  const good = encode(S, { a: 1, items: [{ id: new Uint8Array(4), name: 'a' }, { id: new Uint8Array(4), name: 'bc' }] });
  for (let cut = 0; cut < good.length; cut++) {
    assert.throws(() => decode(S, good.subarray(0, cut)), TruncatedError, `cut ${cut}`);
  }
  const err = (() => {
    try {
      decode(S, good.subarray(0, good.length - 1));
    } catch (e) {
      return e as TruncatedError;
    }
  })();
  assert.equal(err?.details.path, 'items[1].name');
});

test('lengths and counts over the schema limit, and messages over maxMessageBytes, are OversizedError', () => {
  assert.throws(() => decode(varBytes(3), fromHex('0x0401020304')), OversizedError);
  assert.throws(() => decode(string(1), fromHex('0x026162')), OversizedError);
  assert.throws(() => decode(list(u8, 1), fromHex('0x020102')), OversizedError);
  assert.throws(() => decode(varBytes(10), new Uint8Array(11), { maxMessageBytes: 10 }), OversizedError, 'maxMessageBytes');
  assert.throws(() => decode(varBytes(100), encode(varBytes(100), new Uint8Array(50)), { maxMessageBytes: 20 }), OversizedError);
  // A varint beyond u32 (5th byte > 0x0f) is oversized, not silently wrapped.
  assert.throws(() => decode(varBytes(0xffff_ffff), fromHex('0xffffffff1f')), OversizedError);
  // A huge declared count with few bytes behind it is refused before allocating.
  assert.throws(() => decode(list(u64, 1_000_000), fromHex('0xc0843d00')), TruncatedError);
});

test('non-minimal varints are NonCanonicalError', () => {
  assert.throws(() => decode(varBytes(10), fromHex('0x8000')), NonCanonicalError);
  assert.throws(() => decode(varBytes(10), fromHex('0x818000' + '00')), NonCanonicalError);
  assert.throws(() => decode(list(u8, 10), fromHex('0x820001')), NonCanonicalError);
});

test('bool and option bytes other than 0/1, and invalid UTF-8, are WrongTypeError; unknown union tags are UnknownTagError', () => {
  assert.throws(() => decode(bool, fromHex('0x02')), WrongTypeError);
  assert.throws(() => decode(optional(u8), fromHex('0x0207')), WrongTypeError);
  for (const bad of ['0x01ff', '0x02c328', '0x03eda080', '0x04f4908080', '0x02c0af']) {
    assert.throws(() => decode(string(10), fromHex(bad)), WrongTypeError, bad);
  }
  assert.throws(() => decode(union({ a: [0, u8] }), fromHex('0x0100')), UnknownTagError);
  assert.throws(() => decode(bool, 'not bytes' as never), WrongTypeError);
});

test('a leading U+FEFF survives decoding (the BOM is data, not stripped)', () => {
  const s = '\ufeffhi';
  assert.equal(decode(string(10), encode(string(10), s)), s);
});

test('bytes after the value are TrailingBytesError', () => {
  assert.throws(() => decode(u16, fromHex('0x000100')), TrailingBytesError);
  assert.throws(() => decode(struct({}), fromHex('0x00')), TrailingBytesError);
});

test('encode refuses values that do not fit the schema with WireEncodeError', () => {
  const cases: Array<[Schema, unknown]> = [
    [u8, 256],
    [u8, -1],
    [u8, 1.5],
    [u16, '1'],
    [u32, 2 ** 32],
    [u64, 1],
    [u64, 1n << 64n],
    [u64, -1n],
    [u256, 1n << 256n],
    [bool, 1],
    [bytes(2), new Uint8Array(3)],
    [bytes(2), [1, 2]],
    [varBytes(2), new Uint8Array(3)],
    [string(3), 'abcd'],
    [string(3), 'é€'],
    [string(10), '\ud800'],
    [list(u8, 1), [1, 2]],
    [list(u8, 3), [1, 'x']],
    [optional(u8), null],
    [struct({ a: u8 }), { a: 1, b: 2 }],
    [struct({ a: u8 }), {}],
    [struct({ a: u8 }), [1]],
    [union({ a: [0, u8] }), { kind: 'b', value: 1 }],
    [union({ a: [0, u8] }), { kind: 'toString', value: 1 }],
    [union({ a: [0, u8] }), { kind: 'a', value: 1, extra: 1 }],
  ];
  for (const [s, v] of cases) assert.throws(() => encode(s, v as never), WireEncodeError, JSON.stringify(s) + ' ' + String(v));
  assert.throws(() => encode(varBytes(100), new Uint8Array(50), { maxMessageBytes: 20 }), WireEncodeError);
});

test('schema constructors refuse bad limits, integer-like field names and duplicate union tags', () => {
  assert.throws(() => bytes(-1), InvalidArgumentError);
  assert.throws(() => varBytes(2 ** 32), InvalidArgumentError);
  assert.throws(() => list(u8, 1.5), InvalidArgumentError);
  assert.throws(() => struct({ '0': u8 }), InvalidArgumentError);
  assert.throws(() => union({ a: [1, u8], b: [1, u16] }), InvalidArgumentError);
  assert.throws(() => union({ a: [256, u8] }), InvalidArgumentError);
  assert.throws(() => list({ kind: 'float' } as never, 1), InvalidArgumentError);
});

// ---------------------------------------------------------------------------------------------
// Property tests over random schemas

function randomSchema(r: SeededRandom, depth: number): Schema {
  const leaves: Array<() => Schema> = [
    () => u8,
    () => u16,
    () => u32,
    () => u64,
    () => u256,
    () => bool,
    () => bytes(r.nextU32() % 40),
    () => varBytes(r.nextU32() % 300),
    () => string(r.nextU32() % 300),
  ];
  const pick = r.nextU32() % (depth > 0 ? 13 : 9);
  if (pick < 9) return leaves[pick]!();
  const inner = () => randomSchema(r, depth - 1);
  switch (pick) {
    case 9:
      return list(inner(), r.nextU32() % 20);
    case 10:
      return optional(inner());
    case 11: {
      const fields: Record<string, Schema> = {};
      const n = r.nextU32() % 5;
      for (let i = 0; i < n; i++) fields[`f${i}`] = inner();
      return struct(fields);
    }
    default: {
      const variants: Record<string, readonly [number, Schema]> = {};
      const n = 1 + (r.nextU32() % 4);
      for (let i = 0; i < n; i++) variants[`v${i}`] = [(i * 37 + 5) % 256, inner()];
      return union(variants);
    }
  }
}

test('property: decode(encode(x)) equals x and re-encodes to the same bytes, over random schemas and values', () => {
  const r = new SeededRandom(42);
  for (let i = 0; i < 400; i++) {
    const schema = randomSchema(r, 3);
    for (let j = 0; j < 5; j++) {
      const value = arbitrary(schema, r);
      const bytes = encode(schema, value);
      const back = decode(schema, bytes);
      assert.deepStrictEqual(back, value);
      assert.deepStrictEqual(encode(schema, back), bytes);
    }
  }
});

test('fuzz: random bytes and mutated encodings either decode to a value that re-encodes identically or throw a WireDecodeError', () => {
  const r = new SeededRandom(7);
  let accepted = 0;
  let rejected = 0;
  for (let i = 0; i < 300; i++) {
    const schema = randomSchema(r, 3);
    const valid = encode(schema, arbitrary(schema, r));
    const inputs: Uint8Array[] = [r.bytes(r.nextU32() % 64)];
    for (let m = 0; m < 8; m++) {
      const mutated = valid.slice();
      const op = r.nextU32() % 4;
      if (op === 0 && mutated.length > 0) mutated[r.nextU32() % mutated.length] = r.nextU32() & 0xff;
      if (op === 1 && mutated.length > 0) mutated[r.nextU32() % mutated.length]! ^= 1 << (r.nextU32() % 8);
      if (op === 2) {
        inputs.push(mutated.subarray(0, r.nextU32() % (mutated.length + 1)));
        continue;
      }
      if (op === 3) {
        const extra = new Uint8Array(mutated.length + 1);
        extra.set(mutated);
        extra[mutated.length] = r.nextU32() & 0xff;
        inputs.push(extra);
        continue;
      }
      inputs.push(mutated);
    }
    for (const input of inputs) {
      try {
        const value = decode(schema, input);
        assert.deepStrictEqual(encode(schema, value), input, 'accepted bytes must be canonical');
        accepted++;
      } catch (e) {
        if (!isRealDecodeError(e)) throw e;
        rejected++;
      }
    }
  }
  assert.ok(accepted > 100 && rejected > 100, `both outcomes exercised: ${accepted} accepted, ${rejected} rejected`);
});

test('codec() binds a schema to encode/decode with options', () => {
  const c = codec(varBytes(100), { maxMessageBytes: 10 });
  assert.deepEqual(c.decode(c.encode(new Uint8Array(5))), new Uint8Array(5));
  assert.throws(() => c.encode(new Uint8Array(20)), WireEncodeError);
});
