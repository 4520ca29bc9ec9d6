/**
 * A small decoder-only transformer in plain TypeScript with hand-written backprop: the float model the project
 * trains before converting it to the integer engine (whitepaper §2.2.6 "execution is deterministic"; DESIGN.md §1.7).
 *
 * Architecture (pre-norm, GPT-style, every choice picked to integerise cleanly):
 *   x = tokEmb[tok] + posEmb[t]
 *   per layer:  x += Wo · attn(RMSNorm(x; g1))          causal multi-head, no biases
 *               x += W2 · relu(W1 · RMSNorm(x; g2) + b1) + b2
 *   logits = Wout · RMSNorm(x; gf)                       separate (untied) head, no bias
 * RMSNorm (no mean subtraction) and ReLU need no tables; softmax is the only exp.
 *
 * Matrices are row-major (out, in) — y = W x — so rows are the engine's output channels (per-row int8 scales).
 * Everything is Float64Array: JavaScript computes in doubles anyway, and double storage lets the gradient test
 * use tight tolerances. Deterministic: no Math.random; initialisation draws from a seeded `SeededRandom`.
 */
import { SeededRandom } from '../../common/clock.ts';
import { InvalidArgumentError } from '../../common/errors.ts';

export interface TransformerConfig {
  vocabSize: number;
  /** Maximum sequence length (tokens), = rows of the position embedding. */
  context: number;
  dModel: number;
  heads: number;
  layers: number;
  /** MLP hidden width. */
  hidden: number;
}

/** RMSNorm epsilon, added to mean(x²): keeps 1/rms finite for an all-zero row. */
export const RMS_EPS = 1e-5;

export interface LayerParams {
  g1: Float64Array; // (d)
  wq: Float64Array; // (d, d)
  wk: Float64Array; // (d, d)
  wv: Float64Array; // (d, d)
  wo: Float64Array; // (d, d)
  g2: Float64Array; // (d)
  w1: Float64Array; // (hidden, d)
  b1: Float64Array; // (hidden)
  w2: Float64Array; // (d, hidden)
  b2: Float64Array; // (d)
}

export interface TransformerParams {
  tokEmb: Float64Array; // (vocab, d)
  posEmb: Float64Array; // (context, d)
  layers: LayerParams[];
  gf: Float64Array; // (d)
  wout: Float64Array; // (vocab, d)
}

/** Every tensor of `p` with a stable name, in a fixed order (optimiser state, checkpoints, gradient checks). */
export function namedTensors(p: TransformerParams): Array<[string, Float64Array]> {
  const out: Array<[string, Float64Array]> = [
    ['tokEmb', p.tokEmb],
    ['posEmb', p.posEmb],
  ];
  p.layers.forEach((l, i) => {
    for (const k of ['g1', 'wq', 'wk', 'wv', 'wo', 'g2', 'w1', 'b1', 'w2', 'b2'] as const) out.push([`layers.${i}.${k}`, l[k]]);
  });
  out.push(['gf', p.gf], ['wout', p.wout]);
  return out;
}

export function parameterCount(p: TransformerParams): number {
  return namedTensors(p).reduce((n, [, t]) => n + t.length, 0);
}

export function validateConfig(c: TransformerConfig): void {
  for (const k of ['vocabSize', 'context', 'dModel', 'heads', 'layers', 'hidden'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1 || c[k] > 4096) throw new InvalidArgumentError(`config.${k}`, 'must be an integer in [1, 4096]');
  }
  if (c.dModel % c.heads !== 0) throw new InvalidArgumentError('config.heads', 'must divide dModel');
}

