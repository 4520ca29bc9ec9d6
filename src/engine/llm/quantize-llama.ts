/**
 * A Llama-family decoder (float weights) → an integer graph for the engine (whitepaper §2.2.6: int8 weights with
 * per-row scales, int32 accumulation, fixed-point requantisation, table-driven non-linearities; engine.md §6.2).
 *
 * Scales come from calibration (max |value| at every site over float runs of real token sequences) with headroom.
 * The residual stream is int32 at one fine scale sR. One step (position t):
 *   x     = requant(gather(E8, token))                                                    int32 @ sR
 *   per layer:
 *     n     = rmsnorm(x)                      (gain folded into the next matrices)          int8
 *     q16   = requant(matvec(Wq·diag(g), n))  1/√dh folded in                               |·| ≤ 2^15 @ sQ/256
 *     q     = rope(q16)                       table one = 2^14, shift 22                     int8 @ sQ
 *     k     = rope(requant(matvec(Wk·diag(g), n)))                                          int8 @ sK
 *     v     = requant(matvec(Wv·diag(g), n))                                                int8
 *     p     = softmax(attn_scores(q, k@0..t))  (layers.ts: max, sub, requant, lut exp, sum, muldiv) int8 [0, 127]
 *     x    += requant(matvec(Wo, requant(attn_mix(p, v@0..t))))
 *     n     = rmsnorm(x)
 *     h     = mul(lut_silu(requant(matvec(Wgate·diag(g), n))), requant16(matvec(Wup·diag(g), n)))   int8
 *     x    += requant(matvec(Wdown, h))
 *   logits = requant(matvec(Wout·diag(g), rmsnorm(x)));  token = argmax, or the seeded sampler (layers.ts)
 * Grouped-query attention is imported exactly by repeating each key/value head's projection rows for the query
 * heads that share it (costs heads/kvHeads× the K/V compute and cache; a native GQA attention op is future work).
 */
import { GraphBuilder, type BuilderMeta } from '../builder.ts';
import type { Model } from '../graph.ts';
import { expTable, makeTable, sampler, silu } from '../layers.ts';
import { INT32_MAX, INT32_MIN } from '../ops/arith.ts';
import { MAX_SHIFT } from '../ops/elementwise.ts';
import { ropeTable } from '../ops/llm.ts';
import { fixedPoint } from '../train/fixed-point.ts';
import { FloatLlama, type LlamaSite } from './float-llama.ts';
import { headDim, type LlamaConfig, type LlamaWeights } from './llama-config.ts';
import { quantizeMatrix, quantizeTensor, type QuantizedMatrix } from './quantize-matrix.ts';
import { tokenizerBlob, tokenizerRef, type LlmTokenizerMeta } from '../tokenizers/meta.ts';

/** Per-site maxima: site → one value per layer (index = layer; the final sites use index 0). */
export type LlamaCalibration = Record<LlamaSite, number[]>;

const SITES: LlamaSite[] = ['residAttn', 'normAttn', 'q', 'k', 'v', 'att', 'residMlp', 'normMlp', 'gate', 'up', 'hidden', 'residFinal', 'normFinal', 'logits'];

/** Runs the float model over `sequences` (teacher-forced) and records max |value| per site (q, k: max pair norm). */
export function calibrateLlama(w: LlamaWeights, sequences: readonly number[][]): LlamaCalibration {
  const cal = Object.fromEntries(SITES.map((s) => [s, new Array<number>(w.config.layers).fill(0)])) as LlamaCalibration;
  const f = new FloatLlama(w);
  f.observe = (site, layer, v) => {
    let m = 0;
    if (site === 'q' || site === 'k') for (let i = 0; i < v.length; i += 2) m = Math.max(m, Math.hypot(v[i]!, v[i + 1]!));
    else for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
    const arr = cal[site];
    const l = Math.max(0, layer);
    arr[l] = Math.max(arr[l]!, m);
  };
  for (const seq of sequences) {
    f.reset();
    for (const t of seq.slice(0, w.config.contextLength)) f.step(t);
  }
  return cal;
}

