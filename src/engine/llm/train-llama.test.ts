import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../common/clock.ts';
import { FloatLlama } from './float-llama.ts';
import type { LlamaConfig } from './llama-config.ts';
import { backward, crossEntropy, forward, initParams, namedParams, toLlamaWeights, zerosLike } from './train-llama.ts';

const config: LlamaConfig = { vocabSize: 23, dim: 16, layers: 2, heads: 2, kvHeads: 2, hiddenDim: 24, contextLength: 8, normEps: 1e-5, ropeTheta: 10_000, tiedEmbeddings: false };
const tokens = [1, 5, 9, 22, 0, 7, 3];

test('the trainer forward pass equals the float reference (float-llama.ts, the same architecture as llama.cpp)', () => {
  const p = initParams(config, 3);
  const cache = forward(config, p, tokens);
  const f = new FloatLlama(toLlamaWeights(config, p));
  tokens.forEach((t, i) => {
    const ref = f.step(t);
    for (let j = 0; j < config.vocabSize; j++) assert.ok(Math.abs(ref[j]! - cache.logits[i * config.vocabSize + j]!) < 1e-4, `pos ${i} logit ${j}`);
  });
});

test('hand-written gradients match finite differences for every tensor (rotary, SwiGLU, RMSNorm gains)', () => {
  const p = initParams(config, 5);
  const rng = new SeededRandom(9);
  // perturb the gains so their gradients are not symmetric
  for (const [name, t] of namedParams(p)) if (/Norm/.test(name)) for (let i = 0; i < t.length; i++) t[i] = 1 + (rng.nextFloat() - 0.5) * 0.4;
  const loss = (): number => crossEntropy(config, forward(config, p, tokens), 1).loss;
  const cache = forward(config, p, tokens);
  const g = zerosLike(p);
  backward(config, p, cache, crossEntropy(config, cache, 1).dlogits, g);
  const grads = new Map(namedParams(g));
  for (const [name, t] of namedParams(p)) {
    for (let k = 0; k < 3; k++) {
      const i = rng.nextU32() % t.length;
      const old = t[i]!;
      const h = 1e-5;
      t[i] = old + h;
      const up = loss();
      t[i] = old - h;
      const down = loss();
      t[i] = old;
      const numeric = (up - down) / (2 * h);
      const analytic = grads.get(name)![i]!;
      assert.ok(Math.abs(numeric - analytic) <= 1e-5 + 1e-4 * Math.abs(numeric), `${name}[${i}]: numeric ${numeric} analytic ${analytic}`);
    }
  }
});
