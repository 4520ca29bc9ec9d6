/**
 * Converts a trained float transformer (float-transformer.ts) into an integer graph for the engine (whitepaper
 * §2.2.6: int8 weights, int32 accumulation, fixed-point requantisation, table-driven exp; DESIGN.md §1.7).
 *
 * Scales. Activation scales come from calibration (max |value| over float runs of real prompts); weights are
 * symmetric int8 with one scale per output row, undone by a per-element requant multiplier. The residual stream
 * is int32 at one fine scale sR (64× finer than int8 of its largest value) so residual adds are exact.
 *
 * One step (position t) of the graph:
 *   x    = requant(gather(tokEmb, token)) + requant(gather(posEmb, position))             int32 @ sR
 *   per layer:
 *     n1   = rmsnorm(x)                                                                    int8
 *     q,k,v = requant(matvec(W·diag(g1), n1))                                              int8 (1/√dh folded into q)
 *     s    = attn_scores(q, k@0..t)   masked slots = −2^30                                 int32 (H·C)
 *     e    = lut_exp(requant(s − rowmax(s)))   table[0] = 0 so masked slots vanish         int32
 *     p    = muldiv(e · 127 / rowsum(e))                                                   int8 in [0, 127]
 *     o    = requant(attn_mix(p, v@0..t))                                                  int8
 *     x   += requant(matvec(Wo, o))
 *     n2   = rmsnorm(x)
 *     a    = requant(matvec(W1·diag(g2), n2) + b1) clamped to [0, 127]                     int8 (ReLU folded)
 *     x   += requant(matvec(W2, a) + b2)
 *   logits = requant(matvec(Wout·diag(gf), rmsnorm(x)))  to one common scale
 *   token  = argmax(logits) (greedy), or the engine's seeded sampler (layers.ts) when the query has a seed
 * rmsnorm(x) = muldiv(x · m / isqrt(4^5 · dot(x8, x8))) with x8 = requant(x) int8 — the RMSNorm gains are folded
 * into the next matrix, so the norm itself has no table and no gain tensor.
 */
import type { Model } from '../graph.ts';
import type { BuilderMeta } from '../builder.ts';
import { INT32_MAX, INT32_MIN } from '../ops/arith.ts';
import { forward, type TransformerConfig, type TransformerParams } from './float-transformer.ts';
import { quantizeRows, rowScales, roundHalfAway } from './fake-quant.ts';
import { GraphBuilder } from '../builder.ts';
import { expTable, sampler } from '../layers.ts';
import { fixedPoint } from './fixed-point.ts';

export interface TransformerCalibration {
  /** max |residual| entering each norm: [layer0 n1, layer0 n2, layer1 n1, …, final]. */
  residual: number[];
  /** max |x / rms(x)| at each norm (gain not applied), same order. */
  normed: number[];
  q: number[];
  k: number[];
  v: number[];
  /** max |attention output| per layer, before Wo. */
  o: number[];
  /** max post-ReLU MLP activation per layer. */
  hidden: number[];
  /** max |logit|. */
  logits: number;
}

/** Runs the float model over `sequences` and records the largest magnitude at every quantisation point. */
export function calibrate(c: TransformerConfig, p: TransformerParams, sequences: number[][]): TransformerCalibration {
  const L = c.layers;
  const cal: TransformerCalibration = {
    residual: new Array<number>(2 * L + 1).fill(0), normed: new Array<number>(2 * L + 1).fill(0),
    q: new Array<number>(L).fill(0), k: new Array<number>(L).fill(0), v: new Array<number>(L).fill(0),
    o: new Array<number>(L).fill(0), hidden: new Array<number>(L).fill(0), logits: 0,
  };
  const maxAbs = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const normMax = (x: Float64Array, inv: Float64Array): number => {
    let m = 0;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! * inv[Math.floor(i / c.dModel)]!));
    return m;
  };
  for (const seq of sequences) {
    const f = forward(c, p, seq);
    f.layers.forEach((lc, l) => {
      cal.residual[2 * l] = Math.max(cal.residual[2 * l]!, maxAbs(lc.xIn));
      cal.normed[2 * l] = Math.max(cal.normed[2 * l]!, normMax(lc.xIn, lc.inv1));
      cal.residual[2 * l + 1] = Math.max(cal.residual[2 * l + 1]!, maxAbs(lc.xMid));
      cal.normed[2 * l + 1] = Math.max(cal.normed[2 * l + 1]!, normMax(lc.xMid, lc.inv2));
      cal.q[l] = Math.max(cal.q[l]!, maxAbs(lc.q) / Math.sqrt(c.dModel / c.heads));
      cal.k[l] = Math.max(cal.k[l]!, maxAbs(lc.k));
      cal.v[l] = Math.max(cal.v[l]!, maxAbs(lc.v));
      cal.o[l] = Math.max(cal.o[l]!, maxAbs(lc.o));
      cal.hidden[l] = Math.max(cal.hidden[l]!, maxAbs(lc.a));
    });
    cal.residual[2 * L] = Math.max(cal.residual[2 * L]!, maxAbs(f.xFinal));
    cal.normed[2 * L] = Math.max(cal.normed[2 * L]!, normMax(f.xFinal, f.invf));
    cal.logits = Math.max(cal.logits, maxAbs(f.logits));
  }
  return cal;
}

