/**
 * Random Llama weights from a seed (whitepaper §2.2.6): the generated models of the import tests and of
 * `bench/llm.ts` (the ~100M-parameter speed model). Gaussian N(0, std²) matrices with std = 1/√in (activations keep
 * their scale through the layers, so logits are not degenerate), norms ≈ 1.
 */
import { SeededRandom } from '../../common/clock.ts';
import { gaussian } from '../train/float-transformer.ts';
import { layerShapes, type LlamaConfig, type LlamaLayerWeights, type LlamaWeights } from './llama-config.ts';

function randn(rng: SeededRandom, n: number, std: number, mean = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = mean + gaussian(rng) * std;
  return a;
}

export function randomLlamaWeights(config: LlamaConfig, seed: number): LlamaWeights {
  const rng = new SeededRandom(seed);
  const shapes = layerShapes(config);
  const layers: LlamaLayerWeights[] = [];
  for (let l = 0; l < config.layers; l++) {
    const L = {} as LlamaLayerWeights;
    for (const key of Object.keys(shapes) as (keyof LlamaLayerWeights)[]) {
      const [rows, cols] = shapes[key];
      L[key] = rows === 1 ? randn(rng, cols, 0.1, 1) : randn(rng, rows * cols, 1 / Math.sqrt(cols));
    }
    layers.push(L);
  }
  const w: LlamaWeights = {
    config,
    // std 1 rows for a separate head's input; 1/√d when the head is tied, so logits stay O(1) as for the matrices
    tokenEmbedding: randn(rng, config.vocabSize * config.dim, config.tiedEmbeddings ? 1 / Math.sqrt(config.dim) : 1),
    layers,
    outputNorm: randn(rng, config.dim, 0.1, 1),
  };
  if (!config.tiedEmbeddings) w.output = randn(rng, config.vocabSize * config.dim, 1 / Math.sqrt(config.dim));
  return w;
}
