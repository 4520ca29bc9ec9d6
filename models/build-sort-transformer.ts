/**
 * Builds models/sort-transformer.*: trains the float transformer on the sort-letters task
 * (src/engine/tasks/sort-task.ts), saves a float checkpoint, then converts it to the integer engine.
 *
 *   node_modules/.bin/node models/build-sort-transformer.ts [--steps N] [--minutes M] [--skip-train]
 *
 * Progress goes to stderr. Deterministic for a given --steps when the deadline is not hit.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/common/clock.ts';
import { generateTask, scoreAnswer } from '../src/engine/tasks/sort-task.ts';
import { decodeCheckpoint, encodeCheckpoint } from '../src/engine/train/checkpoint.ts';
import { generateGreedy, parameterCount, type TransformerConfig, type TransformerParams } from '../src/engine/train/float-transformer.ts';
import { trainTransformer } from '../src/engine/train/train-transformer.ts';
import { encodeModelFile, prepareModel } from '../src/engine/model-file.ts';
import { Runner } from '../src/engine/runner.ts';
import { calibrate, quantizeTransformer } from '../src/engine/train/quantize-transformer.ts';
import { sortTaskAccuracy } from '../src/engine/tasks/task-accuracy.ts';
import { EVAL_SEED, SORT_CONTEXT, SORT_TOKENIZER, sortBatch, toSequence } from './sort-task-data.ts';

/** Seed of the calibration prompts (activation ranges for the int8 scales). */
const CALIBRATION_SEED = 0xca11b;

const here = new URL('.', import.meta.url).pathname;
const CHECKPOINT = `${here}checkpoints/sort-transformer.float.json`;

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2500' },
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    'skip-train': { type: 'boolean', default: false },
    hidden: { type: 'string', default: '128' },
  },
});

export const CONFIG: TransformerConfig = {
  vocabSize: SORT_TOKENIZER.size,
  context: SORT_CONTEXT,
  dModel: 64,
  heads: 4,
  layers: 2,
  hidden: Number(values.hidden),
};

function floatAccuracy(config: TransformerConfig, params: TransformerParams, count: number): number {
  let ok = 0;
  for (const ex of generateTask(EVAL_SEED, count)) {
    const out = generateGreedy(config, params, SORT_TOKENIZER.encode(ex.prompt), config.context, SORT_TOKENIZER.eosId);
    if (scoreAnswer(ex.prompt, SORT_TOKENIZER.decode(out))) ok++;
  }
  return ok / count;
}

const seed = Number(values.seed);
let steps = Number(values.steps);
mkdirSync(`${here}checkpoints`, { recursive: true });
let params: TransformerParams;
if (values['skip-train'] && existsSync(CHECKPOINT)) {
  const ck = decodeCheckpoint(readFileSync(CHECKPOINT, 'utf8'));
  params = ck.params;
  steps = Number(ck.info.steps); // provenance records what the checkpoint was trained with
  process.stderr.write(`loaded ${CHECKPOINT}\n`);
} else {
  process.stderr.write(`training ${parameterCount((await import('../src/engine/train/float-transformer.ts')).initTransformer(CONFIG, seed))} parameters, ${JSON.stringify(CONFIG)}\n`);
  const result = trainTransformer({
    config: CONFIG, seed, steps, batchSize: 32, lr: 3e-3, warmupSteps: 100, qatFraction: 0.2, clipNorm: 1,
    deadlineMs: Number(values.minutes) * 60_000, logEvery: 250,
    batch: (step) => sortBatch(seed, step, 32),
    evaluate: (p) => floatAccuracy(CONFIG, p, 200),
    checkpoint: (p, step) => writeFileSync(CHECKPOINT, encodeCheckpoint({ config: CONFIG, params: p, info: { seed, step } })),
  }, systemClock, (line) => process.stderr.write(`${line}\n`));
  params = result.params;
  process.stderr.write(`trained ${result.steps} steps in ${(result.elapsedMs / 1000).toFixed(0)} s${result.stoppedByDeadline ? ' (deadline)' : ''}\n`);
  writeFileSync(CHECKPOINT, encodeCheckpoint({ config: CONFIG, params, info: { seed, steps: result.steps, loss: result.finalLoss, ms: result.elapsedMs } }));
}
const floatAcc = floatAccuracy(CONFIG, params, 500);
process.stderr.write(`float accuracy on 500 held-out prompts: ${floatAcc}\n`);

// ---- conversion to the integer engine
const calibration = calibrate(CONFIG, params, generateTask(CALIBRATION_SEED, 400).map((ex) => toSequence(ex).tokens));
const model = prepareModel(quantizeTransformer(CONFIG, params, calibration, {
  name: 'sort-transformer',
  description: 'Sorts 3-8 distinct letters a-p: prompt "hcafbd=" -> "abcdfh". 2-layer int8 decoder; task: src/engine/tasks/sort-task.ts.',
  task: 'generate',
  contextLength: SORT_CONTEXT,
  vocabSize: SORT_TOKENIZER.size,
  vocab: SORT_TOKENIZER.toJSON(),
  provenance: { script: 'models/build-sort-transformer.ts', seed, steps, floatAccuracy: floatAcc, task: 'sort-letters' },
}));
const runner = new Runner(model);
const { accuracy, wrong } = sortTaskAccuracy(runner, generateTask(EVAL_SEED, 2000));
process.stderr.write(`integer accuracy on 2000 held-out prompts: ${accuracy}; e.g. wrong ${JSON.stringify(wrong.slice(0, 5))}\n`);
const bytes = encodeModelFile(model);
writeFileSync(`${here}sort-transformer.hsm`, bytes);
process.stderr.write(`wrote models/sort-transformer.hsm: ${bytes.length} bytes, ${model.nodes.length} nodes, model hash 0x${Buffer.from(model.modelHash).toString('hex')}\n`);

