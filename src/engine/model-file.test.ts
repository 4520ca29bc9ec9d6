import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../common/clock.ts';
import { decodeModelFile, encodeModelFile, ModelHeaderError, ModelMagicError, ModelSizeError, ModelTruncatedError, ModelVersionError, prepareModel } from './model-file.ts';
import { GraphValidationError, ModelFormatError, ModelMetaError, NODE_RECORD_BYTES } from './graph.ts';
import { tinyMlp, tinyTransformer } from '../testnet/test-models.ts';
import { runModel } from './runner.ts';
import { GraphBuilder } from './builder.ts';
import { runStateBytes } from './validate.ts';
import type { Model } from './graph.ts';

const tt = tinyTransformer();
const ttBytes = encodeModelFile(tt);
const mlp = tinyMlp();
const mlpBytes = encodeModelFile(mlp);

function metaEnd(bytes: Uint8Array): number {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  return 32 + Math.ceil(len / 32) * 32;
}

test('round trip: decode(encode(m)) has the same hashes, graph and outputs', () => {
  const back = decodeModelFile(ttBytes);
  assert.deepEqual(back.modelHash, tt.modelHash);
  assert.deepEqual(back.nodes, tt.nodes);
  assert.deepEqual(encodeModelFile(back), ttBytes);
  const prompt = tt.layout.tokenizer!.encode('abc');
  assert.deepEqual(runModel(back, { prompt, maxTokens: 4 }).output, runModel(tt, { prompt, maxTokens: 4 }).output);
});

test('the model hash changes with any weight, node parameter or metadata change', () => {
  const w = new Uint8Array(mlpBytes);
  w[w.length - 40]! ^= 1;
  assert.notDeepEqual(decodeModelFile(w).modelHash, mlp.modelHash);
  const m2 = prepareModel({ ...mlp, meta: { ...mlp.meta, description: 'x' } });
  assert.notDeepEqual(m2.modelHash, mlp.modelHash);
  assert.deepEqual(m2.weightsRoot, mlp.weightsRoot);
});

test('every truncation is refused with a ModelFormatError', () => {
  for (let n = 0; n < mlpBytes.length; n++) {
    assert.throws(() => decodeModelFile(mlpBytes.subarray(0, n)), (e) => e instanceof ModelFormatError, `length ${n}`);
  }
  assert.throws(() => decodeModelFile(mlpBytes.subarray(0, 100)), ModelTruncatedError);
});

test('header tampering gets specific errors', () => {
  const bad = (f: (b: Uint8Array, v: DataView) => void) => {
    const b = new Uint8Array(mlpBytes);
    f(b, new DataView(b.buffer));
    return b;
  };
  assert.throws(() => decodeModelFile(bad((b) => (b[0] = 0x47))), ModelMagicError);
  assert.throws(() => decodeModelFile(bad((_, v) => v.setUint32(8, 2, true))), ModelVersionError);
  assert.throws(() => decodeModelFile(bad((_, v) => v.setUint32(16, 0xffffffff, true))), ModelSizeError);
  assert.throws(() => decodeModelFile(bad((_, v) => v.setUint32(12, 0xffffffff, true))), ModelSizeError);
  assert.throws(() => decodeModelFile(bad((_, v) => v.setUint32(20, 33, true))), ModelSizeError);
  assert.throws(() => decodeModelFile(bad((b) => (b[30] = 1))), ModelHeaderError);
  assert.throws(() => decodeModelFile(new Uint8Array([...mlpBytes, 0])), ModelSizeError);
  // Non-canonical JSON: a space instead of the first comma's neighbour is caught before parsing the graph.
  const b = new Uint8Array(mlpBytes);
  const text = new TextDecoder().decode(b.subarray(32, metaEnd(b)));
  const i = text.indexOf(',');
  b[32 + i] = 0x20;
  assert.throws(() => decodeModelFile(b), ModelHeaderError);
});

test('hostile node records are refused: unknown op, forward input, bad shift, weights out of range, reserved word', () => {
  const start = metaEnd(mlpBytes);
  const setWord = (node: number, word: number, value: number) => {
    const b = new Uint8Array(mlpBytes);
    new DataView(b.buffer).setInt32(start + node * NODE_RECORD_BYTES + 4 * word, value, true);
    return b;
  };
  // MLP nodes: 0 vector, 1 fc1 (matvec), 2 relu1 (requant), 3 fc2, 4 class (argmax).
  assert.throws(() => decodeModelFile(setWord(1, 0, 999)), GraphValidationError);
  assert.throws(() => decodeModelFile(setWord(1, 1, 3)), GraphValidationError);
  assert.throws(() => decodeModelFile(setWord(2, 8, 60)), GraphValidationError); // shift p1 > 52
  assert.throws(() => decodeModelFile(setWord(1, 5, 1 << 30)), GraphValidationError); // w0 past the blob
  assert.throws(() => decodeModelFile(setWord(1, 5, 4)), GraphValidationError); // unaligned
  assert.throws(() => decodeModelFile(setWord(2, 7, 1 << 23)), GraphValidationError); // multiplier too large
  assert.throws(() => decodeModelFile(setWord(4, 15, 1)), GraphValidationError);
  assert.throws(() => decodeModelFile(setWord(4, 4, 0)), GraphValidationError); // size 0
  assert.throws(() => decodeModelFile(setWord(2, 11, 5)), GraphValidationError); // unused param non-zero
});

