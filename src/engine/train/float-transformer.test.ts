import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backward, crossEntropy, forward, initTransformer, namedTensors, zerosLike, type TransformerConfig } from './float-transformer.ts';

const tiny: TransformerConfig = { vocabSize: 7, context: 6, dModel: 8, heads: 2, layers: 2, hidden: 12 };

test('analytic gradients match central differences on a tiny config', () => {
  const p = initTransformer(tiny, 3);
  // Non-trivial gains and biases so their gradients are exercised away from the initial point.
  for (const [name, t] of namedTensors(p)) if (/g1|g2|gf|b1|b2/.test(name)) for (let i = 0; i < t.length; i++) t[i] = t[i]! + 0.3 * Math.sin(i + name.length);
  const tokens = [1, 4, 3, 6, 2, 5];
  const mask = [false, true, false, true, true, false];
  const lossOf = (): number => crossEntropy(tiny, forward(tiny, p, tokens), mask, 1).loss;
  const cache = forward(tiny, p, tokens);
  const { dlogits } = crossEntropy(tiny, cache, mask, 1);
  const grads = zerosLike(p);
  backward(tiny, p, cache, dlogits, grads);
  const gradTensors = namedTensors(grads);
  let checked = 0;
  namedTensors(p).forEach(([name, t], k) => {
    const g = gradTensors[k]![1];
    // A few entries per tensor, spread over the tensor.
    for (let i = 0; i < t.length; i += Math.max(1, Math.floor(t.length / 5))) {
      const old = t[i]!;
      const h = 1e-5;
      t[i] = old + h;
      const up = lossOf();
      t[i] = old - h;
      const down = lossOf();
      t[i] = old;
      const numeric = (up - down) / (2 * h);
      const analytic = g[i]!;
      const err = Math.abs(numeric - analytic) / Math.max(1e-6, Math.abs(numeric) + Math.abs(analytic));
      assert.ok(err < 1e-5 || Math.abs(numeric - analytic) < 1e-9, `${name}[${i}]: analytic ${analytic} vs numeric ${numeric}`);
      checked++;
    }
  });
  assert.ok(checked > 80);
});

test('initialisation is deterministic for a seed', () => {
  const a = namedTensors(initTransformer(tiny, 9)).map(([, t]) => Array.from(t));
  const b = namedTensors(initTransformer(tiny, 9)).map(([, t]) => Array.from(t));
  const c = namedTensors(initTransformer(tiny, 10)).map(([, t]) => Array.from(t));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('causality: logits at position t do not depend on later tokens', () => {
  const p = initTransformer(tiny, 4);
  const a = forward(tiny, p, [1, 2, 3, 4]).logits.slice(0, 2 * tiny.vocabSize);
  const b = forward(tiny, p, [1, 2, 6, 0]).logits.slice(0, 2 * tiny.vocabSize);
  assert.deepEqual(Array.from(a), Array.from(b));
});
