/**
 * Language-model benchmark (issue 17; whitepaper §2.2.6). Prints ONE JSON object.
 *
 *   node_modules/.bin/node bench/llm.ts [--only quality,speed,memory] [--rounds 3] [--dim 768 --layers 12 --hidden 2048 --vocab 32000]
 *
 * Models, written as GGUF by our own writer and imported with `model import` in this run:
 * - "tiny": the 2-layer random Llama of the tests (vocabulary 298, SentencePiece-style) — the stand-in until the
 *   small English model is trained (docs/llm.md);
 * - "generated": a random Llama of about 100M parameters (default d 768, 12 layers, MLP 2048, vocabulary 32,000,
 *   tied embeddings), Q8_0 matrices.
 * Figures (the reference, llama.cpp through node-llama-cpp 3.21.1 CPU, runs the same GGUF in the same process):
 * - quality: teacher-forced next-token top-1 agreement of the integer engine with llama.cpp and with our float
 *   reference over the calibration text's tokens, and the perplexity ratio integer / float reference (random
 *   weights give flat distributions, so these are lower bounds of what a trained model shows);
 * - speed: tokens/s of greedy generation (64 tokens after an 8-token prompt): our engine (wasm kernels, one
 *   thread: the engine has no threaded matvec) vs llama.cpp at 1 and 2 threads; ratio ours / llama.cpp(1);
 * - memory: RSS growth of a child process (engine and kernels already loaded) from decoding the model file to
 *   after one run, per (int8 weight bytes + KV cache bytes).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGgufFile } from '../src/engine/gguf/gguf-writer.ts';
import { FloatLlama } from '../src/engine/llm/float-llama.ts';
import { importModel } from '../src/engine/llm/import-model.ts';
import { CALIBRATION_TEXT } from '../src/engine/llm/calibration-text.ts';
import { countParameters, type LlamaConfig } from '../src/engine/llm/llama-config.ts';
import { llamaGgufMetadata, llamaGgufTensors } from '../src/engine/llm/llama-gguf.ts';
import { randomLlamaWeights } from '../src/engine/llm/random-llama.ts';
import { decodeModelFile, encodeModelFile, type LoadedModel } from '../src/engine/model-file.ts';
import { Runner } from '../src/engine/runner.ts';
import { loadWasmKernels } from '../src/engine/kernels/wasm.ts';
import { spmGgufMetadata } from '../src/engine/tokenizers/from-gguf.ts';
import type { TextTokenizer } from '../src/engine/tokenizers/meta.ts';
import { FIXTURE_PIECES, spmVocab } from '../src/testnet/llm-fixtures.ts';
import { argmax, llamaCpp, loadLlamaCpp, softmax } from '../src/testnet/llama-cpp-reference.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

// ---- child mode: load a model file, run it, print RSS (the memory figure)
if (args[0] === '--child-memory') {
  // Modules and the wasm kernels loaded first: the figure is what the model itself adds.
  const { readFileSync } = await import('node:fs');
  const kernels = await loadWasmKernels();
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  let model: LoadedModel | null = decodeModelFile(readFileSync(args[1]!));
  const big = model.nodes.some((n) => n.op === 'gather' && n.p[0]! * n.size > 2 ** 24);
  const runner = new Runner(model, big ? { kernels, programOps: new Set<number>() } : { kernels });
  const tok = model.layout.tokenizer as TextTokenizer;
  runner.run({ prompt: tok.encode('The morning was cold'), maxTokens: 32 });
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(JSON.stringify({ before, after: process.memoryUsage().rss }));
  model = null;
  process.exit(0);
}

const only = (() => {
  const i = args.indexOf('--only');
  return new Set(i >= 0 ? args[i + 1]!.split(',') : ['quality', 'speed', 'memory']);
})();
const dir = mkdtempSync(join(tmpdir(), 'hs-bench-llm-'));

/** `n` distinct SentencePiece pieces: the fixture's, then "▁" + base-26 words. */
function syntheticPieces(n: number): string[] {
  const out = [...FIXTURE_PIECES];
  const seen = new Set(out);
  for (let i = 0; out.length < n; i++) {
    let s = '';
    let k = i;
    do {
      s = String.fromCharCode(97 + (k % 26)) + s;
      k = Math.floor(k / 26);
    } while (k > 0);
    if (!seen.has(`▁${s}`)) out.push(`▁${s}`); // llama.cpp aborts on duplicate pieces
    seen.add(`▁${s}`);
  }
  return out.slice(0, n);
}

