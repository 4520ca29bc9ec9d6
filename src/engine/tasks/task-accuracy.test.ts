/**
 * The shipped models (models/*.hsm) still answer their tasks: each file is loaded through the engine's
 * decoder and run by the engine's runner on held-out prompts. Fails if a model file or the engine regresses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeModelFile } from '../model-file.ts';
import { Runner } from '../runner.ts';
import { Tokenizer } from '../tokenizer.ts';
import { generateGlyphs } from './glyph-task.ts';
import { generateTask, scoreAnswer, SORT_TASK_SPEC } from './sort-task.ts';
import { glyphTaskAccuracy, sortTaskAccuracy } from './task-accuracy.ts';

const modelsDir = new URL('../../../models/', import.meta.url);
const load = (file: string) => decodeModelFile(new Uint8Array(readFileSync(new URL(file, modelsDir))));

// Seeds unused by the build scripts (training draws per-step seeds, evaluation uses 0x5eed_e7a1 / 0x5eed_61f0).
const TEST_SEED = 20_240_601;

test('sort-transformer.hsm sorts at least 80% of 50 held-out prompts through the integer engine', () => {
  const model = load('sort-transformer.hsm');
  assert.equal(model.meta.task, 'generate');
  const tokenizer = new Tokenizer(model.meta.vocab ?? []);
  for (const c of SORT_TASK_SPEC.alphabet + SORT_TASK_SPEC.separator) assert.doesNotThrow(() => tokenizer.encode(c), `vocab has '${c}'`);
  const runner = new Runner(model);
  try {
    const { accuracy, wrong } = sortTaskAccuracy(runner, generateTask(TEST_SEED, 50));
    assert.ok(accuracy >= 0.8, `accuracy ${accuracy}; wrong: ${JSON.stringify(wrong.slice(0, 3))}`);
    // A fortification challenge end to end: the server's scorer accepts the node's decoded output.
    const prompt = 'hcafbd=';
    const out = runner.run({ prompt: tokenizer.encode(prompt), maxTokens: 9 });
    assert.ok(scoreAnswer(prompt, tokenizer.decode(out.output)), `answer ${tokenizer.decode(out.output)}`);
  } finally {
    runner.close();
  }
});

test('sort-transformer.hsm samples deterministically per seed and stays mostly right at temperature 1', () => {
  const model = load('sort-transformer.hsm');
  const tokenizer = new Tokenizer(model.meta.vocab ?? []);
  const runner = new Runner(model);
  try {
    let ok = 0;
    const examples = generateTask(TEST_SEED + 1, 20);
    examples.forEach((ex, i) => {
      const prompt = tokenizer.encode(ex.prompt);
      const a = runner.run({ prompt, maxTokens: 9, seed: 1000 + i });
      const b = runner.run({ prompt, maxTokens: 9, seed: 1000 + i });
      assert.deepEqual(a.outputHash, b.outputHash, 'same seed, same output');
      if (scoreAnswer(ex.prompt, tokenizer.decode(a.output))) ok++;
    });
    assert.ok(ok / examples.length >= 0.8, `seeded accuracy ${ok}/${examples.length}`);
  } finally {
    runner.close();
  }
});

test('ffn-glyphs.hsm classifies at least 80% of 200 held-out glyphs through the integer engine', () => {
  const model = load('ffn-glyphs.hsm');
  assert.equal(model.meta.task, 'classify');
  const runner = new Runner(model);
  try {
    const accuracy = glyphTaskAccuracy(runner, generateGlyphs(TEST_SEED, 200));
    assert.ok(accuracy >= 0.8, `accuracy ${accuracy}`);
  } finally {
    runner.close();
  }
});

test('accuracy helpers report 0 for an empty set rather than NaN', () => {
  const runner = new Runner(load('ffn-glyphs.hsm'));
  assert.equal(glyphTaskAccuracy(runner, []), 0);
  runner.close();
});