export interface QuantizeLlamaOptions {
  /** Calibration maxima are scaled by this before int8 saturates. */
  headroom: number;
  /** One int8 step of the softmax's exp input, in logits. */
  expStep: number;
  expBits: number;
  maskScore: number;
  residualClamp: number;
  residualFineness: number;
  /** Rotary table fixed point: one = 2^ropeBits. */
  ropeBits: number;
  sampleStep: number;
}

export const DEFAULTS: QuantizeLlamaOptions = {
  headroom: 1.1, // 10% beyond the calibrated maximum
  expStep: 1 / 16, // exp error ≤ 3% per step, the table spans [−7.9, 0] logits (as the shipped sort-transformer)
  expBits: 15, // a 4096-slot row of 2^15 numerators sums below 2^27
  maskScore: -(2 ** 30), // far below any q·k (|q·k| ≤ 128²·dh ≤ 2^21 for dh ≤ 128)
  residualClamp: 2 ** 24, // ≥ 2000× the calibrated residual at fineness 64
  residualFineness: 64, // the int32 residual is 64× finer than its int8 view
  ropeBits: 14, // cos/sin to 6e-5; |q16 · one| ≤ 2^29
  sampleStep: 1 / 8, // seeded sampling: 1/8 logit per int8 step
};

export interface QuantizeReport {
  tensors: { name: string; rows: number; cols: number; relativeError: number; maxError: number }[];
}

/** Repeats key/value head rows so that query head h reads head ⌊h / group⌋ (exact grouped-query attention). */
function expandKv(wkv: Float32Array, c: LlamaConfig): Float32Array {
  if (c.kvHeads === c.heads) return wkv;
  const dh = headDim(c);
  const group = c.heads / c.kvHeads;
  const out = new Float32Array(c.dim * c.dim);
  for (let h = 0; h < c.heads; h++) out.set(wkv.subarray(Math.floor(h / group) * dh * c.dim, (Math.floor(h / group) + 1) * dh * c.dim), h * dh * c.dim);
  return out;
}

/**
 * `tokenizer`: the model's own tokenizer and chat template, stored as a blob at the start of the weights and named
 * by meta.tokenizer / meta.eosId (tokenizers/meta.ts); without it `meta` must carry a character `vocab`.
 */