/** Standard normal draw (Box–Muller) from a seeded generator. */
export function gaussian(rng: SeededRandom): number {
  const u1 = (rng.nextU32() + 1) / 4294967297; // (0, 1]: log is finite
  const u2 = rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function randn(rng: SeededRandom, n: number, std: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = gaussian(rng) * std;
  return a;
}

/** Fresh parameters: N(0, 1/fan_in) weights, residual outputs scaled down by √(2·layers), unit gains, zero biases. */
export function initTransformer(c: TransformerConfig, seed: number): TransformerParams {
  validateConfig(c);
  const rng = new SeededRandom(seed);
  const d = c.dModel;
  const resid = 1 / Math.sqrt(2 * c.layers);
  const layers: LayerParams[] = [];
  for (let l = 0; l < c.layers; l++) {
    layers.push({
      g1: new Float64Array(d).fill(1),
      wq: randn(rng, d * d, 1 / Math.sqrt(d)),
      wk: randn(rng, d * d, 1 / Math.sqrt(d)),
      wv: randn(rng, d * d, 1 / Math.sqrt(d)),
      wo: randn(rng, d * d, resid / Math.sqrt(d)),
      g2: new Float64Array(d).fill(1),
      w1: randn(rng, c.hidden * d, 1 / Math.sqrt(d)),
      b1: new Float64Array(c.hidden),
      w2: randn(rng, d * c.hidden, resid / Math.sqrt(c.hidden)),
      b2: new Float64Array(d),
    });
  }
  return {
    tokEmb: randn(rng, c.vocabSize * d, 0.5),
    posEmb: randn(rng, c.context * d, 0.5),
    layers,
    gf: new Float64Array(d).fill(1),
    wout: randn(rng, c.vocabSize * d, 1 / Math.sqrt(d)),
  };
}

export function zerosLike(p: TransformerParams): TransformerParams {
  const z = (a: Float64Array): Float64Array => new Float64Array(a.length);
  return {
    tokEmb: z(p.tokEmb),
    posEmb: z(p.posEmb),
    layers: p.layers.map((l) => ({
      g1: z(l.g1), wq: z(l.wq), wk: z(l.wk), wv: z(l.wv), wo: z(l.wo), g2: z(l.g2), w1: z(l.w1), b1: z(l.b1), w2: z(l.w2), b2: z(l.b2),
    })),
    gf: z(p.gf),
    wout: z(p.wout),
  };
}

// ---- dense helpers. x (n, inD) row-major; W (outD, inD) row-major. ----

/** y (n, outD) = x W^T (+ b). */
function matmulT(x: Float64Array, n: number, inD: number, w: Float64Array, outD: number, b?: Float64Array): Float64Array {
  const y = new Float64Array(n * outD);
  for (let t = 0; t < n; t++) {
    const xo = t * inD;
    for (let o = 0; o < outD; o++) {
      const wo = o * inD;
      let s = b === undefined ? 0 : b[o]!;
      for (let i = 0; i < inD; i++) s += x[xo + i]! * w[wo + i]!;
      y[t * outD + o] = s;
    }
  }
  return y;
}

/** Backward of y = x W^T: dx += dy W, dW += dy^T x (db += Σ dy). */
function matmulTBackward(
  dy: Float64Array, x: Float64Array, n: number, inD: number, w: Float64Array, outD: number,
  dx: Float64Array, dw: Float64Array, db?: Float64Array,
): void {
  for (let t = 0; t < n; t++) {
    const xo = t * inD;
    for (let o = 0; o < outD; o++) {
      const g = dy[t * outD + o]!;
      if (g === 0) continue;
      const wo = o * inD;
      for (let i = 0; i < inD; i++) {
        dx[xo + i] = dx[xo + i]! + g * w[wo + i]!;
        dw[wo + i] = dw[wo + i]! + g * x[xo + i]!;
      }
      if (db !== undefined) db[o] = db[o]! + g;
    }
  }
}

/** RMSNorm rows of x (n, d) with gain g: returns y and the per-row 1/rms. */
function rmsnorm(x: Float64Array, n: number, d: number, g: Float64Array): { y: Float64Array; inv: Float64Array } {
  const y = new Float64Array(n * d);
  const inv = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[t * d + i]! ** 2;
    const r = 1 / Math.sqrt(ss / d + RMS_EPS);
    inv[t] = r;
    for (let i = 0; i < d; i++) y[t * d + i] = x[t * d + i]! * r * g[i]!;
  }
  return { y, inv };
}

function rmsnormBackward(dy: Float64Array, x: Float64Array, inv: Float64Array, n: number, d: number, g: Float64Array, dx: Float64Array, dg: Float64Array): void {
  for (let t = 0; t < n; t++) {
    const r = inv[t]!;
    // y_i = x_i r g_i, r = (mean x² + eps)^-1/2 → dx_i = r g_i dy_i − x_i r³/d Σ_j dy_j g_j x_j
    let dot = 0;
    for (let i = 0; i < d; i++) {
      const xi = x[t * d + i]!;
      const dyi = dy[t * d + i]!;
      dot += dyi * g[i]! * xi;
      dg[i] = dg[i]! + dyi * xi * r;
    }
    const k = (r * r * r * dot) / d;
    for (let i = 0; i < d; i++) dx[t * d + i] = dx[t * d + i]! + r * g[i]! * dy[t * d + i]! - x[t * d + i]! * k;
  }
}

interface LayerCache {
  xIn: Float64Array;
  h1: Float64Array; inv1: Float64Array;
  q: Float64Array; k: Float64Array; v: Float64Array;
  att: Float64Array; // (heads, n, n) softmax probabilities, zero above the diagonal
  o: Float64Array; // (n, d) concatenated head outputs
  xMid: Float64Array;
  h2: Float64Array; inv2: Float64Array;
  u: Float64Array; // (n, hidden) pre-ReLU
  a: Float64Array; // (n, hidden) post-ReLU
}

