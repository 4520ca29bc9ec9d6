/**
 * Generates test/vectors/engine-ops.json: golden vectors for every engine op (docs/spec/engine.md), read by the
 * engine tests and by the dispute contract tests. Run: node_modules/.bin/node test/vectors/generate-engine-ops.ts
 *
 * - primitives: roundShift, roundDiv, isqrt, euclidMod and prng cases, including the edges;
 * - elementwise: one-step cases { op, code, params, inputs (in the order engine.md lists them), hasWeight, output };
 * - reductions: { combiner, init, links [[a, b]], partialSums } — partialSums[L] is the element;
 * - models: the two random-weight test models: modelHash, query, output, outputHash, trace length and a keccak
 *   of the trace bytes (int32 LE), so any change in any op's semantics shows up.
 */
import { writeFileSync } from 'node:fs';
import { toHex } from '../../src/common/bytes.ts';
import { keccak256 } from '../../src/crypto/keccak.ts';
import { combineStep, elementwiseStep } from '../../src/engine/element.ts';
import { MAX_SAFE, euclidMod, isqrtFloor, roundDiv, roundShift } from '../../src/engine/ops/arith.ts';
import { OPS_BY_NAME } from '../../src/engine/ops/index.ts';
import { prng } from '../../src/engine/ops/sources.ts';
import { outputBytes } from '../../src/engine/run-result.ts';
import { runModel } from '../../src/engine/runner.ts';
import { tinyMlp, tinyTransformer } from '../../src/testnet/test-models.ts';
import { prepareModel } from '../../src/engine/model-file.ts';
import { tinyQuantizedLlama } from '../../src/testnet/llm-fixtures.ts';
import type { Combiner } from '../../src/engine/graph.ts';

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

const primitives = {
  roundShift: [
    [5, 1], [-5, 1], [4, 1], [-4, 1], [3, 2], [-3, 2], [6, 2], [-6, 2], [7, 0], [0, 5], [I32_MAX * 4194303, 52], [I32_MIN * 4194303, 52], [-16384 * 181, 14], [1, 1], [-1, 1],
    // the ends of the domain (arith.ts): |v| = 2^53 − 1, shifts 53, 54 (where |v| + 2^(s−1) stops being a double) and 255
    [MAX_SAFE, 1], [MAX_SAFE, 53], [-MAX_SAFE, 53], [MAX_SAFE, 54], [-MAX_SAFE, 54], [MAX_SAFE, 255], [-1, 255],
  ].map(([v, s]) => ({ v: v!, s: s!, out: roundShift(v!, s!) })),
  roundDiv: [
    [7, 2], [-7, 2], [7, -2], [-7, -2], [5, 3], [4, 3], [1, 0], [-5, 0], [0, 7], [3, 6], [-3, 6], [2 ** 51, 3], [-(2 ** 51), 7], [127 * 32768, 1], [16384, 127],
    // beyond 2^51 (the BigInt path) up to the end of the domain, 2^53 − 1
    [MAX_SAFE, 2], [-MAX_SAFE, 3], [MAX_SAFE, -MAX_SAFE], [2 ** 52 + 1, 2 ** 52], [MAX_SAFE, 0], [2 ** 51 + 1, -(2 ** 52)],
  ].map(([n, d]) => ({ n: n!, d: d!, out: roundDiv(n!, d!) })),
  isqrt: [0, 1, 2, 3, 4, 15, 16, 17, -5, I32_MAX, 2 ** 52 - 1, 99980001, 99980000, MAX_SAFE].map((v) => ({ v, out: isqrtFloor(v) })),
  euclidMod: [[7, 3], [-7, 3], [0, 5], [5, 0], [5, -3], [I32_MAX, 1000], [-1, I32_MAX], [-MAX_SAFE, 10], [MAX_SAFE, MAX_SAFE - 1]].map(([a, m]) => ({ a: a!, m: m!, out: euclidMod(a!, m!) })),
  prng: [[0n, 0], [0n, 1], [1n, 0], [42n, 7], [2n ** 64n - 1n, 4095]].map(([seed, t]) => ({ seed: String(seed), t: t as number, out: prng(seed as bigint, t as number) })),
};

