/**
 * A small Llama-architecture decoder in plain TypeScript with hand-written backprop: the float model of the
 * shipped English model, trained here and then exported as GGUF and imported into the integer engine (whitepaper
 * §2.2.6; docs/llm.md). Same architecture as `float-llama.ts` (RMSNorm with gains, rotary pairs, causal multi-head
 * attention, SwiGLU MLP, separate output head, no biases), over a whole sequence at once, in float64.
 *
 * Matrices are row-major (out, in). Deterministic: initialisation from a seeded `SeededRandom`, no Math.random.
 */
import { SeededRandom } from '../../common/clock.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import { gaussian } from '../train/float-transformer.ts';
import type { LlamaConfig, LlamaWeights } from './llama-config.ts';
import { layerShapes } from './llama-config.ts';

export interface TrainLayer {
  attnNorm: Float64Array;
  wq: Float64Array;
  wk: Float64Array;
  wv: Float64Array;
  wo: Float64Array;
  ffnNorm: Float64Array;
  wGate: Float64Array;
  wUp: Float64Array;
  wDown: Float64Array;
}

export interface TrainParams {
  tokEmb: Float64Array; // (vocab, d)
  layers: TrainLayer[];
  outNorm: Float64Array; // (d)
  out: Float64Array; // (vocab, d)
}

const LAYER_KEYS = ['attnNorm', 'wq', 'wk', 'wv', 'wo', 'ffnNorm', 'wGate', 'wUp', 'wDown'] as const;

export function namedParams(p: TrainParams): [string, Float64Array][] {
  const out: [string, Float64Array][] = [['tokEmb', p.tokEmb]];
  p.layers.forEach((L, i) => {
    for (const k of LAYER_KEYS) out.push([`layers.${i}.${k}`, L[k]]);
  });
  out.push(['outNorm', p.outNorm], ['out', p.out]);
  return out;
}

export function initParams(c: LlamaConfig, seed: number): TrainParams {
  if (c.kvHeads !== c.heads) throw new InvalidArgumentError('kvHeads', 'the trainer is multi-head only');
  const rng = new SeededRandom(seed);
  const randn = (n: number, std: number): Float64Array => Float64Array.from({ length: n }, () => gaussian(rng) * std);
  const shapes = layerShapes(c);
  const resid = 1 / Math.sqrt(2 * c.layers); // GPT-2's scaled init of the residual projections
  const layers = Array.from({ length: c.layers }, () => {
    const L = {} as TrainLayer;
    for (const k of LAYER_KEYS) {
      const [rows, cols] = shapes[k];
      L[k] = rows === 1 ? new Float64Array(cols).fill(1) : randn(rows * cols, (k === 'wo' || k === 'wDown' ? resid : 1) / Math.sqrt(cols));
    }
    return L;
  });
  return { tokEmb: randn(c.vocabSize * c.dim, 1), layers, outNorm: new Float64Array(c.dim).fill(1), out: randn(c.vocabSize * c.dim, 1 / Math.sqrt(c.dim)) };
}

export function zerosLike(p: TrainParams): TrainParams {
  const z = (a: Float64Array) => new Float64Array(a.length);
  return { tokEmb: z(p.tokEmb), layers: p.layers.map((L) => Object.fromEntries(LAYER_KEYS.map((k) => [k, z(L[k])])) as unknown as TrainLayer), outNorm: z(p.outNorm), out: z(p.out) };
}

export function toLlamaWeights(c: LlamaConfig, p: TrainParams): LlamaWeights {
  const f = (a: Float64Array) => Float32Array.from(a);
  return { config: c, tokenEmbedding: f(p.tokEmb), layers: p.layers.map((L) => Object.fromEntries(LAYER_KEYS.map((k) => [k, f(L[k])])) as never), outputNorm: f(p.outNorm), output: f(p.out) };
}

// ---- dense helpers: x (n, inD), W (outD, inD) ----
function matmulT(x: Float64Array, n: number, inD: number, w: Float64Array, outD: number): Float64Array {
  const y = new Float64Array(n * outD);
  for (let t = 0; t < n; t++) {
    const xo = t * inD;
    for (let o = 0; o < outD; o++) {
      const wo = o * inD;
      let s = 0;
      for (let i = 0; i < inD; i++) s += x[xo + i]! * w[wo + i]!;
      y[t * outD + o] = s;
    }
  }
  return y;
}

function matmulTBackward(dy: Float64Array, x: Float64Array, n: number, inD: number, w: Float64Array, outD: number, dx: Float64Array, dw: Float64Array): void {
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
    }
  }
}

function rmsnorm(x: Float64Array, n: number, d: number, g: Float64Array, eps: number): { y: Float64Array; inv: Float64Array } {
  const y = new Float64Array(n * d);
  const inv = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[t * d + i]! ** 2;
    const r = 1 / Math.sqrt(ss / d + eps);
    inv[t] = r;
    for (let i = 0; i < d; i++) y[t * d + i] = x[t * d + i]! * r * g[i]!;
  }
  return { y, inv };
}

