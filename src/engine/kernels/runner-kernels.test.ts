/**
 * End to end: the runner on the wasm kernels (node values resident in the wasm memory, requant / muldiv /
 * matvec in place) gives the same traces and outputs as on the TypeScript reference kernels, for the shipped
 * sort-transformer and a wider random decoder, greedy and seeded, and keeps doing so when other runners grow the
 * shared wasm memory between its runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModelFile } from '../model-file.ts';
import { Runner } from '../runner.ts';
import { tinyTransformer } from '../../testnet/test-models.ts';
import { referenceKernels } from './kernels.ts';
import { createWasmKernels } from './wasm.ts';

const sort = decodeModelFile(readFileSync(join(import.meta.dirname, '../../../models/sort-transformer.hsm')));

test('shipped sort-transformer: wasm traces = reference traces (greedy and seeded)', async () => {
  const wasm = new Runner(sort, { kernels: await createWasmKernels() });
  const ref = new Runner(sort, { kernels: referenceKernels });
  const tok = sort.layout.tokenizer!;
  const vocab = sort.meta.vocab!.filter((t) => !t.startsWith('<'));
  for (let i = 0; i < 6; i++) {
    const prompt = [tok.encode(vocab.slice(i, i + 4).join(''))].flat();
    for (const seed of [null, 1000 + i]) {
      const a = ref.run({ prompt, seed }, { trace: true });
      const b = wasm.run({ prompt, seed }, { trace: true });
      assert.deepEqual(b.trace, a.trace);
      assert.deepEqual(b.output, a.output);
      assert.deepEqual(wasm.run({ prompt, seed }).outputHash, a.outputHash); // happy path too
    }
  }
  wasm.close();
  ref.close();
});

test('a d = 128 decoder: wasm = reference, also after other runners grow the shared wasm memory between runs', async () => {
  const model = tinyTransformer({ dim: 128, heads: 4, context: 16, hidden: 256 });
  const kernels = await createWasmKernels();
  const wasm = new Runner(model, { kernels });
  const ref = new Runner(model, { kernels: referenceKernels });
  const prompt = model.layout.tokenizer!.encode('abcabc');
  const expected = ref.run({ prompt, maxTokens: 6, seed: 3 }, { trace: true });
  for (let round = 0; round < 3; round++) {
    assert.deepEqual(wasm.run({ prompt, maxTokens: 6, seed: 3 }, { trace: true }).trace, expected.trace);
    // Another model on the same kernels instance: its weights and vectors grow the memory, detaching wasm's views.
    const other = new Runner(tinyTransformer({ dim: 256, heads: 4, context: 32, hidden: 1024, seed: round }), { kernels });
    other.run({ prompt, maxTokens: 2 });
    if (round < 2) other.close();
  }
  assert.deepEqual(wasm.run({ prompt, maxTokens: 6, seed: 3 }).outputHash, expected.outputHash);
  wasm.close();
  ref.close();
});