function writeModel(name: string, config: LlamaConfig, matrixType: string): { path: string; weights: ReturnType<typeof randomLlamaWeights> } {
  const vocab = spmVocab(syntheticPieces(config.vocabSize - 259));
  const weights = randomLlamaWeights({ ...config, vocabSize: vocab.tokens.length }, 17);
  const path = join(dir, `${name}.gguf`);
  writeGgufFile(path, { metadata: [...llamaGgufMetadata(weights.config, name), ...spmGgufMetadata(vocab)], tensors: llamaGgufTensors(weights, matrixType) });
  return { path, weights };
}

const C = 128;
const specs: { name: string; config: LlamaConfig; type: string }[] = [
  { name: 'tiny', config: { vocabSize: 259 + FIXTURE_PIECES.length, dim: 64, layers: 2, heads: 4, kvHeads: 2, hiddenDim: 96, contextLength: C, normEps: 1e-5, ropeTheta: 10_000, tiedEmbeddings: false }, type: 'F32' },
  {
    name: 'generated',
    config: { vocabSize: flag('vocab', 32_000), dim: flag('dim', 768), layers: flag('layers', 12), heads: flag('heads', 12), kvHeads: flag('heads', 12), hiddenDim: flag('hidden', 2048), contextLength: C, normEps: 1e-5, ropeTheta: 10_000, tiedEmbeddings: true },
    type: 'Q8_0',
  },
];

const results: Record<string, unknown>[] = [];
/**
 * The whole-step program makes embedding tables resident as kernel vectors, which are limited to 2^24 bytes; a
 * larger table (32,000 × 768 here) runs on the per-node path (programOps empty) — a known limit (docs/llm.md).
 */