export interface ForwardCache {
  tokens: ArrayLike<number>;
  n: number;
  layers: LayerCache[];
  xFinal: Float64Array;
  hf: Float64Array; invf: Float64Array;
  logits: Float64Array; // (n, vocab)
}

/** Forward pass over one sequence (n ≤ context tokens). Logits row t predicts token t+1. */
export function forward(c: TransformerConfig, p: TransformerParams, tokens: ArrayLike<number>): ForwardCache {
  const n = tokens.length;
  const d = c.dModel;
  if (n < 1 || n > c.context) throw new InvalidArgumentError('tokens', `length ${n} not in [1, ${c.context}]`);
  let x = new Float64Array(n * d);
  for (let t = 0; t < n; t++) {
    const id = tokens[t]!;
    if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize) throw new InvalidArgumentError('tokens', `id ${id} out of range`);
    for (let i = 0; i < d; i++) x[t * d + i] = p.tokEmb[id * d + i]! + p.posEmb[t * d + i]!;
  }
  const H = c.heads;
  const dh = d / H;
  const scale = 1 / Math.sqrt(dh);
  const caches: LayerCache[] = [];
  for (const L of p.layers) {
    const xIn = x;
    const { y: h1, inv: inv1 } = rmsnorm(xIn, n, d, L.g1);
    const q = matmulT(h1, n, d, L.wq, d);
    const k = matmulT(h1, n, d, L.wk, d);
    const v = matmulT(h1, n, d, L.wv, d);
    const att = new Float64Array(H * n * n);
    const o = new Float64Array(n * d);
    for (let h = 0; h < H; h++) {
      const off = h * dh;
      for (let t = 0; t < n; t++) {
        const row = (h * n + t) * n;
        let max = -Infinity;
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let i = 0; i < dh; i++) dot += q[t * d + off + i]! * k[s * d + off + i]!;
          dot *= scale;
          att[row + s] = dot;
          if (dot > max) max = dot;
        }
        let sum = 0;
        for (let s = 0; s <= t; s++) {
          const e = Math.exp(att[row + s]! - max);
          att[row + s] = e;
          sum += e;
        }
        for (let s = 0; s <= t; s++) {
          const pr = att[row + s]! / sum;
          att[row + s] = pr;
          for (let i = 0; i < dh; i++) o[t * d + off + i] = o[t * d + off + i]! + pr * v[s * d + off + i]!;
        }
      }
    }
    const proj = matmulT(o, n, d, L.wo, d);
    const xMid = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) xMid[i] = xIn[i]! + proj[i]!;
    const { y: h2, inv: inv2 } = rmsnorm(xMid, n, d, L.g2);
    const u = matmulT(h2, n, d, L.w1, c.hidden, L.b1);
    const a = new Float64Array(u.length);
    for (let i = 0; i < u.length; i++) a[i] = u[i]! > 0 ? u[i]! : 0;
    const m = matmulT(a, n, c.hidden, L.w2, d, L.b2);
    const xOut = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) xOut[i] = xMid[i]! + m[i]!;
    caches.push({ xIn, h1, inv1, q, k, v, att, o, xMid, h2, inv2, u, a });
    x = xOut;
  }
  const { y: hf, inv: invf } = rmsnorm(x, n, d, p.gf);
  const logits = matmulT(hf, n, d, p.wout, c.vocabSize);
  return { tokens, n, layers: caches, xFinal: x, hf, invf, logits };
}

/**
 * Cross-entropy of `cache.logits` against next tokens, on positions t where `mask[t]` (predicting tokens[t+1]).
 * Returns the summed loss and writes dLoss/dlogits (scaled by `weight`) — the caller divides by the batch's
 * target count through `weight`.
 */
export function crossEntropy(c: TransformerConfig, cache: ForwardCache, mask: ArrayLike<boolean>, weight: number): { loss: number; dlogits: Float64Array; correct: number; count: number } {
  const V = c.vocabSize;
  const dlogits = new Float64Array(cache.n * V);
  let loss = 0;
  let correct = 0;
  let count = 0;
  for (let t = 0; t + 1 < cache.n; t++) {
    if (!mask[t]) continue;
    const target = cache.tokens[t + 1]!;
    let max = -Infinity;
    let arg = 0;
    for (let j = 0; j < V; j++) {
      const z = cache.logits[t * V + j]!;
      if (z > max) { max = z; arg = j; }
    }
    let sum = 0;
    for (let j = 0; j < V; j++) sum += Math.exp(cache.logits[t * V + j]! - max);
    loss += Math.log(sum) + max - cache.logits[t * V + target]!;
    for (let j = 0; j < V; j++) dlogits[t * V + j] = (weight * Math.exp(cache.logits[t * V + j]! - max)) / sum;
    dlogits[t * V + target] = dlogits[t * V + target]! - weight;
    if (arg === target) correct++;
    count++;
  }
  return { loss, dlogits, correct, count };
}