export interface QuantizeOptions {
  /** Resolution of the exp table's input: one int8 step is this many logit units (so the table spans −127·step … 0). */
  expStep: number;
  /** exp(0) in the table is 2^expBits: fixed-point one of the softmax numerators. */
  expBits: number;
  /** Score written into masked (future) attention slots: far below any real score so exp gives 0. */
  maskScore: number;
  /** Residual stream bound: adds clamp here (|x| ≤ 2^24, far beyond calibration, keeps every product small). */
  residualClamp: number;
  /** Residual resolution: sR = max residual / (127 · residualFineness). */
  residualFineness: number;
  /** Scale calibration maxima by this factor (> 1 leaves headroom for prompts unlike the calibration set). */
  headroom: number;
  /** Seeded sampling: logits per int8 step before the exp table (the table spans −128 steps = −16 logits). */
  sampleStep: number;
}

export const DEFAULTS: QuantizeOptions = {
  expStep: 1 / 16, // 1/16 of a logit: exp error ≤ 3% per step; table spans [−7.9, 0], exp(−7.9) ≈ 4e-4
  expBits: 15, // 15-bit numerators: a 19-slot row sums below 2^20
  maskScore: -(2 ** 30), // far below any q·k (|q·k| ≤ 16·128² = 2^18 for dh = 16)
  residualClamp: 2 ** 24, // ≥ 2000× the calibrated residual range at fineness 64
  residualFineness: 64, // int32 residual 64× finer than its int8 view: adds lose nothing that matters
  headroom: 1.1, // 10% beyond the calibrated maximum before int8 saturates
  sampleStep: 1 / 8, // probabilities within 6.5% per step; exp(−16) ≈ 1e-7 is negligible
};

/** isqrt input is 4^RMS_EXTRA_BITS · Σx8² (≤ 2^20 · 2^10 < 2^31): RMS_EXTRA_BITS more bits in the norm's divisor. */
const RMS_EXTRA_BITS = 5;

