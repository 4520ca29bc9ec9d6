/**
 * Shared by the sort-transformer build script and the shipped-model test: how task examples become token
 * sequences (DESIGN.md §1.7). Sequence = <bos> prompt answer <eos>; the loss covers the answer and <eos>.
 */
import { generateTask, SORT_TASK_SPEC, type TaskExample } from '../src/engine/tasks/sort-task.ts';
import { Tokenizer } from '../src/engine/tokenizer.ts';
import type { TrainSequence } from '../src/engine/train/train-transformer.ts';

/** Tokenizer of the sort task: <pad> <bos> <eos> '=' a … p (20 tokens). */
export const SORT_TOKENIZER = Tokenizer.fromAlphabet(SORT_TASK_SPEC.separator + SORT_TASK_SPEC.alphabet);

/** Longest sequence: <bos> + 8 letters + '=' + 8 letters + <eos>. */
export const SORT_CONTEXT = 2 * SORT_TASK_SPEC.maxLength + 3;

/** Seed of the held-out evaluation prompts; training batches use seeds derived from the step (see trainSeed). */
export const EVAL_SEED = 0x5eed_e7a1;

/** Seed of training batch `step` for run seed `seed`: a multiplicative hash, distinct from EVAL_SEED in practice. */
export function trainSeed(seed: number, step: number): number {
  return (Math.imul(step + 1, 0x9e3779b1) ^ Math.imul(seed, 0x85ebca6b)) >>> 0;
}

export function toSequence(ex: TaskExample): TrainSequence {
  const prompt = SORT_TOKENIZER.encode(ex.prompt);
  const answer = SORT_TOKENIZER.encode(ex.answer, { bos: false, eos: true });
  const tokens = [...prompt, ...answer];
  // Logits at position t predict tokens[t+1]: supervise t = prompt.length−1 … tokens.length−2.
  const mask = tokens.map((_, t) => t >= prompt.length - 1 && t < tokens.length - 1);
  return { tokens, mask };
}

export function sortBatch(seed: number, step: number, size: number): TrainSequence[] {
  return generateTask(trainSeed(seed, step), size).map(toSequence);
}