/** Accumulates gradients of the loss whose dlogits is given into `grads`. */
export function backward(c: TransformerConfig, p: TransformerParams, cache: ForwardCache, dlogits: Float64Array, grads: TransformerParams): void {
  const n = cache.n;
  const d = c.dModel;
  const H = c.heads;
  const dh = d / H;
  const scale = 1 / Math.sqrt(dh);
  const dhf = new Float64Array(n * d);
  matmulTBackward(dlogits, cache.hf, n, d, p.wout, c.vocabSize, dhf, grads.wout);
  let dx = new Float64Array(n * d);
  rmsnormBackward(dhf, cache.xFinal, cache.invf, n, d, p.gf, dx, grads.gf);
  for (let l = c.layers - 1; l >= 0; l--) {
    const L = p.layers[l]!;
    const G = grads.layers[l]!;
    const C = cache.layers[l]!;
    // MLP branch: xOut = xMid + W2 relu(W1 h2 + b1) + b2
    const da = new Float64Array(n * c.hidden);
    matmulTBackward(dx, C.a, n, c.hidden, L.w2, d, da, G.w2, G.b2);
    for (let i = 0; i < da.length; i++) if (C.u[i]! <= 0) da[i] = 0;
    const dh2 = new Float64Array(n * d);
    matmulTBackward(da, C.h2, n, d, L.w1, c.hidden, dh2, G.w1, G.b1);
    const dxMid = dx.slice();
    rmsnormBackward(dh2, C.xMid, C.inv2, n, d, L.g2, dxMid, G.g2);
    // attention branch: xMid = xIn + Wo o
    const dO = new Float64Array(n * d);
    matmulTBackward(dxMid, C.o, n, d, L.wo, d, dO, G.wo);
    const dq = new Float64Array(n * d);
    const dk = new Float64Array(n * d);
    const dv = new Float64Array(n * d);
    for (let h = 0; h < H; h++) {
      const off = h * dh;
      for (let t = 0; t < n; t++) {
        const row = (h * n + t) * n;
        // dP_s = dO_t · v_s ; dS_s = P_s (dP_s − Σ P dP)
        let dot = 0;
        const dP = new Float64Array(t + 1);
        for (let s = 0; s <= t; s++) {
          let g = 0;
          for (let i = 0; i < dh; i++) g += dO[t * d + off + i]! * C.v[s * d + off + i]!;
          dP[s] = g;
          dot += g * C.att[row + s]!;
          const pr = C.att[row + s]!;
          for (let i = 0; i < dh; i++) dv[s * d + off + i] = dv[s * d + off + i]! + pr * dO[t * d + off + i]!;
        }
        for (let s = 0; s <= t; s++) {
          const dS = C.att[row + s]! * (dP[s]! - dot) * scale;
          if (dS === 0) continue;
          for (let i = 0; i < dh; i++) {
            dq[t * d + off + i] = dq[t * d + off + i]! + dS * C.k[s * d + off + i]!;
            dk[s * d + off + i] = dk[s * d + off + i]! + dS * C.q[t * d + off + i]!;
          }
        }
      }
    }
    const dh1 = new Float64Array(n * d);
    matmulTBackward(dq, C.h1, n, d, L.wq, d, dh1, G.wq);
    matmulTBackward(dk, C.h1, n, d, L.wk, d, dh1, G.wk);
    matmulTBackward(dv, C.h1, n, d, L.wv, d, dh1, G.wv);
    const dxIn = dxMid.slice();
    rmsnormBackward(dh1, C.xIn, C.inv1, n, d, L.g1, dxIn, G.g1);
    dx = dxIn;
  }
  for (let t = 0; t < n; t++) {
    const id = cache.tokens[t]!;
    for (let i = 0; i < d; i++) {
      grads.tokEmb[id * d + i] = grads.tokEmb[id * d + i]! + dx[t * d + i]!;
      grads.posEmb[t * d + i] = grads.posEmb[t * d + i]! + dx[t * d + i]!;
    }
  }
}

/** Greedy decoding in float: appends argmax tokens until `eosId` or `maxNew` tokens; returns the new tokens. */
export function generateGreedy(c: TransformerConfig, p: TransformerParams, prompt: readonly number[], maxNew: number, eosId: number): number[] {
  const seq = prompt.slice();
  const out: number[] = [];
  while (out.length < maxNew && seq.length < c.context) {
    const { logits, n } = forward(c, p, seq);
    let best = 0;
    for (let j = 1; j < c.vocabSize; j++) if (logits[(n - 1) * c.vocabSize + j]! > logits[(n - 1) * c.vocabSize + best]!) best = j;
    if (best === eosId) break;
    out.push(best);
    seq.push(best);
  }
  return out;
}
