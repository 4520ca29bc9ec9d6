import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { toHex } from '../common/bytes.ts';
import { keccak256 } from '../crypto/keccak.ts';
import { evaluateElement, describeElement, partialSums, ElementOutOfRangeError } from './element.ts';
import { outputBytes } from './run-result.ts';
import { runModel, Runner } from './runner.ts';
import { RunInputError, TraceTooLargeError } from './run-errors.ts';
import { tinyMlp, tinyTransformer } from '../testnet/test-models.ts';
import { prepareModel } from './model-file.ts';
import { tinyQuantizedLlama } from '../testnet/llm-fixtures.ts';
import { loadWasmKernels } from './kernels/wasm.ts';
import { referenceKernels } from './kernels/kernels.ts';

const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/engine-ops.json', import.meta.url), 'utf8'));
const mlp = tinyMlp();
const tt = tinyTransformer();
const tok = tt.layout.tokenizer!;

test('MLP: one step, trace length = stepElements, output = the output node elements in the trace', () => {
  const r = runModel(mlp, { vector: [1, -128, 127, 5, 0, -1, 64, -64] }, { trace: true });
  assert.equal(r.steps, 1);
  assert.equal(r.trace!.length, mlp.layout.stepElements);
  const o = mlp.layout.offsets[mlp.meta.outputNode]!;
  assert.deepEqual(Array.from(r.output), Array.from(r.trace!.subarray(o, o + mlp.nodes[mlp.meta.outputNode]!.size)));
  assert.deepEqual(r.outputHash, keccak256(outputBytes(r.output)));
});

test('transformer: trace has steps·stepElements elements and each generated token is the output node at its step', () => {
  const prompt = tok.encode('abc');
  const r = runModel(tt, { prompt, maxTokens: 5, seed: 9n }, { trace: true });
  assert.equal(r.trace!.length, r.steps * tt.layout.stepElements);
  assert.ok(r.output.length >= 1 && r.output.length <= 5);
  assert.equal(r.steps, prompt.length - 1 + r.output.length);
  const o = tt.layout.offsets[tt.meta.outputNode]!;
  r.output.forEach((t, k) => assert.equal(r.trace![(prompt.length - 1 + k) * r.stepElements + o], t));
});

test('happy path (no trace) gives the same output and hash as a traced run, and materialises no trace', () => {
  const prompt = tok.encode('hgf');
  const a = runModel(tt, { prompt, maxTokens: 6, seed: 3n });
  const b = runModel(tt, { prompt, maxTokens: 6, seed: 3n }, { trace: true });
  assert.equal(a.trace, null);
  assert.deepEqual(a.output, b.output);
  assert.deepEqual(a.outputHash, b.outputHash);
});

test('determinism: the same query gives byte-identical traces; a different seed changes it', () => {
  const prompt = tok.encode('abc');
  const a = runModel(tt, { prompt, maxTokens: 8, seed: 1n }, { trace: true }).trace!;
  const b = runModel(tt, { prompt, maxTokens: 8, seed: 1n }, { trace: true }).trace!;
  assert.deepEqual(keccak256(outputBytes(a)), keccak256(outputBytes(b)));
  const outs = new Set([1n, 2n, 3n, 4n, 5n].map((s) => toHex(runModel(tt, { prompt, maxTokens: 8, seed: s }).outputHash)));
  assert.ok(outs.size > 1, 'seeded sampling never varied');
});

test('wasm kernels give the identical trace to the reference kernels', async () => {
  const kernels = await loadWasmKernels();
  const prompt = tok.encode('dab');
  const a = runModel(tt, { prompt, maxTokens: 6, seed: 11n }, { trace: true, kernels: referenceKernels }).trace!;
  const b = runModel(tt, { prompt, maxTokens: 6, seed: 11n }, { trace: true, kernels }).trace!;
  assert.deepEqual(a, b);
});