type Case = { op: string; params: number[]; inputs: number[]; hasWeight?: boolean };
const P = (...p: number[]) => [...p, ...Array(8 - p.length).fill(0)];
const cases: Case[] = [
  { op: 'requant', params: P(181, 14, -128, 127), inputs: [16384 * 300] },
  { op: 'requant', params: P(181, 14, -128, 127), inputs: [-16384 * 300] },
  { op: 'requant', params: P(1, 1, -128, 127), inputs: [5] },
  { op: 'requant', params: P(1, 1, -128, 127), inputs: [-5] },
  { op: 'requant', params: P(1, 0, 0, 127), inputs: [-7] },
  { op: 'requant', params: P(0, 3, -128, 127), inputs: [100, -9], hasWeight: true },
  { op: 'requant', params: P(4194303, 52, -128, 127), inputs: [I32_MIN] },
  { op: 'relu', params: P(), inputs: [-3] },
  { op: 'relu', params: P(), inputs: [I32_MAX] },
  { op: 'lut', params: P(), inputs: [-128, 77] },
  { op: 'gather', params: P(10), inputs: [3, -128] },
  { op: 'add', params: P(-128, 127, 1), inputs: [100, 100] },
  { op: 'add', params: P(-128, 127, 1), inputs: [-100, -100] },
  { op: 'add', params: P(I32_MIN, I32_MAX, 1), inputs: [I32_MAX, -1] },
  { op: 'sub', params: P(-128, 0, 4), inputs: [-128, 127] },
  { op: 'sub', params: P(-128, 0, 4), inputs: [5, 3] },
  { op: 'max2', params: P(I32_MIN, I32_MAX, 1), inputs: [-5, -7] },
  { op: 'muldiv', params: P(0, 127, 4, 127, 0, 0), inputs: [32768, 65536] },
  { op: 'muldiv', params: P(0, 127, 4, 127, 0, 0), inputs: [1, 254] },
  { op: 'muldiv', params: P(0, 127, 4, 127, 0, 0), inputs: [3, 0] },
  { op: 'muldiv', params: P(-128, 127, 16, 4, 16, 0), inputs: [-50, 797, -128], hasWeight: true },
  { op: 'muldiv', params: P(0, I32_MAX, 0, 256, 0, 16), inputs: [39743, 16] },
  { op: 'muldiv', params: P(I32_MIN, I32_MAX, 1, 1, 0, 0), inputs: [-7, 2] },
  { op: 'isqrt', params: P(1), inputs: [635888] },
  { op: 'isqrt', params: P(0), inputs: [-4] },
  { op: 'mod', params: P(1), inputs: [1234567, 58960] },
  { op: 'mod', params: P(1), inputs: [5, 0] },
  { op: 'select', params: P(), inputs: [7, 9, 1] },
  { op: 'select', params: P(), inputs: [7, 9, 0] },
  { op: 'scan_add', params: P(8), inputs: [17539, 104] },
  // rope (engine.md §3.6): x[i], x[i xor 1], T[t, j, 0], T[t, j, 1]; p0 head dim, p1 shift, [p2, p3] clamp
  { op: 'rope', params: P(64, 22, -127, 127), inputs: [32512, -32512, 11585, -11585] },
  { op: 'rope', params: P(64, 22, -127, 127), inputs: [1000, 3000, 16384, 0] },
  { op: 'rope', params: P(64, 22, -127, 127), inputs: [-20000, 7, 15000, 6600] },
  { op: 'rope', params: P(8, 1, I32_MIN, I32_MAX), inputs: [5, 0, 1, 0] },
  { op: 'rope', params: P(8, 1, I32_MIN, I32_MAX), inputs: [-5, 0, 1, 0] },
  { op: 'rope', params: P(8, 0, -128, 127), inputs: [I32_MAX, I32_MIN, 1, 1] },
  { op: 'rope', params: P(128, 52, I32_MIN, I32_MAX), inputs: [I32_MAX, I32_MAX, 2 ** 20, 2 ** 20] },
  // mul: a, b̂; [p0, p1] clamp, p2 bdiv, p3 shift
  { op: 'mul', params: P(-127, 127, 1, 21), inputs: [8191, 32767] },
  { op: 'mul', params: P(-127, 127, 1, 21), inputs: [-8191, 32767] },
  { op: 'mul', params: P(-127, 127, 1, 1), inputs: [3, -1] },
  { op: 'mul', params: P(I32_MIN, I32_MAX, 4, 0), inputs: [-46341, 46341] },
  { op: 'mul', params: P(I32_MIN, I32_MAX, 1, 52), inputs: [I32_MIN, 4194303] },
];
const elementwise = cases.map((c) => ({ ...c, code: OPS_BY_NAME.get(c.op)!.code, hasWeight: c.hasWeight ?? false, output: elementwiseStep(c.op, c.params, c.inputs, c.hasWeight ?? false) }));

