import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../common/clock.ts';
import { bytesSource } from './byte-source.ts';
import { ImportFormatError, ImportLimitError, ImportMagicError, ImportStructureError, ImportTruncatedError, ImportUnsupportedTypeError } from './errors.ts';
import type { GgufValue } from './gguf-format.ts';
import { readGguf, readGgufTensor } from './gguf-reader.ts';
import { encodeGgufBytes, type GgufWriteInput } from './gguf-writer.ts';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, typeByName } from './tensor-types.ts';

const enc = new TextEncoder();

function sample(): GgufWriteInput {
  const rng = new SeededRandom(3);
  const vals = (n: number): number[] => Array.from({ length: n }, () => (rng.nextFloat() - 0.5) * 4);
  const metadata: [string, GgufValue][] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['a.u8', { type: 'u8', value: 200 }],
    ['a.i8', { type: 'i8', value: -100 }],
    ['a.u16', { type: 'u16', value: 60_000 }],
    ['a.i16', { type: 'i16', value: -30_000 }],
    ['a.u32', { type: 'u32', value: 4_000_000_000 }],
    ['a.i32', { type: 'i32', value: -2_000_000_000 }],
    ['a.f32', { type: 'f32', value: 0.5 }],
    ['a.f64', { type: 'f64', value: Math.PI }],
    ['a.bool', { type: 'bool', value: true }],
    ['a.u64', { type: 'u64', value: 2n ** 63n + 5n }],
    ['a.i64', { type: 'i64', value: -(2n ** 62n) }],
    ['a.str', { type: 'string', value: 'héllo ▁ 🦙' }],
    ['a.arr', { type: 'array', itemType: 'string', value: ['x', '', 'zz'] }],
    ['a.arr2', { type: 'array', itemType: 'i32', value: [1, -2, 3] }],
  ];
  return {
    metadata,
    tensors: [
      { name: 'f32', dims: [3, 2], type: 'F32', values: vals(6) },
      { name: 'f16', dims: [4], type: 'F16', values: vals(4) },
      { name: 'bf16', dims: [2, 2, 2], type: 'BF16', values: vals(8) },
      { name: 'q8', dims: [64, 2], type: 'Q8_0', values: vals(128) },
    ],
  };
}

test('float16 and bfloat16 conversions round to nearest even and keep the edges', () => {
  const cases16: [number, number][] = [[1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65520, 0x7c00], [2 ** -24, 0x0001], [2 ** -25, 0x0000], [0.1, 0x2e66], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [2 ** -14, 0x0400], [Infinity, 0x7c00], [-0, 0x8000]];
  for (const [v, h] of cases16) {
    assert.equal(f32ToF16(v), h, `f16(${v})`);
    if (Number.isFinite(v) && h !== 0x7c00 && Math.abs(v) >= 2 ** -24 && v !== 0.1 && v !== 1 + 2 ** -11 && v !== 1 + 3 * 2 ** -11) assert.equal(f16ToF32(h), v);
  }
  assert.ok(Number.isNaN(f16ToF32(f32ToF16(NaN))));
  for (let h = 0; h < 0x7c00; h += 7) assert.equal(f32ToF16(f16ToF32(h)), h, `f16 bits ${h} round trip`);
  const casesBf: [number, number][] = [[1, 0x3f80], [1 + 2 ** -8, 0x3f80], [1 + 3 * 2 ** -8, 0x3f82], [-2, 0xc000]];
  for (const [v, b] of casesBf) assert.equal(f32ToBf16(v), b, `bf16(${v})`);
  for (let b = 0; b < 0x7f80; b += 13) assert.equal(f32ToBf16(bf16ToF32(b)), b);
});

test('GGUF written by our writer reads back: every metadata type and F32/F16/BF16/Q8_0 tensors', () => {
  const input = sample();
  const file = readGguf(bytesSource(encodeGgufBytes(input)));
  assert.equal(file.version, 3);
  assert.deepEqual([...file.metadata.entries()], input.metadata.map(([k, v]) => [k, v.type === 'f32' ? { ...v, value: Math.fround(v.value as number) } : v]));
  for (const t of input.tensors) {
    const info = file.tensorsByName.get(t.name)!;
    assert.deepEqual(info.dims, t.dims);
    assert.equal(info.type.name, t.type);
    assert.equal((info.offset - file.dataOffset) % 32, 0);
    const got = readGgufTensor(file, info);
    for (let i = 0; i < got.length; i++) {
      const v = t.values[i]!;
      if (t.type === 'F32') assert.equal(got[i], Math.fround(v));
      if (t.type === 'F16') assert.equal(got[i], f16ToF32(f32ToF16(v)));
      if (t.type === 'BF16') assert.equal(got[i], bf16ToF32(f32ToBf16(v)));
      if (t.type === 'Q8_0') {
        let amax = 0;
        for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(t.values[Math.floor(i / 32) * 32 + j]!));
        assert.ok(Math.abs(got[i]! - v) <= (amax / 127) * 0.5 + amax * 2 ** -10, `q8 ${i}: ${got[i]} vs ${v}`);
      }
    }
  }
});