test('every trace element is reproduced by the one-step rule from its inputs (what the contract replays)', () => {
  const prompt = tok.encode('ab');
  const query = { prompt: Int32Array.from(prompt), vector: new Int8Array(0), seed: 5n };
  const r = runModel(tt, { prompt, maxTokens: 3, seed: 5n }, { trace: true });
  const ctx = { trace: r.trace!, query };
  for (let i = 0; i < r.trace!.length; i++) assert.equal(evaluateElement(tt, ctx, i), r.trace![i], `element ${i}`);
  const mq = { prompt: new Int32Array(0), vector: Int8Array.from([3, -128, 127, 0, 9, -9, 100, -100]), seed: null };
  const mr = runModel(mlp, { vector: Array.from(mq.vector) }, { trace: true });
  for (let i = 0; i < mr.trace!.length; i++) assert.equal(evaluateElement(mlp, { trace: mr.trace!, query: mq }, i), mr.trace![i]);
});

test('a reduction element describes its links and its partial sums end at the element', () => {
  const prompt = tok.encode('abc');
  const query = { prompt: Int32Array.from(prompt), vector: new Int8Array(0), seed: null };
  const r = runModel(tt, { prompt, maxTokens: 2 }, { trace: true });
  const logits = tt.meta.nodeNames!.indexOf('logits');
  const idx = 2 * r.stepElements + tt.layout.offsets[logits]! + 1;
  const info = describeElement(tt, { trace: r.trace!, query }, idx);
  assert.equal(info.op, 'matvec');
  assert.equal(info.step, 2);
  assert.equal(info.position, 1);
  assert.equal(info.description.kind, 'reduction');
  if (info.description.kind !== 'reduction') return;
  assert.equal(info.description.links.length, 16);
  const sums = partialSums(tt, { trace: r.trace!, query }, info.description);
  assert.equal(sums.length, 17);
  assert.equal(sums[16], r.trace![idx]);
  assert.throws(() => describeElement(tt, { trace: r.trace!, query }, r.trace!.length), ElementOutOfRangeError);
});

test('bad queries are refused with RunInputError; an oversized trace with TraceTooLargeError', () => {
  assert.throws(() => runModel(tt, { prompt: new Array(13).fill(3) }), RunInputError);
  assert.throws(() => runModel(tt, { prompt: [] }), RunInputError);
  assert.throws(() => runModel(tt, { prompt: [99] }), RunInputError);
  assert.throws(() => runModel(tt, { prompt: [3], seed: -1 }), RunInputError);
  assert.throws(() => runModel(mlp, { vector: [1, 2] }), RunInputError);
  assert.throws(() => runModel(mlp, { vector: [1, 2, 3, 4, 5, 6, 7, 128] }), RunInputError);
  const runner = new Runner(tt, { maxTraceElements: 100 });
  assert.throws(() => runner.run({ prompt: [3] }, { trace: true }), TraceTooLargeError);
  runner.close();
});

test('a full-context prompt generates one token; generation stops at the context end', () => {
  const r = runModel(tt, { prompt: new Array(12).fill(4), maxTokens: 5 });
  assert.equal(r.output.length, 1);
  assert.equal(r.steps, 12);
});

test('golden model runs match test/vectors/engine-ops.json', () => {
  for (const v of vectors.models) {
    const m = v.model === 'tinyMlp' ? mlp : v.model === 'tinyTransformer' ? tt : prepareModel(tinyQuantizedLlama().model);
    assert.equal(toHex(m.modelHash), v.modelHash);
    const seed = v.query.seed === null || v.query.seed === undefined ? null : BigInt(v.query.seed);
    const r = runModel(m, { ...v.query, seed }, { trace: true });
    assert.deepEqual(Array.from(r.output), v.output);
    assert.equal(toHex(r.outputHash), v.outputHash);
    assert.equal(r.trace!.length, v.traceElements);
    assert.equal(toHex(keccak256(outputBytes(r.trace!))), v.traceHash);
  }
});
