/**
 * Builds models/ffn-glyphs.hsm: the feed-forward net of whitepaper §2.2.5 (64 → 128 → 64 → 10, ReLU), trained
 * on noisy 8×8 digit glyphs (src/engine/tasks/glyph-task.ts), converted to the integer engine.
 *
 *   node_modules/.bin/node models/build-ffn-glyphs.ts [--steps N] [--seed S]
 *
 * Deterministic: fixed seeds, no wall-clock dependence. Progress goes to stderr.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encodeModelFile, prepareModel } from '../src/engine/model-file.ts';
import { Runner } from '../src/engine/runner.ts';
import { generateGlyphs, GLYPH_TASK_SPEC } from '../src/engine/tasks/glyph-task.ts';
import { Adam } from '../src/engine/train/adam.ts';
import { initMlp, mlpBackward, mlpForward, mlpParameterCount, mlpPredict, zerosLikeMlp } from '../src/engine/train/float-mlp.ts';
import { calibrateMlp, quantizeMlp } from '../src/engine/train/quantize-mlp.ts';
import { glyphTaskAccuracy } from '../src/engine/tasks/task-accuracy.ts';

/** Seed of the held-out evaluation images (training uses per-step seeds). */
export const GLYPH_EVAL_SEED = 0x5eed_61f0;

const here = new URL('.', import.meta.url).pathname;
const { values } = parseArgs({ options: { steps: { type: 'string', default: '6000' }, seed: { type: 'string', default: '1' } } });
const steps = Number(values.steps);
const seed = Number(values.seed);
const SIZES = [GLYPH_TASK_SPEC.side ** 2, 128, 64, GLYPH_TASK_SPEC.classes];
const BATCH = 32;
const LR = 2e-3;
const toFloat = (pixels: Int8Array): number[] => Array.from(pixels, (v) => v / 127);

const started = performance.now();
const p = initMlp(SIZES, seed);
const grads = zerosLikeMlp(p);
const tensors = [...p.weights, ...p.biases];
const gradTensors = [...grads.weights, ...grads.biases];
const adam = new Adam(tensors, tensors.map((_, i) => i < p.weights.length));
process.stderr.write(`training MLP ${SIZES.join(' → ')} (${mlpParameterCount(p)} parameters), ${steps} steps of ${BATCH}\n`);
let loss = 0;
let correct = 0;
for (let step = 0; step < steps; step++) {
  for (const g of gradTensors) g.fill(0);
  // Fresh examples every step (seed derived from the step): the net never sees the same image twice.
  for (const ex of generateGlyphs((Math.imul(step + 1, 0x9e3779b1) ^ seed) >>> 0, BATCH)) {
    const r = mlpBackward(p, mlpForward(p, toFloat(ex.pixels)), ex.label, 1 / BATCH, grads);
    loss += r.loss;
    correct += r.correct ? 1 : 0;
  }
  const lr = LR * 0.5 * (1 + Math.cos((Math.PI * step) / steps));
  adam.step(gradTensors, lr);
  if ((step + 1) % 1000 === 0) {
    process.stderr.write(`step ${step + 1} loss ${(loss / (1000 * BATCH)).toFixed(4)} train-acc ${(correct / (1000 * BATCH)).toFixed(4)}\n`);
    loss = correct = 0;
  }
}
const trainMs = performance.now() - started;
const evalSet = generateGlyphs(GLYPH_EVAL_SEED, 2000);
const floatAcc = evalSet.filter((ex) => mlpPredict(p, toFloat(ex.pixels)) === ex.label).length / evalSet.length;
process.stderr.write(`float accuracy on ${evalSet.length} held-out images: ${floatAcc} (trained in ${(trainMs / 1000).toFixed(1)} s)\n`);

const calibration = calibrateMlp(p, generateGlyphs(0xca11b, 2000).map((ex) => toFloat(ex.pixels)));
const model = prepareModel(quantizeMlp(p, 1 / 127, calibration, {
  name: 'ffn-glyphs',
  description: 'Feed-forward net of whitepaper §2.2.5: 64 → 128 → 64 → 10 ReLU MLP classifying noisy 8×8 digit glyphs (src/engine/tasks/glyph-task.ts). Input: 64 int8 pixels in [0, 127]; output: the digit.',
  task: 'classify',
  contextLength: 1,
  vocabSize: GLYPH_TASK_SPEC.classes,
  provenance: { script: 'models/build-ffn-glyphs.ts', seed, steps, floatAccuracy: floatAcc, task: GLYPH_TASK_SPEC.name },
}));
const intAcc = glyphTaskAccuracy(new Runner(model), evalSet);
process.stderr.write(`integer accuracy on ${evalSet.length} held-out images: ${intAcc}\n`);
const bytes = encodeModelFile(model);
writeFileSync(`${here}ffn-glyphs.hsm`, bytes);
process.stderr.write(`wrote models/ffn-glyphs.hsm: ${bytes.length} bytes, ${model.nodes.length} nodes, model hash 0x${Buffer.from(model.modelHash).toString('hex')}\n`);
