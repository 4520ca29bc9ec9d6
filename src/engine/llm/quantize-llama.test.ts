import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateElement } from '../element.ts';
import { referenceKernels } from '../kernels/kernels.ts';
import { loadWasmKernels } from '../kernels/wasm.ts';
import { prepareModel } from '../model-file.ts';
import { runModel } from '../runner.ts';
import { tinyQuantizedLlama } from '../../testnet/llm-fixtures.ts';
import { FloatLlama } from './float-llama.ts';

const fixture = tinyQuantizedLlama();
const model = prepareModel(fixture.model);
const names = model.meta.nodeNames!;
const { offsets, stepElements } = model.layout;

test('quantized Llama: every rope and mul element of a run replays in one step (the dispute leaf) and equals the runner', () => {
  const prompt = fixture.sequences[0]!.slice(0, 6);
  const r = runModel(model, { prompt, maxTokens: 2 }, { trace: true, kernels: referenceKernels });
  const ctx = { trace: r.trace!, query: { prompt: Int32Array.from(prompt), vector: new Int8Array(0), seed: null } };
  let checked = 0;
  model.nodes.forEach((n, id) => {
    if (n.op !== 'rope' && n.op !== 'mul') return;
    for (let s = 0; s < r.steps; s++) {
      for (let i = 0; i < n.size; i++) {
        const index = s * stepElements + offsets[id]! + i;
        assert.equal(evaluateElement(model, ctx, index), r.trace![index], `${names[id]} step ${s} element ${i}`);
        checked++;
      }
    }
  });
  assert.ok(checked > 2000, `${checked} elements`);
});

test('quantized Llama: the wasm kernels (whole-step program, rope and mul on the per-node fallback) give the identical trace', async () => {
  const wasm = await loadWasmKernels();
  for (const seq of fixture.sequences.slice(0, 3)) {
    const prompt = seq.slice(0, 10);
    const a = runModel(model, { prompt, maxTokens: 4 }, { trace: true, kernels: referenceKernels });
    const b = runModel(model, { prompt, maxTokens: 4 }, { trace: true, kernels: wasm });
    const c = runModel(model, { prompt, maxTokens: 4 }, { kernels: wasm });
    assert.deepEqual(b.trace, a.trace);
    assert.deepEqual(Array.from(c.output), Array.from(a.output));
    assert.deepEqual(c.outputHash, a.outputHash);
  }
});

test('quantized Llama agrees with the float reference: teacher-forced top-1 ≥ 85% and logits cosine ≥ 0.99 on a random-weight model', () => {
  const f = new FloatLlama(fixture.weights);
  const logitsNode = names.indexOf('logits');
  let agree = 0;
  let total = 0;
  let minCos = 1;
  for (const seq of fixture.sequences) {
    const r = runModel(model, { prompt: seq, maxTokens: 1 }, { trace: true });
    f.reset();
    seq.forEach((tok, t) => {
      const fl = f.step(tok);
      let best = 0;
      for (let i = 1; i < fl.length; i++) if (fl[i]! > fl[best]!) best = i;
      if (r.trace![t * stepElements + offsets[model.meta.outputNode]!] === best) agree++;
      total++;
      const il = r.trace!.subarray(t * stepElements + offsets[logitsNode]!, t * stepElements + offsets[logitsNode]! + fl.length);
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let i = 0; i < fl.length; i++) {
        ab += fl[i]! * il[i]!;
        aa += fl[i]! ** 2;
        bb += il[i]! ** 2;
      }
      minCos = Math.min(minCos, ab / Math.sqrt(aa * bb));
    });
  }
  assert.ok(agree / total >= 0.85, `top-1 ${agree}/${total}`);
  assert.ok(minCos >= 0.99, `min logits cosine ${minCos}`);
});