test('GGUF: every truncation of a valid file is a typed error, never a crash', () => {
  const bytes = encodeGgufBytes(sample());
  const whole = readGguf(bytesSource(bytes));
  const end = Math.max(...whole.tensors.map((t) => t.offset + t.bytes)); // the padding after the last tensor is optional
  assert.ok(end > bytes.length - 32);
  for (let n = 0; n < end; n++) {
    const cut = bytes.slice(0, n);
    assert.throws(() => {
      const f = readGguf(bytesSource(cut));
      for (const t of f.tensors) readGgufTensor(f, t);
    }, ImportFormatError, `truncated at ${n}`);
  }
});

test('GGUF: random byte corruption gives a file or a typed error, never another exception', () => {
  const bytes = encodeGgufBytes(sample());
  const rng = new SeededRandom(9);
  let typed = 0;
  for (let i = 0; i < 3000; i++) {
    const b = bytes.slice();
    const flips = 1 + (rng.nextU32() % 4);
    for (let j = 0; j < flips; j++) b[rng.nextU32() % Math.min(b.length, 700)] = rng.nextU32() & 0xff;
    try {
      const f = readGguf(bytesSource(b), { maxMetadataBytes: 1 << 20 });
      for (const t of f.tensors) readGgufTensor(f, t);
    } catch (e) {
      if (!(e instanceof ImportFormatError)) throw new Error(`iteration ${i}: ${String(e)}`, { cause: e });
      typed++;
    }
  }
  assert.ok(typed > 100, `corruptions detected: ${typed}`);
});

/** Offset of a tensor's record in the tensor table (just after its name). */
function afterName(bytes: Uint8Array, name: string): number {
  const needle = enc.encode(name);
  outer: for (let i = 8; i < bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    if (Number(dv.getBigUint64(i - 8, true)) === needle.length && dv.getUint32(i + needle.length, true) <= 4) return i + needle.length;
  }
  throw new Error(`no tensor ${name}`);
}

function patched(f: (b: Uint8Array, dv: DataView) => void): Uint8Array {
  const b = encodeGgufBytes(sample());
  f(b, new DataView(b.buffer));
  return b;
}

test('GGUF hostile headers: huge counts, lengths, dimensions and offsets are refused before allocating', () => {
  const cases: [string, Uint8Array, new (...a: never[]) => Error][] = [
    ['bad magic', patched((b) => (b[0] = 0x00)), ImportMagicError],
    ['version 1', patched((_, dv) => dv.setUint32(4, 1, true)), ImportMagicError],
    ['2^63 tensors', patched((_, dv) => dv.setBigUint64(8, 2n ** 63n, true)), ImportLimitError],
    ['2^40 metadata entries', patched((_, dv) => dv.setBigUint64(16, 2n ** 40n, true)), ImportLimitError],
    ['key length 2^62', patched((_, dv) => dv.setBigUint64(24, 2n ** 62n, true)), ImportLimitError],
    ['5-D tensor', patched((b, dv) => dv.setUint32(afterName(b, 'f32'), 5, true)), ImportLimitError],
    ['dimension 2^40', patched((b, dv) => dv.setBigUint64(afterName(b, 'f32') + 4, 2n ** 40n, true)), ImportLimitError],
    ['elements past the limit', patched((b, dv) => { const o = afterName(b, 'bf16'); dv.setBigUint64(o + 4, 2n ** 27n, true); dv.setBigUint64(o + 12, 2n ** 27n, true); }), ImportLimitError],
    ['dimension 0', patched((b, dv) => dv.setBigUint64(afterName(b, 'f32') + 4, 0n, true)), ImportStructureError],
    ['unknown type 99', patched((b, dv) => dv.setUint32(afterName(b, 'f32') + 4 + 16, 99, true)), ImportStructureError],
    ['offset past the end', patched((b, dv) => dv.setBigUint64(afterName(b, 'f32') + 4 + 16 + 4, 2n ** 40n, true)), ImportTruncatedError],
    ['misaligned offset', patched((b, dv) => dv.setBigUint64(afterName(b, 'f16') + 4 + 8 + 4, 33n, true)), ImportStructureError],
    ['overlapping tensors', patched((b, dv) => dv.setBigUint64(afterName(b, 'f16') + 4 + 8 + 4, 0n, true)), ImportStructureError],
    ['Q8_0 row not a whole block', patched((b, dv) => { const o = afterName(b, 'q8'); dv.setBigUint64(o + 4, 32n, true); dv.setBigUint64(o + 12, 4n, true); dv.setUint32(o + 20, 8, true); dv.setBigUint64(o + 4, 48n, true); }), ImportStructureError],
  ];
  for (const [what, bytes, type] of cases) {
    assert.throws(() => readGguf(bytesSource(bytes)), type, what);
  }
});