function rmsnormBackward(dy: Float64Array, x: Float64Array, inv: Float64Array, n: number, d: number, g: Float64Array, dx: Float64Array, dg: Float64Array): void {
  for (let t = 0; t < n; t++) {
    const r = inv[t]!;
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

/** cos/sin of position t, pair k: (n, dh/2) each. */
function ropeTables(n: number, dh: number, theta: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(n * (dh / 2));
  const sin = new Float64Array(n * (dh / 2));
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < dh / 2; k++) {
      const a = t * Math.pow(theta, (-2 * k) / dh);
      cos[t * (dh / 2) + k] = Math.cos(a);
      sin[t * (dh / 2) + k] = Math.sin(a);
    }
  }
  return { cos, sin };
}

/** Rotates pairs (2k, 2k+1) of every head of x (n, d) by ±angle (sign −1: the inverse, for the backward pass). */
function rope(x: Float64Array, n: number, d: number, dh: number, tab: { cos: Float64Array; sin: Float64Array }, sign: 1 | -1): Float64Array {
  const y = new Float64Array(x.length);
  for (let t = 0; t < n; t++) {
    for (let h = 0; h < d / dh; h++) {
      for (let k = 0; k < dh / 2; k++) {
        const c = tab.cos[t * (dh / 2) + k]!;
        const s = sign * tab.sin[t * (dh / 2) + k]!;
        const o = t * d + h * dh + 2 * k;
        y[o] = x[o]! * c - x[o + 1]! * s;
        y[o + 1] = x[o]! * s + x[o + 1]! * c;
      }
    }
  }
  return y;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

interface LayerCache {
  xIn: Float64Array; h1: Float64Array; inv1: Float64Array;
  q: Float64Array; k: Float64Array; v: Float64Array; // q, k after rotary
  att: Float64Array; o: Float64Array;
  xMid: Float64Array; h2: Float64Array; inv2: Float64Array;
  u: Float64Array; w: Float64Array; a: Float64Array; // gate pre-activation, up, silu(u)·w
}

export interface TrainCache {
  tokens: ArrayLike<number>;
  n: number;
  layers: LayerCache[];
  xFinal: Float64Array; hf: Float64Array; invf: Float64Array;
  logits: Float64Array;
  tab: { cos: Float64Array; sin: Float64Array };
}

export function forward(c: LlamaConfig, p: TrainParams, tokens: ArrayLike<number>): TrainCache {
  const n = tokens.length;
  const d = c.dim;
  const H = c.heads;
  const dh = d / H;
  const F = c.hiddenDim;
  if (n < 1 || n > c.contextLength) throw new InvalidArgumentError('tokens', `length ${n} not in [1, ${c.contextLength}]`);
  const tab = ropeTables(n, dh, c.ropeTheta);
  let x = new Float64Array(n * d);
  for (let t = 0; t < n; t++) x.set(p.tokEmb.subarray(tokens[t]! * d, (tokens[t]! + 1) * d), t * d);
  const scale = 1 / Math.sqrt(dh);
  const layers: LayerCache[] = [];
  for (const L of p.layers) {
    const xIn = x;
    const { y: h1, inv: inv1 } = rmsnorm(xIn, n, d, L.attnNorm, c.normEps);
    const q = rope(matmulT(h1, n, d, L.wq, d), n, d, dh, tab, 1);
    const k = rope(matmulT(h1, n, d, L.wk, d), n, d, dh, tab, 1);
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
          att[row + s] = dot * scale;
          if (att[row + s]! > max) max = att[row + s]!;
        }
        let sum = 0;
        for (let s = 0; s <= t; s++) sum += att[row + s] = Math.exp(att[row + s]! - max);
        for (let s = 0; s <= t; s++) {
          const pr = (att[row + s] = att[row + s]! / sum);
          for (let i = 0; i < dh; i++) o[t * d + off + i] = o[t * d + off + i]! + pr * v[s * d + off + i]!;
        }
      }
    }
    const proj = matmulT(o, n, d, L.wo, d);
    const xMid = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) xMid[i] = xIn[i]! + proj[i]!;
    const { y: h2, inv: inv2 } = rmsnorm(xMid, n, d, L.ffnNorm, c.normEps);
    const u = matmulT(h2, n, d, L.wGate, F);
    const w = matmulT(h2, n, d, L.wUp, F);
    const a = new Float64Array(n * F);
    for (let i = 0; i < a.length; i++) a[i] = u[i]! * sigmoid(u[i]!) * w[i]!;
    const m = matmulT(a, n, F, L.wDown, d);
    const xOut = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) xOut[i] = xMid[i]! + m[i]!;
    layers.push({ xIn, h1, inv1, q, k, v, att, o, xMid, h2, inv2, u, w, a });
    x = xOut;
  }
  const { y: hf, inv: invf } = rmsnorm(x, n, d, p.outNorm, c.normEps);
  return { tokens, n, layers, xFinal: x, hf, invf, logits: matmulT(hf, n, d, p.out, c.vocabSize), tab };
}

