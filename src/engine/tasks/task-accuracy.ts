/**
 * Accuracy of an integer model on its generated task, measured through the engine's runner (DESIGN.md §1.7:
 * a shipped model "must answer most prompts of its task correctly"). Used by the model build scripts and the
 * shipped-model test; a community server can use the same to vet a model before offering fortification
 * challenges with it.
 */
import type { Runner } from '../runner.ts';
import { Tokenizer } from '../tokenizer.ts';
import { scoreGlyph, type GlyphExample } from './glyph-task.ts';
import { scoreAnswer, SORT_TASK_SPEC, type TaskExample } from './sort-task.ts';

export interface SortAccuracy {
  accuracy: number;
  wrong: Array<TaskExample & { got: string }>;
}

/** Exact-match accuracy of greedy answers to sort-task prompts; the tokenizer comes from the model's metadata. */
export function sortTaskAccuracy(runner: Runner, examples: readonly TaskExample[]): SortAccuracy {
  const tokenizer = new Tokenizer(runner.model.meta.vocab ?? []);
  let ok = 0;
  const wrong: SortAccuracy['wrong'] = [];
  for (const ex of examples) {
    const r = runner.run({ prompt: tokenizer.encode(ex.prompt), maxTokens: SORT_TASK_SPEC.maxLength + 1 });
    const got = tokenizer.decode(r.output);
    if (scoreAnswer(ex.prompt, got)) ok++;
    else wrong.push({ ...ex, got });
  }
  return { accuracy: examples.length === 0 ? 0 : ok / examples.length, wrong };
}

/** Fraction of glyph images a classify model labels correctly (its output is the class id). */
export function glyphTaskAccuracy(runner: Runner, examples: readonly GlyphExample[]): number {
  let ok = 0;
  for (const ex of examples) if (scoreGlyph(ex, runner.run({ vector: ex.pixels }).output[0]!)) ok++;
  return examples.length === 0 ? 0 : ok / examples.length;
}
