import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '../../common/clock.ts';
import { bytesSource } from '../gguf/byte-source.ts';
import { ImportArchitectureError, ImportFormatError, ImportLimitError, ImportStructureError, ImportTruncatedError } from '../gguf/errors.ts';
import { readGguf } from '../gguf/gguf-reader.ts';
import { encodeSafetensors, readSafetensors } from '../gguf/safetensors-reader.ts';
import { tinyLlamaGguf } from '../../testnet/llm-fixtures.ts';
import { writeHfDir } from '../../testnet/hf-fixtures.ts';
import { llamaConfigFromHf, permuteRotaryRows, readLlamaWeightsHf } from './llama-safetensors.ts';
import { readLlamaWeights } from './llama-gguf.ts';

const dir = mkdtempSync(join(tmpdir(), 'hs-hf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a Hugging Face directory (2 shards, half-split rotary rows) and a GGUF of the same weights read to identical float weights', () => {
  const tiny = tinyLlamaGguf('F32', 4, { kvHeads: 2 });
  const fromGguf = readLlamaWeights(readGguf(bytesSource(tiny.gguf)));
  writeHfDir(join(dir, 'f32'), tiny.weights, 'F32', 2);
  const fromHf = readLlamaWeightsHf(join(dir, 'f32'));
  assert.deepEqual(fromHf.config, fromGguf.config);
  assert.deepEqual(fromHf.layers, fromGguf.layers);
  assert.deepEqual(fromHf.tokenEmbedding, fromGguf.tokenEmbedding);
  assert.deepEqual(fromHf.output, fromGguf.output);
  // The rotary permutation is a real reordering and its inverse undoes it.
  const w = tiny.weights.layers[0]!.wq;
  const p = permuteRotaryRows(w, 4, 64);
  assert.notDeepEqual(p, w);
  assert.deepEqual(permuteRotaryRows(p, 4, 64, true), w);
});

test('config.json: unsupported architectures and features are typed errors', () => {
  const ok = { model_type: 'llama', vocab_size: 300, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 96, max_position_embeddings: 64, rms_norm_eps: 1e-5 };
  assert.equal(llamaConfigFromHf(ok).kvHeads, 2);
  for (const bad of [{ model_type: 'qwen2' }, { rope_scaling: { type: 'linear', factor: 2 } }, { attention_bias: true }, { hidden_act: 'gelu' }, { num_key_value_heads: 3 }, { hidden_size: 1e9 }, { num_attention_heads: 5 }]) {
    assert.throws(() => llamaConfigFromHf({ ...ok, ...bad }), ImportArchitectureError, JSON.stringify(bad));
  }
});

test('safetensors hostile files: truncation, huge header, bad dtype, offsets past the end, overlap, wrong sizes', () => {
  const t = (name: string, n: number) => ({ name, shape: [n], dtype: 'F32' as const, data: new Uint8Array(4 * n) });
  const good = encodeSafetensors([t('a', 4), t('b', 2)], { format: 'pt' });
  const f = readSafetensors(bytesSource(good));
  assert.deepEqual([...f.tensors.keys()], ['a', 'b']);
  assert.deepEqual(f.metadata, { format: 'pt' });
  const hdrLen = Number(new DataView(good.buffer).getBigUint64(0, true));
  for (let n = 0; n < 8 + hdrLen + 24; n++) assert.throws(() => readSafetensors(bytesSource(good.slice(0, n))), ImportFormatError, `truncated at ${n}`);
  const withHeader = (h: unknown, data = 64): Uint8Array => {
    const j = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + j.length + data);
    new DataView(out.buffer).setBigUint64(0, BigInt(j.length), true);
    out.set(j, 8);
    return out;
  };
  const huge = good.slice();
  new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
  assert.throws(() => readSafetensors(bytesSource(huge)), ImportLimitError);
  const cases: [unknown, new (...a: never[]) => Error][] = [
    [[1, 2], ImportStructureError],
    [{ a: { dtype: 'Q4', shape: [4], data_offsets: [0, 16] } }, ImportStructureError],
    [{ a: { dtype: 'F32', shape: [4], data_offsets: [0, 1_000_000] } }, ImportTruncatedError],
    [{ a: { dtype: 'F32', shape: [4], data_offsets: [0, 12] } }, ImportStructureError],
    [{ a: { dtype: 'F32', shape: [4], data_offsets: [16, 0] } }, ImportStructureError],
    [{ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } }, ImportStructureError],
    [{ a: { dtype: 'F32', shape: [2 ** 20, 2 ** 20], data_offsets: [0, 16] } }, ImportLimitError],
    [{ a: { dtype: 'F32', shape: [1, 1, 1, 1, 1], data_offsets: [0, 4] } }, ImportLimitError],
    [{ a: { dtype: 'F32', shape: [-4], data_offsets: [0, 16] } }, ImportStructureError],
    [{ __metadata__: { k: 1 } }, ImportStructureError],
  ];
  for (const [h, type] of cases) assert.throws(() => readSafetensors(bytesSource(withHeader(h))), type, JSON.stringify(h));
  const bad = withHeader({});
  bad[8] = 0xff; // not UTF-8
  assert.throws(() => readSafetensors(bytesSource(bad)), ImportStructureError);
  const rng = new SeededRandom(4);
  for (let i = 0; i < 2000; i++) {
    const b = good.slice();
    b[rng.nextU32() % b.length] = rng.nextU32() & 0xff;
    try {
      readSafetensors(bytesSource(b));
    } catch (e) {
      if (!(e instanceof ImportFormatError)) throw e;
    }
  }
  writeFileSync(join(dir, 'x.safetensors'), good);
});
