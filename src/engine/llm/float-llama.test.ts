import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesSource } from '../gguf/byte-source.ts';
import { readGguf } from '../gguf/gguf-reader.ts';
import { FloatLlama } from './float-llama.ts';
import { llamaConfigFromGguf, readLlamaWeights } from './llama-gguf.ts';
import { tinyLlamaGguf } from '../../testnet/llm-fixtures.ts';
import { argmax, llamaCpp, loadLlamaCpp, softmax } from '../../testnet/llama-cpp-reference.ts';

const dir = mkdtempSync(join(tmpdir(), 'hs-llm-'));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await (await llamaCpp()).dispose();
});

const TOKENS = [1, 270, 261, 279, 275, 265, 5, 100, 290, 297, 262, 3, 260, 284];

/** Our float reference on weights read back by our GGUF reader, against real llama.cpp on the same file. */
async function compare(matrixType: string, overrides = {}): Promise<{ maxDiff: number; top1: number }> {
  const tiny = tinyLlamaGguf(matrixType, 7, overrides);
  const path = join(dir, `tiny-${matrixType}-${JSON.stringify(overrides).replace(/\W/g, '')}.gguf`);
  writeFileSync(path, tiny.gguf);
  const file = readGguf(bytesSource(tiny.gguf));
  const config = llamaConfigFromGguf(file);
  assert.deepEqual(config, { ...tiny.weights.config, normEps: Math.fround(tiny.weights.config.normEps) });
  const ours = new FloatLlama(readLlamaWeights(file, config));
  const ref = await loadLlamaCpp(path);
  try {
    const probs = await ref.probabilities(TOKENS);
    let maxDiff = 0;
    let top1 = 0;
    TOKENS.forEach((t, i) => {
      const p = softmax(ours.step(t));
      const theirs = probs[i]!;
      assert.equal(theirs.size, config.vocabSize);
      for (const [id, q] of theirs) maxDiff = Math.max(maxDiff, Math.abs(q - p[id]!));
      if ([...theirs.keys()][0] === argmax(p)) top1++;
    });
    return { maxDiff, top1 };
  } finally {
    await ref.dispose();
  }
}

test('float reference = llama.cpp on a GGUF (F32) written by our writer: grouped-query attention, separate head', async () => {
  const { maxDiff, top1 } = await compare('F32');
  assert.ok(maxDiff < 2e-4, `max probability difference ${maxDiff}`);
  assert.equal(top1, TOKENS.length);
});

test('float reference = llama.cpp on F16 and BF16 GGUF, multi-head with tied embeddings', async () => {
  for (const type of ['F16', 'BF16']) {
    const { maxDiff, top1 } = await compare(type, { kvHeads: 4, tiedEmbeddings: true });
    assert.ok(maxDiff < 2e-3, `${type}: max probability difference ${maxDiff}`);
    assert.ok(top1 >= TOKENS.length - 1, `${type}: top-1 agreement ${top1}/${TOKENS.length}`);
  }
});

test('float reference ≈ llama.cpp on a Q8_0 GGUF (llama.cpp also quantises activations to 8 bits there)', async () => {
  const { maxDiff, top1 } = await compare('Q8_0', { kvHeads: 1, layers: 3 });
  assert.ok(maxDiff < 2e-2, `max probability difference ${maxDiff}`);
  assert.ok(top1 >= TOKENS.length - 2, `top-1 agreement ${top1}/${TOKENS.length}`);
});
