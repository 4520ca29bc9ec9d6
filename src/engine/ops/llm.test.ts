import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../common/clock.ts';
import { GraphBuilder } from '../builder.ts';
import { GraphValidationError } from '../graph.ts';
import { prepareModel } from '../model-file.ts';
import { runModel } from '../runner.ts';
import { llmElementwiseStep, ropeTable } from './llm.ts';

/** The spec (engine.md §3.6) in BigInt: roundShift half away from zero, then clamp. */
function roundShiftBig(v: bigint, s: number): bigint {
  if (s === 0) return v;
  const a = v < 0n ? -v : v;
  const q = (a + (1n << BigInt(s - 1))) >> BigInt(s);
  return v < 0n ? -q : q;
}
const clampBig = (v: bigint, lo: number, hi: number): number => Number(v < BigInt(lo) ? BigInt(lo) : v > BigInt(hi) ? BigInt(hi) : v);

test('rope and mul one-step rules equal an independent BigInt evaluation, including int32 extremes and exact halves', () => {
  const rng = new SeededRandom(11);
  const pick = (): number => {
    const r = rng.nextU32() % 6;
    if (r === 0) return -2147483648;
    if (r === 1) return 2147483647;
    if (r === 2) return (rng.nextU32() % 65) - 32;
    return (rng.nextU32() | 0) >> (rng.nextU32() % 31);
  };
  for (let k = 0; k < 5000; k++) {
    const s = rng.nextU32() % 53;
    const lo = k % 3 === 0 ? -2147483648 : -127;
    const hi = k % 3 === 0 ? 2147483647 : 127;
    const tab = (): number => (rng.nextU32() % (1 << 21)) - (1 << 20);
    const v = [pick(), pick(), tab(), tab()];
    const rope = clampBig(roundShiftBig(BigInt(v[0]!) * BigInt(v[2]!) + BigInt(v[1]!) * BigInt(v[3]!), s), lo, hi);
    if (Math.abs(v[0]! * v[2]!) + Math.abs(v[1]! * v[3]!) < 2 ** 53) assert.equal(llmElementwiseStep('rope', [64, s, lo, hi], v), rope, JSON.stringify({ v, s }));
    const a = pick();
    const b = (rng.nextU32() % (1 << 22)) - (1 << 21);
    const mul = clampBig(roundShiftBig(BigInt(a) * BigInt(b), s), lo, hi);
    assert.equal(llmElementwiseStep('mul', [lo, hi, 1, s], [a, b]), mul, JSON.stringify({ a, b, s }));
  }
  // halves round away from zero
  assert.equal(llmElementwiseStep('mul', [-100, 100, 1, 1], [3, 1]), 2);
  assert.equal(llmElementwiseStep('mul', [-100, 100, 1, 1], [-3, 1]), -2);
});

test('rope table: angle t·θ^(−2k/dh) in fixed point, (cos, −sin) then (cos, sin) per pair; rotation keeps pair norms', () => {
  const t = ropeTable(8, 4, 10_000, 14);
  assert.equal(t.length, 4 * 8 * 2);
  assert.deepEqual(Array.from(t.subarray(0, 4)), [16384, 0, 16384, 0]); // t = 0: identity
  const o = (1 * 8 + 0) * 2; // t = 1, k = 0: angle 1 rad
  assert.deepEqual(Array.from(t.subarray(o, o + 4)), [Math.round(Math.cos(1) * 16384), -Math.round(Math.sin(1) * 16384), Math.round(Math.cos(1) * 16384), Math.round(Math.sin(1) * 16384)]);
});

/** A generate model: token → gather (int8 rows) → rope or mul → … → argmax; `edit` changes the LLM node. */
function build(kind: 'rope' | 'mul', edit: (p: number[], table: { len: number }) => void = () => {}): ReturnType<typeof prepareModel> {
  const V = 4;
  const d = 8;
  const C = 4;
  const g = new GraphBuilder({ name: 'llm-op', description: '', task: 'generate', contextLength: C, vocabSize: V, vocab: ['<pad>', '<bos>', '<eos>', 'a'] });
  const tok = g.token();
  const emb = Int8Array.from({ length: V * d }, (_, i) => ((i * 37) % 255) - 127);
  const x = g.node('gather', d, { a: tok, w0: g.tensorI8(emb), p: [V] });
  let y: number;
  if (kind === 'rope') {
    const p = [d, 14, -127, 127];
    const table = { len: C * d * 2 };
    edit(p, table);
    const full = ropeTable(d, C, 10_000, 14);
    y = g.node('rope', d, { a: x, w0: g.tensorI32(full.subarray(0, table.len)), p });
  } else {
    const p = [-127, 127, 1, 7];
    edit(p, { len: 0 });
    y = g.node('mul', d, { a: x, b: x, p });
  }
  const logits = g.node('matvec', V, { a: y, w0: g.tensorI8(Int8Array.from({ length: V * d }, (_, i) => (i % 7) - 3)) });
  g.output(g.argmax(logits, V));
  return prepareModel(g.toModel());
}

test('rope and mul in a graph: the loader proves ranges and refuses bad parameters, short tables and inexact products', () => {
  for (const kind of ['rope', 'mul'] as const) {
    const m = build(kind);
    const r = runModel(m, { prompt: [1, 3, 2], maxTokens: 1 }, { trace: true });
    assert.equal(r.steps, 3);
  }
  const bad: [string, () => unknown][] = [
    ['odd head dim', () => build('rope', (p) => (p[0] = 3))],
    ['head dim not dividing size', () => build('rope', (p) => (p[0] = 6))],
    ['shift 53', () => build('rope', (p) => (p[1] = 53))],
    ['empty clamp', () => build('rope', (p) => ((p[2] = 5), (p[3] = 4)))],
    ['table one row short', () => build('rope', (_, t) => (t.len -= 16))],
    ['mul bdiv 0', () => build('mul', (p) => (p[2] = 0))],
    ['mul shift 60', () => build('mul', (p) => (p[3] = 60))],
  ];
  for (const [what, f] of bad) assert.throws(f, GraphValidationError, what);
});