test('GGUF hostile metadata: bad UTF-8, nested arrays, array lengths the file cannot hold, duplicate keys, bad bools, bad alignment', () => {
  const meta = (m: [string, GgufValue][]): Uint8Array => encodeGgufBytes({ metadata: m, tensors: [] });
  const withBytes = (m: [string, GgufValue][], f: (b: Uint8Array, dv: DataView) => void): Uint8Array => {
    const b = meta(m);
    f(b, new DataView(b.buffer));
    return b;
  };
  const key = 24 + 8; // first key's bytes (after magic, version, counts and the key length)
  assert.throws(() => readGguf(bytesSource(withBytes([['k', { type: 'string', value: 'ab' }]], (b) => (b[key + 1 + 4 + 8] = 0xff)))), ImportStructureError);
  assert.throws(() => readGguf(bytesSource(withBytes([['k', { type: 'array', itemType: 'u8', value: [1] }]], (_, dv) => dv.setUint32(key + 1 + 4, 9, true)))), ImportStructureError);
  assert.throws(() => readGguf(bytesSource(withBytes([['k', { type: 'array', itemType: 'u32', value: [1] }]], (_, dv) => dv.setBigUint64(key + 1 + 8, 1_000_000n, true)))), ImportTruncatedError);
  assert.throws(() => readGguf(bytesSource(withBytes([['k', { type: 'array', itemType: 'u32', value: [1] }]], (_, dv) => dv.setBigUint64(key + 1 + 8, 2n ** 40n, true)))), ImportLimitError);
  assert.throws(() => readGguf(bytesSource(meta([['k', { type: 'u8', value: 1 }], ['k', { type: 'u8', value: 2 }]]))), ImportStructureError);
  assert.throws(() => readGguf(bytesSource(withBytes([['k', { type: 'bool', value: true }]], (b) => (b[key + 1 + 4] = 7)))), ImportStructureError);
  assert.throws(() => readGguf(bytesSource(withBytes([['k', { type: 'u8', value: 1 }]], (_, dv) => dv.setUint32(key + 1, 13, true)))), ImportStructureError);
  assert.throws(() => readGguf(bytesSource(meta([['general.alignment', { type: 'u32', value: 24 }]]))), ImportStructureError);
  assert.throws(() => readGguf(bytesSource(meta([['k', { type: 'string', value: 'x'.repeat(100) }]])), { maxStringBytes: 50 }), ImportLimitError);
  assert.throws(() => readGguf(bytesSource(meta([['k', { type: 'array', itemType: 'u8', value: [1, 2, 3] }]])), { maxArrayLength: 2 }), ImportLimitError);
  assert.throws(() => readGguf(bytesSource(meta([['k', { type: 'string', value: 'x'.repeat(100) }]])), { maxMetadataBytes: 64 }), ImportLimitError);
});

test('GGUF: a tensor of a type we cannot decode (Q4_K) is listed but reading it is a typed error', () => {
  const b = encodeGgufBytes({ metadata: [], tensors: [{ name: 'w', dims: [256, 2], type: 'Q8_0', values: new Float32Array(512) }] });
  // Re-label the tensor as Q4_K (ggml type 12): 2 blocks of 144 bytes fit inside the 2·8·34 bytes written.
  const dv = new DataView(b.buffer);
  dv.setUint32(afterName(b, 'w') + 4 + 16, 12, true);
  const f = readGguf(bytesSource(b));
  assert.equal(f.tensors[0]!.type.name, 'Q4_K');
  assert.equal(f.tensors[0]!.bytes, 2 * 144);
  assert.throws(() => readGgufTensor(f, f.tensors[0]!), ImportUnsupportedTypeError);
  assert.equal(typeByName('Q4_K')!.decodable, false);
});
