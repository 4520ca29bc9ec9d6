import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../common/clock.ts';
import { prepareModel } from '../model-file.ts';
import { Runner } from '../runner.ts';
import { fixedPoint } from './fixed-point.ts';
import { initMlp, mlpForward } from './float-mlp.ts';
import { calibrateMlp, quantizeMlp } from './quantize-mlp.ts';

test('fixedPoint shares one shift and stays within the engine multiplier limit', () => {
  const { m, shift } = fixedPoint([0.001, 0.5, 3.25]);
  assert.ok(m.every((v) => Math.abs(v) <= 2 ** 22 - 1));
  assert.ok(Math.abs(m[1]! / 2 ** shift - 0.5) < 1e-6);
  assert.ok(Math.abs(m[2]! / 2 ** shift - 3.25) < 1e-6);
  assert.throws(() => fixedPoint([0, 0]), RangeError);
  assert.throws(() => fixedPoint([2 ** 30]), RangeError);
});

test('the integer MLP computes the float logits to within a few percent, through the engine', () => {
  const p = initMlp([16, 24, 5], 7);
  p.biases.forEach((b) => b.forEach((_, i) => (b[i] = 0.05 * Math.sin(i))));
  const rng = new SeededRandom(3);
  const inputs = Array.from({ length: 100 }, () => Int8Array.from({ length: 16 }, () => Math.floor(rng.nextFloat() * 128)));
  const floats = inputs.map((x) => Array.from(x, (v) => v / 127));
  const model = prepareModel(quantizeMlp(p, 1 / 127, calibrateMlp(p, floats), { name: 'tiny-mlp', description: '', task: 'classify', contextLength: 1, vocabSize: 5 }));
  const runner = new Runner(model);
  let agree = 0;
  let clear = 0;
  inputs.forEach((x, n) => {
    const logits = mlpForward(p, floats[n]!).at(-1)!;
    const sorted = Array.from(logits).sort((a, b) => b - a);
    const best = logits.indexOf(sorted[0]!);
    // Only inputs whose top two logits differ by > 5% of the range are a fair test of int8 rounding.
    if (sorted[0]! - sorted[1]! < 0.05 * (sorted[0]! - sorted.at(-1)!)) return;
    clear++;
    if (runner.run({ vector: x }).output[0] === best) agree++;
  });
  runner.close();
  assert.ok(clear > 50, `${clear} clear-cut inputs`);
  assert.ok(agree / clear >= 0.95, `integer argmax agrees on ${agree}/${clear}`);
});