export function quantizeLlama(w: LlamaWeights, cal: LlamaCalibration, meta: BuilderMeta, options: Partial<QuantizeLlamaOptions> = {}, tokenizer?: LlmTokenizerMeta): { model: Model; report: QuantizeReport } {
  const o = { ...DEFAULTS, ...options };
  const c = w.config;
  const d = c.dim;
  const H = c.heads;
  const dh = headDim(c);
  const C = meta.contextLength;
  const F = c.hiddenDim;
  const g = new GraphBuilder({ ...meta });
  if (tokenizer !== undefined) {
    const blob = tokenizerBlob(tokenizer);
    const offset = g.tensorI8(new Int8Array(blob.buffer, blob.byteOffset, blob.length));
    Object.assign(g.meta, { tokenizer: tokenizerRef(blob, offset), eosId: tokenizer.eosId });
  }
  const report: QuantizeReport = { tensors: [] };
  const s8 = (max: number): number => (Math.max(max, 1e-6) * o.headroom) / 127;
  const sR = Math.max(...cal.residAttn, ...cal.residMlp, ...cal.residFinal) / (127 * o.residualFineness);
  const fill = (n: number, v: number): number[] => new Array<number>(n).fill(v);
  const R = o.residualClamp;

  const qm = (name: string, m: Float32Array, rows: number, cols: number, gain?: Float32Array): QuantizedMatrix => {
    const q = quantizeMatrix(m, rows, cols, gain);
    report.tensors.push({ name, rows, cols, relativeError: q.relativeError, maxError: q.maxError });
    return q;
  };
  const requant = (input: number, ratios: number[], lo: number, hi: number, name: string): number => {
    const { m, shift } = fixedPoint(ratios);
    return m.every((v) => v === m[0])
      ? g.node('requant', ratios.length, { a: input, p: [m[0]!, shift, lo, hi] }, name)
      : g.node('requant', ratios.length, { a: input, w0: g.tensorI32(m), p: [0, shift, lo, hi] }, name);
  };
  /** matvec of int8 x (scale sIn) by a quantised matrix; returns the node and each row's real scale. */
  const linear = (x: number, sIn: number, m: QuantizedMatrix, rows: number, name: string): { acc: number; scales: number[] } => ({
    acc: g.node('matvec', rows, { a: x, w0: g.tensorI8(m.q) }, name),
    scales: Array.from(m.scales, (sw) => sIn * sw),
  });
  // Σx8² ≤ 127²·d; scale it by 4^k to keep ≤ 2^31 while giving isqrt k more bits.
  const rmsBits = Math.max(0, Math.floor((31 - Math.log2(127 * 127 * d)) / 2));
  const rmsnorm = (x: number, residMax: number, normMax: number, name: string): { y: number; sY: number } => {
    const sX8 = s8(residMax);
    const sY = s8(normMax);
    const x8 = requant(x, fill(d, sR / sX8), -127, 127, `${name}.x8`);
    const ss = g.node('dot', 1, { a: x8, b: x8, p: [d] }, `${name}.sumsq`);
    const ssScaled = g.node('requant', 1, { a: ss, p: [4 ** rmsBits, 0, 0, INT32_MAX] }, `${name}.sumsq-scaled`);
    const r = g.node('isqrt', 1, { a: ssScaled, p: [1] }, `${name}.rms`);
    const m = Math.round((sR * 2 ** rmsBits * Math.sqrt(d)) / (sX8 * sY));
    return { y: g.node('muldiv', d, { a: x, b: r, p: [-127, 127, d, m, 0, 0] }, name), sY };
  };

  const token = g.token();
  const emb = quantizeTensor(w.tokenEmbedding);
  report.tensors.push({ name: 'token_embd', rows: c.vocabSize, cols: d, relativeError: emb.relativeError, maxError: emb.maxError });
  const te = g.node('gather', d, { a: token, w0: g.tensorI8(emb.q), p: [c.vocabSize] }, 'tok-emb');
  let x = requant(te, fill(d, emb.scales[0]! / sR), -R, R, 'resid.0');

  const ropeOffset = g.tensorI32(ropeTable(dh, C, c.ropeTheta, o.ropeBits));
  const expOffset = g.tensorI32(expTable(o.expStep, o.expBits));

  w.layers.forEach((L, l) => {
    const pre = `blk${l}`;
    const n1 = rmsnorm(x, cal.residAttn[l]!, cal.normAttn[l]!, `${pre}.attn-norm`);
    const sQ = s8(cal.q[l]! / Math.sqrt(dh));
    const sK = s8(cal.k[l]!);
    const sV = s8(cal.v[l]!);
    const rotated = (wm: Float32Array, name: string, scale: number, fold: number): number => {
      const a = linear(n1.y, n1.sY, qm(`${pre}.${name}`, wm, d, d, L.attnNorm), d, `${pre}.${name}.acc`);
      const x16 = requant(a.acc, a.scales.map((s) => (s * fold) / (scale / 256)), -32767, 32767, `${pre}.${name}.16`);
      return g.node('rope', d, { a: x16, w0: ropeOffset, p: [dh, o.ropeBits + 8, -127, 127] }, `${pre}.${name}`);
    };
    const q = rotated(L.wq, 'q', sQ, 1 / Math.sqrt(dh));
    const k = rotated(expandKv(L.wk, c), 'k', sK, 1);
    const va = linear(n1.y, n1.sY, qm(`${pre}.v`, expandKv(L.wv, c), d, d, L.attnNorm), d, `${pre}.v.acc`);
    const v = requant(va.acc, va.scales.map((s) => s / sV), -127, 127, `${pre}.v`);
    const scores = g.node('attn_scores', H * C, { a: q, b: k, p: [H, o.maskScore] }, `${pre}.scores`);
    const rowMax = g.node('reduce_max', H, { a: scores, p: [C] }, `${pre}.scores.max`);
    const diff = g.node('sub', H * C, { a: scores, b: rowMax, p: [INT32_MIN, 0, C] }, `${pre}.scores.shifted`);
    const z = requant(diff, fill(H * C, (sQ * sK) / o.expStep), -128, 0, `${pre}.scores.z`);
    const e = g.node('lut', H * C, { a: z, w0: expOffset }, `${pre}.exp`);
    const sum = g.node('reduce_sum', H, { a: e, p: [C] }, `${pre}.exp.sum`);
    const probs = g.node('muldiv', H * C, { a: e, b: sum, p: [0, 127, C, 127, 0, 0] }, `${pre}.probs`);
    const mix = g.node('attn_mix', d, { a: probs, b: v, p: [H] }, `${pre}.mix`);
    const sO = s8(cal.att[l]!);
    const att = requant(mix, fill(d, sV / 127 / sO), -127, 127, `${pre}.att`);
    const oa = linear(att, sO, qm(`${pre}.attn_output`, L.wo, d, d), d, `${pre}.wo.acc`);
    const oR = requant(oa.acc, oa.scales.map((s) => s / sR), -R, R, `${pre}.wo`);
    x = g.node('add', d, { a: x, b: oR, p: [-R, R, 1] }, `${pre}.resid.attn`);

    const n2 = rmsnorm(x, cal.residMlp[l]!, cal.normMlp[l]!, `${pre}.ffn-norm`);
    const sG = s8(cal.gate[l]!);
    const sU16 = (Math.max(cal.up[l]!, 1e-6) * o.headroom) / 32767;
    const sH = s8(cal.hidden[l]!);
    const ga = linear(n2.y, n2.sY, qm(`${pre}.ffn_gate`, L.wGate, F, d, L.ffnNorm), F, `${pre}.gate.acc`);
    const g8 = requant(ga.acc, ga.scales.map((s) => s / sG), -127, 127, `${pre}.gate`);
    const ua = linear(n2.y, n2.sY, qm(`${pre}.ffn_up`, L.wUp, F, d, L.ffnNorm), F, `${pre}.up.acc`);
    const u16 = requant(ua.acc, ua.scales.map((s) => s / sU16), -32767, 32767, `${pre}.up`);
    // h = silu(gate)·up at sH = T·u16 / 2^S: the table's output scale sS = sH / (sU16·2^S), with S chosen so that
    // max |T| ≈ 2^13 (the product T·u16 ≤ 2^28 stays far inside the op's exactness bound).
    const siluMax = silu(127 * sG);
    const S = Math.max(0, Math.min(MAX_SHIFT, Math.round(Math.log2((2 ** 13 * sH) / (siluMax * sU16)))));
    const sS = sH / (sU16 * 2 ** S);
    const table = makeTable(silu, sG, sS, -(2 ** 20), 2 ** 20);
    const act = g.node('lut', F, { a: g8, w0: g.tensorI32(table) }, `${pre}.silu`);
    const h = g.node('mul', F, { a: act, b: u16, p: [-127, 127, 1, S] }, `${pre}.hidden`);
    const da = linear(h, sH, qm(`${pre}.ffn_down`, L.wDown, d, F), d, `${pre}.down.acc`);
    const dR = requant(da.acc, da.scales.map((s) => s / sR), -R, R, `${pre}.down`);
    x = g.node('add', d, { a: x, b: dR, p: [-R, R, 1] }, `${pre}.resid.mlp`);
  });

  const nf = rmsnorm(x, cal.residFinal[0]!, cal.normFinal[0]!, 'final-norm');
  const wout = qm('output', w.output ?? w.tokenEmbedding, c.vocabSize, d, w.outputNorm);
  const la = linear(nf.y, nf.sY, wout, c.vocabSize, 'logits.acc');
  const sLogit = (cal.logits[0]! * o.headroom) / 2 ** 20;
  // The real value of one logit step, for measuring (perplexity of the integer logits); hashed like all metadata.
  Object.assign(g.meta, { provenance: { ...(g.meta.provenance ?? {}), logitScale: sLogit } });
  const logits = requant(la.acc, la.scales.map((s) => s / sLogit), -(2 ** 24), 2 ** 24, 'logits');
  const top = g.reduceMax(logits, c.vocabSize, 'logits.max');
  const shifted = g.sub(logits, top, { bdiv: c.vocabSize }, 'logits.shifted');
  const step = fixedPoint([sLogit / o.sampleStep]);
  g.output(sampler(g, shifted, { mul: step.m[0]!, shift: step.shift, exp: expTable(o.sampleStep) }, 'next-token'));
  return { model: g.toModel(), report };
}