/** Mean cross-entropy of next tokens (positions 0..n−2) scaled by `weight`; writes dlogits. */
export function crossEntropy(c: LlamaConfig, cache: TrainCache, weight: number): { loss: number; dlogits: Float64Array; count: number } {
  const V = c.vocabSize;
  const dlogits = new Float64Array(cache.n * V);
  let loss = 0;
  for (let t = 0; t + 1 < cache.n; t++) {
    const target = cache.tokens[t + 1]!;
    let max = -Infinity;
    for (let j = 0; j < V; j++) max = Math.max(max, cache.logits[t * V + j]!);
    let sum = 0;
    for (let j = 0; j < V; j++) sum += Math.exp(cache.logits[t * V + j]! - max);
    loss += Math.log(sum) + max - cache.logits[t * V + target]!;
    for (let j = 0; j < V; j++) dlogits[t * V + j] = (weight * Math.exp(cache.logits[t * V + j]! - max)) / sum;
    dlogits[t * V + target] = dlogits[t * V + target]! - weight;
  }
  return { loss, dlogits, count: cache.n - 1 };
}

export function backward(c: LlamaConfig, p: TrainParams, cache: TrainCache, dlogits: Float64Array, g: TrainParams): void {
  const n = cache.n;
  const d = c.dim;
  const H = c.heads;
  const dh = d / H;
  const F = c.hiddenDim;
  const scale = 1 / Math.sqrt(dh);
  const dhf = new Float64Array(n * d);
  matmulTBackward(dlogits, cache.hf, n, d, p.out, c.vocabSize, dhf, g.out);
  let dx = new Float64Array(n * d);
  rmsnormBackward(dhf, cache.xFinal, cache.invf, n, d, p.outNorm, dx, g.outNorm);
  for (let l = c.layers - 1; l >= 0; l--) {
    const L = p.layers[l]!;
    const G = g.layers[l]!;
    const C = cache.layers[l]!;
    const da = new Float64Array(n * F);
    matmulTBackward(dx, C.a, n, F, L.wDown, d, da, G.wDown);
    const du = new Float64Array(n * F);
    const dw = new Float64Array(n * F);
    for (let i = 0; i < da.length; i++) {
      const sg = sigmoid(C.u[i]!);
      dw[i] = da[i]! * C.u[i]! * sg;
      du[i] = da[i]! * C.w[i]! * sg * (1 + C.u[i]! * (1 - sg));
    }
    const dh2 = new Float64Array(n * d);
    matmulTBackward(du, C.h2, n, d, L.wGate, F, dh2, G.wGate);
    matmulTBackward(dw, C.h2, n, d, L.wUp, F, dh2, G.wUp);
    const dxMid = dx.slice();
    rmsnormBackward(dh2, C.xMid, C.inv2, n, d, L.ffnNorm, dxMid, G.ffnNorm);
    const dO = new Float64Array(n * d);
    matmulTBackward(dxMid, C.o, n, d, L.wo, d, dO, G.wo);
    const dq = new Float64Array(n * d);
    const dk = new Float64Array(n * d);
    const dv = new Float64Array(n * d);
    for (let h = 0; h < H; h++) {
      const off = h * dh;
      for (let t = 0; t < n; t++) {
        const row = (h * n + t) * n;
        let dot = 0;
        const dP = new Float64Array(t + 1);
        for (let s = 0; s <= t; s++) {
          let gg = 0;
          for (let i = 0; i < dh; i++) gg += dO[t * d + off + i]! * C.v[s * d + off + i]!;
          dP[s] = gg;
          dot += gg * C.att[row + s]!;
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
    // rotary is orthogonal: the gradient before it is the gradient after it rotated back
    const dqPre = rope(dq, n, d, dh, cache.tab, -1);
    const dkPre = rope(dk, n, d, dh, cache.tab, -1);
    const dh1 = new Float64Array(n * d);
    matmulTBackward(dqPre, C.h1, n, d, L.wq, d, dh1, G.wq);
    matmulTBackward(dkPre, C.h1, n, d, L.wk, d, dh1, G.wk);
    matmulTBackward(dv, C.h1, n, d, L.wv, d, dh1, G.wv);
    const dxIn = dxMid.slice();
    rmsnormBackward(dh1, C.xIn, C.inv1, n, d, L.attnNorm, dxIn, G.attnNorm);
    dx = dxIn;
  }
  for (let t = 0; t < n; t++) {
    const id = cache.tokens[t]!;
    for (let i = 0; i < d; i++) g.tokEmb[id * d + i] = g.tokEmb[id * d + i]! + dx[t * d + i]!;
  }
}
