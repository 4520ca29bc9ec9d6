/**
 * The input rules of the task a model was trained on (whitepaper §2.2.3: fortification challenges are instances
 * of a known task; issue 10 §5). A model declares its task in its hashed metadata (`provenance.task`, written by
 * its build script); the rules of each known task live with the task itself (sort-task.ts, glyph-task.ts), so
 * there is one definition of "a valid prompt" for the generator, the grader and the model's users.
 *
 * Off-task inputs still run deterministically (a trace and its proofs are valid for any input), but the model
 * was never trained on them and answers confidently and wrongly: `hyperspace model run` refuses them unless
 * asked to run anyway (docs/models.md "Off-task prompts").
 */
import type { ModelMeta } from '../graph.ts';
import { GLYPH_TASK_SPEC } from './glyph-task.ts';
import { SORT_TASK_SPEC, TaskPromptError, solveTask } from './sort-task.ts';

export interface TaskInputRules {
  /** Task identifier, as models write it in `provenance.task`. */
  readonly task: string;
  /** One line for a user: the inputs the model was trained to answer. */
  readonly summary: string;
  /** Why a text prompt is not an instance of the task, or null when it is (generate models). */
  checkPrompt?(prompt: string): string | null;
  /** Why an input vector is not an instance of the task, or null when it is (classify models). */
  checkVector?(vector: ArrayLike<number>): string | null;
}

const sortRules: TaskInputRules = {
  task: SORT_TASK_SPEC.name,
  summary: `${SORT_TASK_SPEC.minLength}–${SORT_TASK_SPEC.maxLength} distinct letters from ${SORT_TASK_SPEC.alphabet[0]}–${SORT_TASK_SPEC.alphabet.at(-1)} followed by '${SORT_TASK_SPEC.separator}', e.g. 'hcafbd${SORT_TASK_SPEC.separator}'`,
  checkPrompt(prompt) {
    try {
      solveTask(prompt);
      return null;
    } catch (error) {
      if (error instanceof TaskPromptError) return error.details.reason;
      throw error;
    }
  },
};

const GLYPH_PIXELS = GLYPH_TASK_SPEC.side * GLYPH_TASK_SPEC.side;
const glyphRules: TaskInputRules = {
  task: GLYPH_TASK_SPEC.name,
  summary: `${GLYPH_PIXELS} grey levels in [0, 127], an ${GLYPH_TASK_SPEC.side}×${GLYPH_TASK_SPEC.side} image row by row`,
  checkVector(vector) {
    if (vector.length !== GLYPH_PIXELS) return `needs ${GLYPH_PIXELS} pixels, got ${vector.length}`;
    for (let i = 0; i < vector.length; i++) {
      const v = vector[i]!;
      if (!(Number.isInteger(v) && v >= 0 && v <= 127)) return `pixel ${i} is ${v}, outside [0, 127]`;
    }
    return null;
  },
};

/** The tasks whose rules are known, by name. */
export const TASK_RULES: ReadonlyMap<string, TaskInputRules> = new Map([sortRules, glyphRules].map((r) => [r.task, r]));

/** The rules of the task `meta` declares, or null when it declares none we know. */
export function taskRulesOf(meta: ModelMeta): TaskInputRules | null {
  const task = meta.provenance?.task;
  return typeof task === 'string' ? (TASK_RULES.get(task) ?? null) : null;
}

/** Why `input` is outside the declared task of the model, or null (also when the model declares no known task). */
export function offTaskReason(meta: ModelMeta, input: { prompt?: string; vector?: ArrayLike<number> }): { task: string; summary: string; reason: string } | null {
  const rules = taskRulesOf(meta);
  if (rules === null) return null;
  const reason = input.prompt !== undefined ? (rules.checkPrompt?.(input.prompt) ?? null) : input.vector !== undefined ? (rules.checkVector?.(input.vector) ?? null) : null;
  return reason === null ? null : { task: rules.task, summary: rules.summary, reason };
}
