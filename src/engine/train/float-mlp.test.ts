import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initMlp, mlpBackward, mlpForward, zerosLikeMlp } from './float-mlp.ts';

test('MLP gradients match central differences', () => {
  const p = initMlp([5, 7, 6, 3], 11);
  p.biases.forEach((b) => b.forEach((_, i) => (b[i] = 0.1 * Math.cos(i))));
  const x = [0.3, -0.7, 1.1, 0.05, -0.2];
  const label = 2;
  const grads = zerosLikeMlp(p);
  mlpBackward(p, mlpForward(p, x), label, 1, grads);
  const lossOf = (): number => mlpBackward(p, mlpForward(p, x), label, 1, zerosLikeMlp(p)).loss;
  let checked = 0;
  for (const [tensors, gradTensors] of [[p.weights, grads.weights], [p.biases, grads.biases]] as const) {
    tensors.forEach((t, k) => {
      for (let i = 0; i < t.length; i += 2) {
        const old = t[i]!;
        t[i] = old + 1e-6;
        const up = lossOf();
        t[i] = old - 1e-6;
        const down = lossOf();
        t[i] = old;
        const numeric = (up - down) / 2e-6;
        const analytic = gradTensors[k]![i]!;
        assert.ok(Math.abs(numeric - analytic) < 1e-6 * Math.max(1, Math.abs(numeric)), `tensor ${k}[${i}]: ${analytic} vs ${numeric}`);
        checked++;
      }
    });
  }
  assert.ok(checked > 40);
});

test('forward applies ReLU to hidden layers only', () => {
  const p = initMlp([3, 4, 2], 1);
  const acts = mlpForward(p, [1, -1, 0.5]);
  assert.ok(acts[1]!.every((v) => v >= 0));
  assert.equal(acts.length, 3);
});
