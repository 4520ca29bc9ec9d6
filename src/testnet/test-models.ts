/**
 * Small random-weight models for tests, benchmarks and as worked examples of the GraphBuilder (engine.md §6):
 * a 2-layer MLP classifier (the §2.2.5 feed-forward shape) and a 1-layer decoder-only transformer with every
 * op family (embeddings, RMSNorm, causal attention with integer softmax and KV cache, MLP with a GELU table,
 * residual adds, greedy and seeded sampling). Weights come from a seeded PRNG, so each call is reproducible.
 */
import { SeededRandom } from '../common/clock.ts';
import { GraphBuilder } from '../engine/builder.ts';
import type { LoadedModel } from '../engine/model-file.ts';
import { attention, expTable, gelu, makeTable, mlp, quantizeMultiplier, rmsNorm, sampler } from '../engine/layers.ts';
import { Tokenizer } from '../engine/tokenizer.ts';

function int8s(rng: SeededRandom, n: number, amp = 127): Int8Array {
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rng.nextFloat() * (2 * amp + 1)) - amp;
  return out;
}

function int32s(rng: SeededRandom, n: number, amp: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rng.nextFloat() * (2 * amp + 1)) - amp;
  return out;
}

export interface TinyMlpOptions {
  seed?: number;
  inputs?: number;
  hidden?: number;
  classes?: number;
}

/** x (inputs) int8 -> ReLU(W1 x + b1) requantised -> W2 h + b2 -> argmax class. */
export function tinyMlp(o: TinyMlpOptions = {}): LoadedModel {
  const rng = new SeededRandom(o.seed ?? 1);
  const n = o.inputs ?? 8;
  const h = o.hidden ?? 16;
  const k = o.classes ?? 4;
  const g = new GraphBuilder({ name: 'tiny-mlp', description: 'random-weight 2-layer MLP (tests)', task: 'classify', contextLength: 1, vocabSize: k });
  const x = g.vector(n);
  const h32 = g.matvec(x, int8s(rng, h * n), h, int32s(rng, h, 5000), 'fc1');
  const h8 = g.requant(h32, { ...quantizeMultiplier(1 / (Math.sqrt(n) * 64)), lo: 0 }, 'relu1');
  const y = g.matvec(h8, int8s(rng, k * h), k, int32s(rng, k, 1000), 'fc2');
  g.output(g.argmax(y, k, 'class'));
  return g.build();
}

export interface TinyTransformerOptions {
  seed?: number;
  alphabet?: string;
  dim?: number;
  heads?: number;
  context?: number;
  hidden?: number;
}

/** A 1-layer decoder-only transformer with random weights over a character vocabulary. */
export function tinyTransformer(o: TinyTransformerOptions = {}): LoadedModel {
  const rng = new SeededRandom(o.seed ?? 7);
  const tok = Tokenizer.fromAlphabet(o.alphabet ?? 'abcdefgh');
  const V = tok.size;
  const D = o.dim ?? 16;
  const H = o.heads ?? 2;
  const C = o.context ?? 12;
  const F = o.hidden ?? 32;
  const g = new GraphBuilder({ name: 'tiny-transformer', description: 'random-weight 1-layer decoder (tests)', task: 'generate', contextLength: C, vocabSize: V, vocab: tok.toJSON() });
  const mm = quantizeMultiplier(1 / (Math.sqrt(D) * 80)); // int8·int8 sums over D -> int8
  const wide = { lo: -(1 << 20), hi: 1 << 20 };
  const t = g.token();
  const p = g.position();
  const te = g.gather(t, int8s(rng, V * D, 64), V, D, 'tok_emb');
  const pe = g.gather(p, int8s(rng, C * D, 32), C, D, 'pos_emb');
  const res0 = g.add(te, pe, {}, 'res0'); // int32 residual stream, int8 units
  const x0 = g.requant(res0, { mul: 1, shift: 0 }, 'res0.i8');
  const h0 = rmsNorm(g, x0, int8s(rng, D, 127), 4, 1, 'ln1');
  const a = attention(g, h0, {
    heads: H,
    wq: int8s(rng, D * D),
    wk: int8s(rng, D * D),
    wv: int8s(rng, D * D),
    wo: int8s(rng, D * D),
    q: mm,
    k: mm,
    v: mm,
    mix: quantizeMultiplier(1 / 127),
    softmax: { ...quantizeMultiplier(1 / 400), exp: expTable(1 / 16) },
  });
  const res1 = g.add(res0, g.requant(a, { ...mm, ...wide }, 'attn.res'), {}, 'res1');
  const x1 = g.requant(res1, { mul: 1, shift: 0 }, 'res1.i8');
  const h1 = rmsNorm(g, x1, int8s(rng, D, 127), 4, 1, 'ln2');
  const m = mlp(g, h1, { w1: int8s(rng, F * D), b1: int32s(rng, F, 2000), w2: int8s(rng, D * F), hidden: F, h: mm, act: makeTable(gelu, 1 / 32, 1 / 32) });
  const res2 = g.add(res1, g.requant(m, { ...quantizeMultiplier(1 / (Math.sqrt(F) * 80)), ...wide }, 'mlp.res'), {}, 'res2');
  const x2 = g.requant(res2, { mul: 1, shift: 0 }, 'res2.i8');
  const hf = rmsNorm(g, x2, int8s(rng, D, 127), 4, 1, 'lnf');
  const logits = g.matvec(hf, int8s(rng, V * D), V, undefined, 'logits');
  g.output(sampler(g, logits, { ...quantizeMultiplier(1 / 300), exp: expTable(1 / 8) }, 'next'));
  return g.build();
}