const runnerOptions = (m: LoadedModel) => {
  const big = m.nodes.some((n) => n.op === 'gather' && n.p[0]! * n.size > 2 ** 24);
  return big ? { kernels: wasm, programOps: new Set<number>() } : { kernels: wasm };
};
const say = (s: string): void => void process.stderr.write(`[bench/llm ${new Date().toISOString()}] ${s}\n`);
const wasm = await loadWasmKernels();
for (const spec of specs) {
  const t0 = performance.now();
  say(`${spec.name}: writing GGUF`);
  const { path, weights } = writeModel(spec.name, spec.config, spec.type);
  say(`${spec.name}: importing`);
  const imported = importModel(path, { name: spec.name, contextLength: C, calibrationSequences: spec.name === 'tiny' ? 8 : 2 });
  const model: LoadedModel = imported.model;
  const hsm = join(dir, `${spec.name}.hsm`);
  writeFileSync(hsm, encodeModelFile(model));
  const importSeconds = (performance.now() - t0) / 1000;
  const tok = model.layout.tokenizer as TextTokenizer;
  const text = tok.encode(CALIBRATION_TEXT.split('\n\n').slice(-3).join('\n\n')).slice(0, C);
  const ref = await loadLlamaCpp(path, C);
  const r: Record<string, unknown> = { model: spec.name, parameters: countParameters(weights.config), ggufType: spec.type, weightsBytes: model.weights.length, nodes: model.nodes.length, importSeconds: Math.round(importSeconds) };

  if (only.has('quality')) {
    say(`${spec.name}: quality`);
    const steps = spec.name === 'tiny' ? text.length : Math.min(text.length, 48);
    const seq = text.slice(0, steps);
    const runner = new Runner(model, runnerOptions(model));
    const run = runner.run({ prompt: seq, maxTokens: 1 }, { trace: true });
    runner.close();
    const { stepElements, offsets } = model.layout;
    const logitsNode = model.meta.nodeNames!.indexOf('logits');
    const logitScale = model.meta.provenance!.logitScale as number;
    const f = new FloatLlama({ ...weights, config: { ...weights.config, contextLength: C } });
    const probs = await ref.probabilities(seq, 1);
    let agreeFloat = 0;
    let agreeCpp = 0;
    let nllInt = 0;
    let nllFloat = 0;
    for (let t = 0; t + 1 < seq.length; t++) {
      const fl = softmax(f.step(seq[t]!));
      const ours = run.trace![t * stepElements + offsets[model.meta.outputNode]!]!;
      if (ours === argmax(fl)) agreeFloat++;
      if (ours === [...probs[t]!.keys()][0]) agreeCpp++;
      // the integer logits are int32 at one scale (meta.provenance.logitScale = the real value of one step)
      const il = run.trace!.subarray(t * stepElements + offsets[logitsNode]!, t * stepElements + offsets[logitsNode]! + fl.length);
      nllFloat -= Math.log(fl[seq[t + 1]!]!);
      nllInt -= Math.log(softmax(Array.from(il, (v) => v * logitScale))[seq[t + 1]!]!);
    }
    const n = seq.length - 1;
    f.step(seq.at(-1)!);
    r.quality = { tokens: n, top1AgreementFloat: agreeFloat / n, top1AgreementLlamaCpp: agreeCpp / n, perplexityFloat: Math.exp(nllFloat / n), perplexityInteger: Math.exp(nllInt / n), perplexityRatio: Math.exp((nllInt - nllFloat) / n) };
  }

  if (only.has('speed')) {
    say(`${spec.name}: speed`);
    const prompt = text.slice(0, 8);
    const gen = 64;
    const runner = new Runner(model, runnerOptions(model));
    r.path = runnerOptions(model).programOps ? 'per-node (embedding table > 2^24 bytes)' : 'whole-step program';
    runner.run({ prompt, maxTokens: 4 }); // warm-up
    const rounds = flag('rounds', 3);
    const ours: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const s = performance.now();
      const out = runner.run({ prompt, maxTokens: gen });
      ours.push((out.output.length * 1000) / (performance.now() - s));
    }
    runner.close();
    const cpp: Record<number, number[]> = { 1: [], 2: [] };
    for (const threads of [1, 2]) {
      const ctx = await ref.model.createContext({ contextSize: C, threads });
      const seq = ctx.getSequence();
      say(`${spec.name}: llama.cpp ${threads} thread(s)`);
      for (let i = 0; i < rounds; i++) {
        await seq.clearHistory();
        const s = performance.now();
        let count = 0;
        for await (const _ of seq.evaluate(prompt as never, { temperature: 0 })) if (++count >= gen) break;
        cpp[threads]!.push((count * 1000) / (performance.now() - s));
      }
      await ctx.dispose();
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    r.speed = {
      generatedTokens: gen,
      oursTokensPerSecond: Math.round(med(ours) * 10) / 10,
      llamaCpp1TokensPerSecond: Math.round(med(cpp[1]!) * 10) / 10,
      llamaCpp2TokensPerSecond: Math.round(med(cpp[2]!) * 10) / 10,
      ratioOursToLlamaCpp1: Math.round((med(ours) / med(cpp[1]!)) * 1000) / 1000,
      note: 'the engine runs one thread; prompt processing included in both',
    };
  }

  if (only.has('memory')) {
    say(`${spec.name}: memory`);
    const m = JSON.parse(execFileSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, '--child-memory', hsm], { maxBuffer: 1 << 20 }).toString()) as { before: number; after: number };
    const kv = model.nodes.filter((n) => n.op === 'attn_scores').reduce((a, n) => a + C * model.nodes[n.b]!.size, 0);
    r.memory = { residentBytes: m.after - m.before, int8WeightBytes: model.weights.length, kvCacheBytes: kv, residentPerWeightAndKvByte: Math.round(((m.after - m.before) / (model.weights.length + kv)) * 100) / 100, note: 'RSS growth of a child process from after loading the engine and kernels to after decoding the file and one 32-token run: the file bytes (freed only by GC), the decoded weights, the kernels copy of the matrices, KV caches and value sets' };
  }
  await ref.dispose();
  results.push(r);
}
await (await llamaCpp()).dispose();
rmSync(dir, { recursive: true, force: true });

process.stdout.write(
  JSON.stringify({ name: 'llm', machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((x) => Math.round(x * 10) / 10) }, node: process.version, results }, null, 1) + '\n',
);