test('graphs that could overflow int32 or misuse dtypes are refused at build time', () => {
  const g = new GraphBuilder({ name: 'bad', description: '', task: 'classify', contextLength: 1, vocabSize: 1 });
  const x = g.vector(4);
  const h = g.matvec(x, new Int8Array(16).fill(-128), 4);
  g.output(g.matvec(h, new Int8Array(16), 4)); // int32 input to a matvec
  assert.throws(() => g.build(), GraphValidationError);
  const g2 = new GraphBuilder({ name: 'bad', description: '', task: 'classify', contextLength: 1, vocabSize: 1 });
  const y = g2.vector(1);
  let s = g2.requant(y, { mul: 4194303, shift: 0, lo: -2147483648, hi: 2147483647 });
  s = g2.add(s, s);
  g2.output(g2.muldiv(s, { mul: 4194303, constDen: 1 })); // |numerator| > 2^51
  assert.throws(() => g2.build(), GraphValidationError);
  const g3 = new GraphBuilder({ name: 'Bad Name', description: '', task: 'classify', contextLength: 1, vocabSize: 1 });
  g3.output(g3.vector(1));
  assert.throws(() => g3.build(), ModelMetaError);
});

test('random mutations and random bytes never crash the loader: a model or a ModelFormatError', () => {
  const rng = new SeededRandom(99);
  let accepted = 0;
  for (let i = 0; i < 400; i++) {
    const b = new Uint8Array(i % 2 ? ttBytes : mlpBytes);
    const flips = 1 + (rng.nextU32() % 4);
    for (let k = 0; k < flips; k++) b[rng.nextU32() % b.length] = rng.nextU32() & 0xff;
    try {
      decodeModelFile(b);
      accepted++;
    } catch (e) {
      assert.ok(e instanceof ModelFormatError, `mutation ${i}: ${(e as Error).stack}`);
    }
  }
  for (let i = 0; i < 200; i++) {
    const b = rng.bytes(rng.nextU32() % 300);
    if (i % 3 === 0 && b.length >= 8) b.set([0x48, 0x53, 0x4d, 0x4f, 0x44, 0x45, 0x4c, 0x00]);
    assert.throws(() => decodeModelFile(b), (e) => e instanceof ModelFormatError);
  }
  assert.ok(accepted < 400);
});

/**
 * A decoder of a few hundred weight bytes whose attention caches are huge: scores (heads · C) requantised to int8
 * are the v input of `mixes` attn_mix nodes, each with its own KV cache of C rows × heads · C bytes.
 */
function kvHeavyModel(mixes: number, heads: number): Model {
  const C = 4096;
  const g = new GraphBuilder({ name: 'kv-heavy', description: '', task: 'generate', contextLength: C, vocabSize: 4, vocab: ['<pad>', '<bos>', '<eos>', 'a'] });
  const tok = g.token();
  const q = g.gather(tok, new Int8Array(4 * heads).fill(1), 4, heads);
  const s = g.requant(g.attnScores(q, q, heads, 0), { mul: 1, shift: 8 });
  for (let i = 0; i < mixes; i++) g.attnMix(s, s, heads);
  g.output(g.argmax(g.gather(tok, new Int8Array(12).fill(1), 4, 3), 3));
  return g.toModel();
}

test('a file of a few KB asking for GiBs of KV cache, or KV / matvec rows past the kernels, is refused at load', () => {
  const unlimited = { maxRunStateBytes: 2 ** 40 };
  // 8 caches of 4096 × 126,976 bytes plus a 2 GiB int32 history: ~6 GB of run state from a 1.4 KB file.
  const heavy = prepareModel(kvHeavyModel(8, 31), unlimited);
  const bytes = encodeModelFile(heavy);
  assert.ok(bytes.length < 4096);
  assert.ok(runStateBytes(heavy.nodes, 4096, heavy.layout.historyNodes, heavy.layout.stepElements) > 2 ** 32);
  assert.throws(() => decodeModelFile(bytes), (e) => e instanceof GraphValidationError && /KV caches/.test(e.message));
  // The limit is a load option: raised explicitly, the same kind of file loads.
  const one = encodeModelFile(prepareModel(kvHeavyModel(1, 31), unlimited));
  assert.equal(decodeModelFile(one, unlimited).nodes.length, 7);
  assert.throws(() => decodeModelFile(one), GraphValidationError);
  // A KV row wider than the kernels' 131,071 columns (64 heads · 4096 = 262,144) is refused whatever the budget.
  assert.throws(() => prepareModel(kvHeavyModel(1, 64), unlimited), (e) => e instanceof GraphValidationError && /KV cache row/.test(e.message));
  // An all-zero matvec passes the range proof at any width; the loader still bounds a row at 131,071 links.
  const g = new GraphBuilder({ name: 'wide', description: '', task: 'classify', contextLength: 1, vocabSize: 1 });
  g.output(g.matvec(g.vector(131_072), new Int8Array(131_072), 1));
  assert.throws(() => g.build(), (e) => e instanceof GraphValidationError && /columns of a matvec row/.test(e.message));
  // The test models are far below the limit.
  assert.ok(runStateBytes(tt.nodes, tt.meta.contextLength, tt.layout.historyNodes, tt.layout.stepElements) < 1 << 20);
});
