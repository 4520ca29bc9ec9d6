/**
 * A float multilayer perceptron with ReLU and hand-written backprop: the feed-forward net of whitepaper §2.2.5
 * ("every neuron receives the sum of incoming weights times the values of the neurons before, applies the
 * activation function"), trained here before conversion to the integer engine (DESIGN.md §1.7).
 *
 *   h_0 = x;  h_{i+1} = relu(W_i h_i + b_i) for hidden layers;  logits = W_last h + b_last
 * W_i is row-major (out, in). Float64Array throughout (see float-transformer.ts for why).
 */
import { SeededRandom } from '../../common/clock.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import { gaussian } from './float-transformer.ts';

export interface MlpParams {
  /** Layer widths, input first: e.g. [64, 128, 64, 10]. */
  sizes: number[];
  /** W_i (sizes[i+1], sizes[i]). */
  weights: Float64Array[];
  /** b_i (sizes[i+1]). */
  biases: Float64Array[];
}

export function initMlp(sizes: number[], seed: number): MlpParams {
  if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s >= 1 && s <= 1 << 16)) throw new InvalidArgumentError('sizes', 'need ≥ 2 integer widths in [1, 65536]');
  const rng = new SeededRandom(seed);
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const [nIn, nOut] = [sizes[i]!, sizes[i + 1]!];
    const w = new Float64Array(nOut * nIn);
    const std = Math.sqrt(2 / nIn); // He initialisation for ReLU
    for (let k = 0; k < w.length; k++) w[k] = gaussian(rng) * std;
    weights.push(w);
    biases.push(new Float64Array(nOut));
  }
  return { sizes: sizes.slice(), weights, biases };
}

/** Activations of every layer for input x: acts[0] = x, acts[i] post-ReLU, last = logits (no ReLU). */
export function mlpForward(p: MlpParams, x: ArrayLike<number>): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(x)];
  const last = p.weights.length - 1;
  p.weights.forEach((w, i) => {
    const nIn = p.sizes[i]!;
    const nOut = p.sizes[i + 1]!;
    const h = acts[i]!;
    const y = new Float64Array(nOut);
    for (let o = 0; o < nOut; o++) {
      let s = p.biases[i]![o]!;
      for (let k = 0; k < nIn; k++) s += w[o * nIn + k]! * h[k]!;
      y[o] = i === last || s > 0 ? s : 0;
    }
    acts.push(y);
  });
  return acts;
}

/** Softmax cross-entropy of the logits against `label`; accumulates gradients (× weight) into `grads`. */
export function mlpBackward(p: MlpParams, acts: Float64Array[], label: number, weight: number, grads: MlpParams): { loss: number; correct: boolean } {
  const logits = acts[acts.length - 1]!;
  let max = -Infinity;
  let arg = 0;
  logits.forEach((z, j) => {
    if (z > max) { max = z; arg = j; }
  });
  let sum = 0;
  for (const z of logits) sum += Math.exp(z - max);
  const loss = Math.log(sum) + max - logits[label]!;
  let dy = Float64Array.from(logits, (z) => (weight * Math.exp(z - max)) / sum);
  dy[label] = dy[label]! - weight;
  for (let i = p.weights.length - 1; i >= 0; i--) {
    const nIn = p.sizes[i]!;
    const nOut = p.sizes[i + 1]!;
    const h = acts[i]!;
    const w = p.weights[i]!;
    const gw = grads.weights[i]!;
    const gb = grads.biases[i]!;
    const dh = new Float64Array(nIn);
    for (let o = 0; o < nOut; o++) {
      const g = dy[o]!;
      if (g === 0) continue;
      gb[o] = gb[o]! + g;
      for (let k = 0; k < nIn; k++) {
        gw[o * nIn + k] = gw[o * nIn + k]! + g * h[k]!;
        dh[k] = dh[k]! + g * w[o * nIn + k]!;
      }
    }
    if (i > 0) for (let k = 0; k < nIn; k++) if (h[k]! <= 0) dh[k] = 0; // ReLU of layer i−1's output
    dy = dh;
  }
  return { loss, correct: arg === label };
}

export function zerosLikeMlp(p: MlpParams): MlpParams {
  return { sizes: p.sizes.slice(), weights: p.weights.map((w) => new Float64Array(w.length)), biases: p.biases.map((b) => new Float64Array(b.length)) };
}

export function mlpParameterCount(p: MlpParams): number {
  return p.weights.reduce((n, w) => n + w.length, 0) + p.biases.reduce((n, b) => n + b.length, 0);
}

/** argmax of the float logits. */
export function mlpPredict(p: MlpParams, x: ArrayLike<number>): number {
  const logits = mlpForward(p, x).at(-1)!;
  let best = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
  return best;
}