function reduction(combiner: Combiner, init: number, links: number[][]) {
  const sums = [init];
  let acc = init;
  links.forEach(([a, b], j) => {
    acc = combineStep(combiner, acc, a!, combiner === 'argmax' ? links[acc]![0]! : (b ?? 0), j);
    sums.push(acc);
  });
  return { combiner, init, links, partialSums: sums, output: acc };
}
const reductions = [
  reduction('mac', 0, [[-128, -128], [-128, -128], [127, -128], [-1, 1]]),
  reduction('mac', -1000, [[3, 4], [5, -6], [0, 127]]),
  reduction('mac', 0, Array.from({ length: 131071 }, () => [-128, -128]).slice(0, 16)),
  reduction('add', 0, [[32768], [0], [27166], [I32_MAX - 59934]]),
  reduction('max', I32_MIN, [[-128], [-5], [3], [3], [-7]]),
  reduction('argmax', 0, [[-5], [3], [9], [9], [2]]),
  reduction('argmax', 0, [[4], [4], [4]]),
  reduction('countle', 0, [[17539, 17600], [17643, 17600], [17643, 17600], [20126, 17600]]),
];

const mlp = tinyMlp();
const vec = [1, -128, 127, 5, 0, -1, 64, -64];
const mlpRun = runModel(mlp, { vector: vec }, { trace: true });
const tt = tinyTransformer();
const prompt = tt.layout.tokenizer!.encode('abc');
const tl = prepareModel(tinyQuantizedLlama().model);
const tlPrompt = [1, 17, 250, 3, 99];
const models = [
  { model: 'tinyMlp', m: mlp, query: { vector: vec }, r: mlpRun },
  { model: 'tinyTransformer', m: tt, query: { prompt, maxTokens: 5, seed: null }, r: runModel(tt, { prompt, maxTokens: 5 }, { trace: true }) },
  { model: 'tinyTransformer', m: tt, query: { prompt, maxTokens: 5, seed: '42' }, r: runModel(tt, { prompt, maxTokens: 5, seed: 42n }, { trace: true }) },
  { model: 'tinyQuantizedLlama', m: tl, query: { prompt: tlPrompt, maxTokens: 4, seed: null }, r: runModel(tl, { prompt: tlPrompt, maxTokens: 4 }, { trace: true }) },
].map(({ model, m, query, r }) => ({
  model,
  modelHash: toHex(m.modelHash),
  graphHash: toHex(m.graphHash),
  weightsRoot: toHex(m.weightsRoot),
  query,
  output: Array.from(r.output),
  outputHash: toHex(r.outputHash),
  steps: r.steps,
  stepElements: r.stepElements,
  traceElements: r.trace!.length,
  traceHash: toHex(keccak256(outputBytes(r.trace!))),
}));

const out = {
  description: 'Golden vectors for docs/spec/engine.md; generated by test/vectors/generate-engine-ops.ts. Do not edit by hand.',
  primitives,
  elementwise,
  reductions,
  models,
};
writeFileSync(new URL('./engine-ops.json', import.meta.url), JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${elementwise.length} element-wise cases, ${reductions.length} reductions, ${models.length} model runs`);
