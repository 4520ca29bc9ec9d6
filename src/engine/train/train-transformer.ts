/**
 * The float training loop for the shipped transformer (DESIGN.md §1.7; whitepaper §2.2.6): minibatch AdamW on
 * answer-token cross-entropy, linear warm-up then cosine decay, gradient-norm clipping, and quantisation-aware
 * training (per-row int8 fake-quantised matrices and embeddings) for the last `qatFraction` of the steps.
 *
 * Pure: time comes from an injected Clock (only to honour a wall-clock deadline, which the caller may leave
 * unset for bit-reproducible runs) and progress goes to an injected log function.
 */
import type { Clock } from '../../common/clock.ts';
import { Adam } from './adam.ts';
import { fakeQuantRows } from './fake-quant.ts';
import {
  backward, crossEntropy, forward, initTransformer, namedTensors, zerosLike,
  type TransformerConfig, type TransformerParams,
} from './float-transformer.ts';

/** One training sequence: token ids and which positions predict a supervised next token. */
export interface TrainSequence {
  tokens: number[];
  /** mask[t] = true when logits at t (predicting tokens[t+1]) count in the loss. */
  mask: boolean[];
}

export interface TrainOptions {
  config: TransformerConfig;
  /** Initialisation seed (uint32). */
  seed: number;
  steps: number;
  batchSize: number;
  /** Peak learning rate. */
  lr: number;
  warmupSteps: number;
  /** Fraction of the final steps trained with fake-quantised weights (0 = none). */
  qatFraction: number;
  /** Global gradient-norm clip. */
  clipNorm: number;
  /** Stop early after this many ms of clock time (the machine is shared); Infinity = never. */
  deadlineMs: number;
  /** Log every this many steps. */
  logEvery: number;
  /** The batch for `step`: must be deterministic in `step` for a reproducible run. */
  batch: (step: number) => TrainSequence[];
  /** Optional held-out evaluation run at each log line, e.g. exact-match accuracy of greedy answers. */
  evaluate?: (params: TransformerParams, quantised: boolean) => number;
  /** Called at each log line with the current master weights (checkpointing). */
  checkpoint?: (params: TransformerParams, step: number) => void;
}

export interface TrainResult {
  params: TransformerParams;
  steps: number;
  finalLoss: number;
  elapsedMs: number;
  stoppedByDeadline: boolean;
}

/** Names of tensors that are fake-quantised (and weight-decayed): every matrix and embedding table. */
export function isMatrix(name: string): boolean {
  return /(tokEmb|posEmb|wq|wk|wv|wo|w1|w2|wout)$/.test(name);
}

/** (rows, cols) of a named tensor under `c`. */
export function tensorShape(name: string, c: TransformerConfig): [number, number] {
  const d = c.dModel;
  if (name === 'tokEmb' || name === 'wout') return [c.vocabSize, d];
  if (name === 'posEmb') return [c.context, d];
  if (name.endsWith('w1')) return [c.hidden, d];
  if (name.endsWith('w2')) return [d, c.hidden];
  if (name.endsWith('b1')) return [1, c.hidden];
  if (/(wq|wk|wv|wo)$/.test(name)) return [d, d];
  return [1, d];
}

/** A copy of `p` whose matrices are rounded to per-row int8 (as floats); other tensors are shared. */
export function fakeQuantised(p: TransformerParams, c: TransformerConfig, into?: TransformerParams): TransformerParams {
  const out = into ?? zerosLike(p);
  const src = namedTensors(p);
  const dst = namedTensors(out);
  src.forEach(([name, t], k) => {
    const o = dst[k]![1];
    if (isMatrix(name)) {
      const [rows, cols] = tensorShape(name, c);
      fakeQuantRows(t, rows, cols, o);
    } else o.set(t);
  });
  return out;
}

export function trainTransformer(options: TrainOptions, clock: Clock, log: (line: string) => void): TrainResult {
  const c = options.config;
  const params = initTransformer(c, options.seed);
  const grads = zerosLike(params);
  const named = namedTensors(params);
  const gradList = namedTensors(grads).map(([, t]) => t);
  const adam = new Adam(named.map(([, t]) => t), named.map(([name]) => isMatrix(name)));
  const qatFrom = Math.floor(options.steps * (1 - options.qatFraction));
  const started = clock.now();
  let quantCopy: TransformerParams | undefined;
  let lossSum = 0;
  let tokSum = 0;
  let correctSum = 0;
  let finalLoss = NaN;
  let step = 0;
  let stoppedByDeadline = false;
  for (; step < options.steps; step++) {
    if (clock.now() - started > options.deadlineMs) {
      stoppedByDeadline = true;
      break;
    }
    const qat = step >= qatFrom && options.qatFraction > 0;
    const fwdParams = qat ? (quantCopy = fakeQuantised(params, c, quantCopy)) : params;
    for (const g of gradList) g.fill(0);
    const batch = options.batch(step);
    const targets = batch.reduce((n, s) => n + s.mask.filter(Boolean).length, 0);
    for (const seq of batch) {
      const cache = forward(c, fwdParams, seq.tokens);
      const ce = crossEntropy(c, cache, seq.mask, 1 / targets);
      backward(c, fwdParams, cache, ce.dlogits, grads);
      lossSum += ce.loss;
      tokSum += ce.count;
      correctSum += ce.correct;
    }
    let norm = 0;
    for (const g of gradList) for (let i = 0; i < g.length; i++) norm += g[i]! ** 2;
    norm = Math.sqrt(norm);
    if (norm > options.clipNorm) for (const g of gradList) for (let i = 0; i < g.length; i++) g[i] = g[i]! * (options.clipNorm / norm);
    const lr = step < options.warmupSteps
      ? (options.lr * (step + 1)) / options.warmupSteps
      : options.lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * (step - options.warmupSteps)) / Math.max(1, options.steps - options.warmupSteps))));
    adam.step(gradList, lr);
    if ((step + 1) % options.logEvery === 0 || step + 1 === options.steps) {
      finalLoss = lossSum / tokSum;
      const acc = options.evaluate?.(qat ? fakeQuantised(params, c) : params, qat);
      log(`step ${step + 1}/${options.steps} loss ${finalLoss.toFixed(4)} token-acc ${(correctSum / tokSum).toFixed(4)}` +
        (acc === undefined ? '' : ` eval-acc ${acc.toFixed(4)}`) + ` lr ${lr.toExponential(2)}${qat ? ' qat' : ''} ${((clock.now() - started) / 1000).toFixed(0)}s`);
      lossSum = tokSum = correctSum = 0;
      options.checkpoint?.(params, step + 1);
    }
  }
  return { params, steps: step, finalLoss, elapsedMs: clock.now() - started, stoppedByDeadline };
}