export function quantizeTransformer(
  c: TransformerConfig, p: TransformerParams, cal: TransformerCalibration, meta: BuilderMeta,
  options: Partial<QuantizeOptions> = {},
): Model {
  const o = { ...DEFAULTS, ...options };
  const d = c.dModel;
  const H = c.heads;
  const dh = d / H;
  const C = meta.contextLength;
  const g = new GraphBuilder(meta);
  const s8 = (max: number): number => (max * o.headroom) / 127;
  const sR = Math.max(...cal.residual) / (127 * o.residualFineness);

  /** int8 codes and per-row scales of W (rows, cols) after folding a gain vector into its columns. */
  const qmatrix = (w: Float64Array, rows: number, cols: number, gain?: Float64Array): { q: Int8Array; s: Float64Array } => {
    const wf = new Float64Array(w.length);
    for (let r = 0; r < rows; r++) for (let i = 0; i < cols; i++) wf[r * cols + i] = w[r * cols + i]! * (gain ? gain[i]! : 1);
    const s = rowScales(wf, rows, cols);
    return { q: quantizeRows(wf, rows, cols, s), s };
  };
  /** requant of `input` (per-element real ratios) into [lo, hi]. */
  const requant = (input: number, ratios: number[], lo: number, hi: number, name: string): number => {
    const { m, shift } = fixedPoint(ratios);
    const uniform = m.every((v) => v === m[0]);
    return uniform
      ? g.node('requant', ratios.length, { a: input, p: [m[0]!, shift, lo, hi] }, name)
      : g.node('requant', ratios.length, { a: input, w0: g.tensorI32(m), p: [0, shift, lo, hi] }, name);
  };
  const fill = (n: number, v: number): number[] => new Array<number>(n).fill(v);
  /** matvec W (rows, d) @ x8 (scale sIn), optional float bias, then requant to int8 at scale sOut (or to sR). */
  const linear = (x: number, sIn: number, w: { q: Int8Array; s: Float64Array }, rows: number, bias: Float64Array | null, name: string): { acc: number; scales: number[] } => {
    const scales = Array.from(w.s, (sw) => sIn * sw);
    const b = bias ? g.tensorI32(scales.map((s, r) => roundHalfAway(bias[r]! / s))) : -1;
    const acc = g.node('matvec', rows, { a: x, w0: g.tensorI8(w.q), w1: b }, name);
    return { acc, scales };
  };
  /** RMSNorm of the residual node `x` (site index) → int8 at scale sY (gain folded elsewhere). */
  const rmsnorm = (x: number, site: number, name: string): { y: number; sY: number } => {
    const sX8 = s8(cal.residual[site]!);
    const sY = s8(cal.normed[site]!);
    const x8 = requant(x, fill(d, sR / sX8), -127, 127, `${name}.x8`);
    const ss = g.node('dot', 1, { a: x8, b: x8, p: [d] }, `${name}.sumsq`);
    const ssScaled = g.node('requant', 1, { a: ss, p: [4 ** RMS_EXTRA_BITS, 0, 0, INT32_MAX] }, `${name}.sumsq-scaled`);
    const r = g.node('isqrt', 1, { a: ssScaled, p: [1] }, `${name}.rms`);
    // y = x·sR/rms_f/sY with rms_f = r·sX8/(2^k·√d)  ⇒  y = x · m / r,  m = sR·2^k·√d / (sX8·sY)
    const m = Math.round((sR * 2 ** RMS_EXTRA_BITS * Math.sqrt(d)) / (sX8 * sY));
    const y = g.node('muldiv', d, { a: x, b: r, p: [-127, 127, d, m, 0, 0] }, name);
    return { y, sY };
  };

  // ---- step inputs and embeddings
  const token = g.token(); // reads the previous step's output node (patched in by toModel)
  const position = g.position();
  const tokS = Math.max(...p.tokEmb.map(Math.abs)) / 127;
  const posS = Math.max(...p.posEmb.map(Math.abs)) / 127;
  const tokQ = quantizeRows(p.tokEmb, 1, p.tokEmb.length, Float64Array.of(tokS));
  const posQ = quantizeRows(p.posEmb, 1, p.posEmb.length, Float64Array.of(posS));
  const te = g.node('gather', d, { a: token, w0: g.tensorI8(tokQ), p: [c.vocabSize] }, 'tok-emb');
  const pe = g.node('gather', d, { a: position, w0: g.tensorI8(posQ), p: [c.context] }, 'pos-emb');
  const teR = requant(te, fill(d, tokS / sR), -o.residualClamp, o.residualClamp, 'tok-emb.resid');
  const peR = requant(pe, fill(d, posS / sR), -o.residualClamp, o.residualClamp, 'pos-emb.resid');
  let x = g.node('add', d, { a: teR, b: peR, p: [-o.residualClamp, o.residualClamp, 1] }, 'resid.0');

  // exp table of the attention softmax: T[z + 128] = round(2^expBits · exp(z · expStep)), T[0] = 0 (masked slots).
  const expOffset = g.tensorI32(expTable(o.expStep, o.expBits));

  p.layers.forEach((L, l) => {
    const pre = `layer${l}`;
    const n1 = rmsnorm(x, 2 * l, `${pre}.norm1`);
    const sQ = s8(cal.q[l]!);
    const sK = s8(cal.k[l]!);
    const sV = s8(cal.v[l]!);
    const wq = qmatrix(L.wq, d, d, L.g1);
    const wk = qmatrix(L.wk, d, d, L.g1);
    const wv = qmatrix(L.wv, d, d, L.g1);
    const qa = linear(n1.y, n1.sY, wq, d, null, `${pre}.q.acc`);
    const q = requant(qa.acc, qa.scales.map((s) => s / Math.sqrt(dh) / sQ), -127, 127, `${pre}.q`);
    const ka = linear(n1.y, n1.sY, wk, d, null, `${pre}.k.acc`);
    const k = requant(ka.acc, ka.scales.map((s) => s / sK), -127, 127, `${pre}.k`);
    const va = linear(n1.y, n1.sY, wv, d, null, `${pre}.v.acc`);
    const v = requant(va.acc, va.scales.map((s) => s / sV), -127, 127, `${pre}.v`);
    const scores = g.node('attn_scores', H * C, { a: q, b: k, p: [H, o.maskScore] }, `${pre}.scores`);
    const rowMax = g.node('reduce_max', H, { a: scores, p: [C] }, `${pre}.scores.max`);
    const diff = g.node('sub', H * C, { a: scores, b: rowMax, p: [INT32_MIN, 0, C] }, `${pre}.scores.shifted`);
    const z = requant(diff, fill(H * C, (sQ * sK) / o.expStep), -128, 0, `${pre}.scores.z`);
    const e = g.node('lut', H * C, { a: z, w0: expOffset }, `${pre}.exp`);
    const sum = g.node('reduce_sum', H, { a: e, p: [C] }, `${pre}.exp.sum`);
    const probs = g.node('muldiv', H * C, { a: e, b: sum, p: [0, 127, C, 127, 0, 0] }, `${pre}.probs`);
    const mix = g.node('attn_mix', d, { a: probs, b: v, p: [H] }, `${pre}.mix`);
    const sO = s8(cal.o[l]!);
    const att = requant(mix, fill(d, sV / 127 / sO), -127, 127, `${pre}.attn`);
    const wo = qmatrix(L.wo, d, d);
    const oa = linear(att, sO, wo, d, null, `${pre}.wo.acc`);
    const oR = requant(oa.acc, oa.scales.map((s) => s / sR), -o.residualClamp, o.residualClamp, `${pre}.wo`);
    x = g.node('add', d, { a: x, b: oR, p: [-o.residualClamp, o.residualClamp, 1] }, `${pre}.resid.attn`);

    const n2 = rmsnorm(x, 2 * l + 1, `${pre}.norm2`);
    const sA = s8(cal.hidden[l]!);
    const w1 = qmatrix(L.w1, c.hidden, d, L.g2);
    const ha = linear(n2.y, n2.sY, w1, c.hidden, L.b1, `${pre}.mlp.up.acc`);
    const hid = requant(ha.acc, ha.scales.map((s) => s / sA), 0, 127, `${pre}.mlp.relu`);
    const w2 = qmatrix(L.w2, d, c.hidden);
    const da = linear(hid, sA, w2, d, L.b2, `${pre}.mlp.down.acc`);
    const dR = requant(da.acc, da.scales.map((s) => s / sR), -o.residualClamp, o.residualClamp, `${pre}.mlp.down`);
    x = g.node('add', d, { a: x, b: dR, p: [-o.residualClamp, o.residualClamp, 1] }, `${pre}.resid.mlp`);
  });

  const nf = rmsnorm(x, 2 * c.layers, 'final.norm');
  const wout = qmatrix(p.wout, c.vocabSize, d, p.gf);
  const la = linear(nf.y, nf.sY, wout, c.vocabSize, null, 'logits.acc');
  const sLogit = (cal.logits * o.headroom) / 2 ** 20; // common logit scale: 2^20 steps over the calibrated range
  const logits = requant(la.acc, la.scales.map((s) => s / sLogit), -(2 ** 24), 2 ** 24, 'logits');
  // Next token: greedy argmax without a seed; with one, the engine's seeded sampler at temperature 1 over
  // (logit − max) in int8 steps of `sampleStep` logits (so the top logit is 0 and nothing saturates upwards).
  const top = g.reduceMax(logits, c.vocabSize, 'logits.max');
  const shifted = g.sub(logits, top, { bdiv: c.vocabSize }, 'logits.shifted');
  const step = fixedPoint([sLogit / o.sampleStep]);
  const out = sampler(g, shifted, { mul: step.m[0]!, shift: step.shift, exp: expTable(o.sampleStep) }, 'next-token');
  g.output(out);
  return g.toModel();
}
