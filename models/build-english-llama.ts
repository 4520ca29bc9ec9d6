/**
 * Trains the shipped English language model (issue 17; whitepaper §2.2.6; docs/models.md "english-llama"):
 * a Llama-architecture decoder on Debian's `fortunes` (BSD licence), with a SentencePiece-style BPE vocabulary
 * trained here, then writes it as GGUF (models/english-llama.gguf, which llama.cpp runs) and imports that GGUF
 * into the integer engine (models/english-llama.hsm).
 *
 *   apt-get install fortunes      # as root, once
 *   nice -n 19 node_modules/.bin/node models/build-english-llama.ts [--minutes 60] [--steps N] [--dim 96 --layers 3
 *       --heads 4 --hidden 256 --vocab 512 --context 64 --batch 8] [--out models/english-llama]
 *
 * Deterministic given the same package version and the same number of steps (a run stopped by --minutes is
 * reproducible with --steps set to the step it reached). Every --every steps (and at the end) it evaluates the
 * held-out loss, writes the GGUF and the .hsm, and logs a greedy sample, so an interrupted run still leaves files.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SeededRandom } from '../src/common/clock.ts';
import { writeGgufFile } from '../src/engine/gguf/gguf-writer.ts';
import { readFortunes } from '../src/engine/llm/english-corpus.ts';
import { importModel } from '../src/engine/llm/import-model.ts';
import type { LlamaConfig } from '../src/engine/llm/llama-config.ts';
import { llamaGgufMetadata, llamaGgufTensors } from '../src/engine/llm/llama-gguf.ts';
import { FloatLlama } from '../src/engine/llm/float-llama.ts';
import { backward, crossEntropy, forward, initParams, namedParams, toLlamaWeights, zerosLike } from '../src/engine/llm/train-llama.ts';
import { encodeModelFile } from '../src/engine/model-file.ts';
import { Adam } from '../src/engine/train/adam.ts';
import { spmGgufMetadata } from '../src/engine/tokenizers/from-gguf.ts';
import { SpmTokenizer, type SpmVocab } from '../src/engine/tokenizers/spm.ts';
import { TOKEN_TYPE } from '../src/engine/tokenizers/tokenizer-types.ts';
import { trainBpe } from '../src/engine/tokenizers/train-bpe.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' }, steps: { type: 'string', default: '100000' }, every: { type: 'string', default: '100' },
    dim: { type: 'string', default: '96' }, layers: { type: 'string', default: '3' }, heads: { type: 'string', default: '4' }, hidden: { type: 'string', default: '256' },
    vocab: { type: 'string', default: '512' }, context: { type: 'string', default: '64' }, batch: { type: 'string', default: '8' }, lr: { type: 'string', default: '0.003' },
    out: { type: 'string', default: new URL('./english-llama', import.meta.url).pathname },
  },
});
const num = (k: keyof typeof values): number => Number(values[k]);
const log = (s: string): void => void process.stderr.write(`${new Date().toISOString()} ${s}\n`);
const started = Date.now();

// ---- data and tokenizer
const corpus = readFortunes();
log(`fortunes: ${corpus.files.length} files, ${corpus.train.length} train / ${corpus.heldOut.length} held-out documents`);
const words = (text: string): string[][] => text.split('\n').flatMap((line, li) => [...(li > 0 ? [['\n']] : []), ...line.split(' ').filter((w) => w.length > 0).map((w) => Array.from('▁' + w))]);
const chars = new Set<string>();
for (const d of corpus.train) for (const ch of d.replaceAll(' ', '▁')) chars.add(ch);
const base = ['<unk>', '<s>', '</s>', ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)];
const alphabet = [...chars].sort();
const merges = trainBpe(corpus.train.flatMap(words), num('vocab') - base.length - alphabet.length).merges;
const pieces = [...alphabet, ...merges.map(([a, b]) => a + b)];
const vocab: SpmVocab = {
  tokens: [...base, ...pieces],
  // merged pieces score by merge order (earlier = higher); single characters lowest, bytes and specials 0
  scores: [...base.map(() => 0), ...alphabet.map(() => -1e6), ...merges.map((_, i) => -i)],
  types: [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control, ...Array(256).fill(TOKEN_TYPE.byte), ...pieces.map(() => TOKEN_TYPE.normal)],
  bosId: 1, eosId: 2, unkId: 0, addSpacePrefix: true,
};
const tok = new SpmTokenizer(vocab);
const C = num('context');
const encodeDoc = (d: string): number[] => [vocab.bosId, ...tok.encode(d), vocab.eosId];
const trainSeqs = corpus.train.map(encodeDoc).flatMap((s) => Array.from({ length: Math.ceil(s.length / C) }, (_, i) => s.slice(i * C, i * C + C))).filter((s) => s.length >= 2);
const heldSeqs = corpus.heldOut.map(encodeDoc).map((s) => s.slice(0, C)).filter((s) => s.length >= 2).slice(0, 50);
log(`vocabulary ${vocab.tokens.length} (${alphabet.length} characters, ${merges.length} merges); ${trainSeqs.length} training sequences of ≤ ${C} tokens, ${trainSeqs.reduce((a, s) => a + s.length, 0)} tokens`);

// ---- model and training
const config: LlamaConfig = { vocabSize: vocab.tokens.length, dim: num('dim'), layers: num('layers'), heads: num('heads'), kvHeads: num('heads'), hiddenDim: num('hidden'), contextLength: C, normEps: 1e-5, ropeTheta: 10_000, tiedEmbeddings: false };
const params = initParams(config, 1);
const named = namedParams(params);
const adam = new Adam(named.map(([, t]) => t), named.map(([n]) => !/Norm/.test(n)), { beta2: 0.99, weightDecay: 0.01 });
const rng = new SeededRandom(2);
const B = num('batch');
const maxSteps = num('steps');
const deadline = started + num('minutes') * 60_000;
const warmup = 100;
const lrAt = (s: number): number => num('lr') * Math.min(1, (s + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(s, maxSteps)) / maxSteps)));

function heldOutLoss(): number {
  let loss = 0;
  let count = 0;
  for (const s of heldSeqs) {
    const r = crossEntropy(config, forward(config, params, s), 1);
    loss += r.loss;
    count += r.count;
  }
  return loss / count;
}

function sample(prompt: string, n: number): string {
  const f = new FloatLlama(toLlamaWeights(config, params));
  const ids = [vocab.bosId, ...tok.encode(prompt)];
  let logits: Float32Array = new Float32Array(0);
  for (const t of ids) logits = f.step(t);
  const out: number[] = [];
  for (let i = 0; i < n && ids.length + out.length < C; i++) {
    let best = 0;
    for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
    if (best === vocab.eosId) break;
    out.push(best);
    logits = f.step(best);
  }
  return tok.decode(out);
}

function save(step: number, loss: number): void {
  const out = values.out!;
  const w = toLlamaWeights(config, params);
  writeGgufFile(`${out}.gguf`, { metadata: [...llamaGgufMetadata(config, 'english-llama'), ...spmGgufMetadata(vocab)], tensors: llamaGgufTensors(w, 'F32') });
  const imported = importModel(`${out}.gguf`, { name: 'english-llama', contextLength: C });
  writeFileSync(`${out}.hsm`, encodeModelFile(imported.model));
  writeFileSync(`${out}.json`, JSON.stringify({ step, heldOutLoss: loss, heldOutPerplexity: Math.exp(loss), config, seconds: Math.round((Date.now() - started) / 1000), params: named.reduce((a, [, t]) => a + t.length, 0) }, null, 1) + '\n');
  log(`saved step ${step}: ${out}.gguf, .hsm (${imported.model.weights.length} weight bytes), held-out loss ${loss.toFixed(3)}`);
}

let step = 0;
let running = 0;
for (; step < maxSteps && Date.now() < deadline; step++) {
  const grads = zerosLike(params);
  let loss = 0;
  let count = 0;
  const batch = Array.from({ length: B }, () => trainSeqs[rng.nextU32() % trainSeqs.length]!);
  const total = batch.reduce((a, s) => a + s.length - 1, 0);
  for (const s of batch) {
    const cache = forward(config, params, s);
    const ce = crossEntropy(config, cache, 1 / total);
    backward(config, params, cache, ce.dlogits, grads);
    loss += ce.loss;
    count += ce.count;
  }
  // gradient clipping at global norm 1
  const g = namedParams(grads).map(([, t]) => t);
  const norm = Math.sqrt(g.reduce((a, t) => a + t.reduce((b, x) => b + x * x, 0), 0));
  if (norm > 1) for (const t of g) for (let i = 0; i < t.length; i++) t[i]! /= norm;
  adam.step(g, lrAt(step));
  running = step === 0 ? loss / count : 0.98 * running + 0.02 * (loss / count);
  if (step % 10 === 0) log(`step ${step} loss ${(loss / count).toFixed(3)} (avg ${running.toFixed(3)}) lr ${lrAt(step).toFixed(5)} ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (step > 0 && step % num('every') === 0) {
    const h = heldOutLoss();
    log(`held-out loss ${h.toFixed(3)} (perplexity ${Math.exp(h).toFixed(1)}); sample: ${JSON.stringify(sample('The', 30))}`);
    save(step, h);
  }
}
const h = heldOutLoss();
log(`finished at step ${step}: held-out loss ${h.toFixed(3)}; sample: ${JSON.stringify(sample('The', 40))}`);
save(step, h);
