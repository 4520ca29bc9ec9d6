/**
 * Converts a float MLP (float-mlp.ts) into the engine's integer graph: the feed-forward net of whitepaper
 * §2.2.5, where every neuron is one reduction Σ w·x + b over its incoming links followed by one element-wise
 * activation (DESIGN.md §1.7).
 *
 *   x        = vector(n0)                                           int8 input at scale sIn
 *   per hidden layer i:
 *     acc_i  = matvec(W_i, h_i) + b_i                               int32, row r at scale s_h·s_w[r]
 *     h_i+1  = requant(acc_i) clamped to [0, 127]                   int8: the ReLU is the clamp's lower bound
 *   logits   = requant(matvec(W_last, h) + b_last) to one scale     int32
 *   class    = argmax(logits)                                      the output node
 * Weights: symmetric int8 with a per-row scale; activation scales from calibration (max over training inputs).
 */
import type { Model } from '../graph.ts';
import type { BuilderMeta } from '../builder.ts';
import { mlpForward, type MlpParams } from './float-mlp.ts';
import { quantizeRows, rowScales, roundHalfAway } from './fake-quant.ts';
import { GraphBuilder } from '../builder.ts';
import { fixedPoint } from './fixed-point.ts';

/** Largest post-ReLU activation of each hidden layer over `inputs` (float, already divided by the input scale). */
export function calibrateMlp(p: MlpParams, inputs: ArrayLike<number>[]): number[] {
  const maxima = new Array<number>(p.weights.length - 1).fill(0);
  for (const x of inputs) {
    const acts = mlpForward(p, x);
    for (let i = 0; i < maxima.length; i++) maxima[i] = Math.max(maxima[i]!, ...acts[i + 1]!);
  }
  return maxima;
}

/**
 * The integer graph of `p`. `inputScale` is the real value of one int8 input step (1/127 for pixels in [0, 1]);
 * `hiddenMax` the calibrated activation maxima; `headroom` widens them (> 1).
 */
export function quantizeMlp(p: MlpParams, inputScale: number, hiddenMax: number[], meta: BuilderMeta, headroom = 1.1): Model {
  const g = new GraphBuilder(meta);
  let x = g.node('vector', p.sizes[0]!, {}, 'input');
  let sX = inputScale;
  const last = p.weights.length - 1;
  p.weights.forEach((w, i) => {
    const nIn = p.sizes[i]!;
    const nOut = p.sizes[i + 1]!;
    const sw = rowScales(w, nOut, nIn);
    const q = quantizeRows(w, nOut, nIn, sw);
    const accScales = Array.from(sw, (s) => s * sX);
    const bias = g.tensorI32(accScales.map((s, r) => roundHalfAway(p.biases[i]![r]! / s)));
    const acc = g.node('matvec', nOut, { a: x, w0: g.tensorI8(q), w1: bias }, i === last ? 'logits.acc' : `layer${i}.acc`);
    if (i < last) {
      const sH = (hiddenMax[i]! * headroom) / 127;
      const { m, shift } = fixedPoint(accScales.map((s) => s / sH));
      x = g.node('requant', nOut, { a: acc, w0: g.tensorI32(m), p: [0, shift, 0, 127] }, `layer${i}.relu`);
      sX = sH;
    } else {
      // Rows have different scales: bring them to one (2^-12 of the smallest) before comparing.
      const sLogit = Math.min(...accScales) / 4096;
      const { m, shift } = fixedPoint(accScales.map((s) => s / sLogit));
      x = g.node('requant', nOut, { a: acc, w0: g.tensorI32(m), p: [0, shift, -(2 ** 30), 2 ** 30] }, 'logits');
    }
  });
  const out = g.node('argmax', 1, { a: x, p: [p.sizes.at(-1)!] }, 'class');
  g.output(out);
  return g.toModel();
}
