/**
 * The "sort letters" puzzle task: the generated task the shipped transformer is trained on, and the
 * inference-fortification challenge a community server sends a joining inference node (whitepaper §2.2.3;
 * DESIGN.md §1.4, §1.7).
 *
 * A prompt is 3–8 DISTINCT letters from `a`–`p` followed by `=`; the answer is the same letters in
 * alphabetical order: `hcafbd=` → `abcdfh`. Distinct letters make the answer unique and the task exactly
 * "find the smallest letter greater than the last one written", which a 2-layer attention model learns quickly.
 * There are Σ_{L=3..8} 16!/(16−L)! ≈ 5.8·10⁸ distinct prompts, so a server can draw fresh challenges forever.
 *
 * `generateTask(seed, count)` is deterministic: the same seed gives the same pairs on every machine (xoshiro128**
 * from `SeededRandom`, integer arithmetic only). `scoreAnswer(prompt, answer)` checks an answer WITHOUT a model,
 * so the server need not run inference to grade a challenge.
 */
import { BaseError } from '../../common/errors.ts';
import { SeededRandom } from '../../common/clock.ts';

export interface SortTaskSpec {
  /** Task identifier written into model metadata. */
  readonly name: string;
  /** Letters a prompt may use, in sort order. */
  readonly alphabet: string;
  /** Fewest letters in a prompt (inclusive). */
  readonly minLength: number;
  /** Most letters in a prompt (inclusive). */
  readonly maxLength: number;
  /** Ends every prompt; the answer follows it. */
  readonly separator: string;
}

export const SORT_TASK_SPEC: SortTaskSpec = {
  name: 'sort-letters',
  alphabet: 'abcdefghijklmnop', // 16 letters: small vocab (20 tokens with specials) yet ~5.8e8 prompts
  minLength: 3, // shorter prompts have too few (3,360 at L=3) distinct instances to be a challenge
  maxLength: 8, // 8 letters + '=' + 8 letters + BOS/EOS = 19 tokens: fits a 20-token context
  separator: '=',
};

export interface TaskExample {
  prompt: string;
  answer: string;
}

/** A prompt that is not a well-formed instance of the task (wrong letters, repeats, length, separator). */
export class TaskPromptError extends BaseError<{ prompt: string; reason: string }> {
  constructor(prompt: string, reason: string) {
    super('TASK_BAD_PROMPT', `bad task prompt: ${reason}`, { details: { prompt: prompt.slice(0, 64), reason } });
  }
}

/** Most examples one call may generate: bounds memory for a caller passing an untrusted count. */
export const MAX_GENERATE_COUNT = 1_000_000;

/** `count` prompt/answer pairs drawn from `seed` (uint32). Lengths are uniform over [minLength, maxLength]. */
export function generateTask(seed: number, count: number, spec: SortTaskSpec = SORT_TASK_SPEC): TaskExample[] {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new TaskPromptError(String(seed), 'seed must be a uint32');
  if (!Number.isInteger(count) || count < 0 || count > MAX_GENERATE_COUNT) {
    throw new TaskPromptError(String(count), `count must be an integer in [0, ${MAX_GENERATE_COUNT}]`);
  }
  const rng = new SeededRandom(seed);
  const letters = [...spec.alphabet];
  const out: TaskExample[] = [];
  for (let n = 0; n < count; n++) {
    const length = spec.minLength + uniformInt(rng, spec.maxLength - spec.minLength + 1);
    // Partial Fisher–Yates: the first `length` entries are a uniform sample without replacement, in random order.
    const pool = letters.slice();
    for (let i = 0; i < length; i++) {
      const j = i + uniformInt(rng, pool.length - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    const chosen = pool.slice(0, length);
    out.push({ prompt: chosen.join('') + spec.separator, answer: sortLetters(chosen, spec).join('') });
  }
  return out;
}

/** The correct answer to `prompt`; throws `TaskPromptError` if the prompt is not a valid instance. */
export function solveTask(prompt: string, spec: SortTaskSpec = SORT_TASK_SPEC): string {
  if (typeof prompt !== 'string') throw new TaskPromptError(String(prompt), 'not a string');
  if (prompt.length > spec.maxLength + spec.separator.length) throw new TaskPromptError(prompt, `too long: ${prompt.length} characters, at most ${spec.maxLength} letters and '${spec.separator}'`);
  if (!prompt.endsWith(spec.separator)) throw new TaskPromptError(prompt, `must end with '${spec.separator}'`);
  const chosen = [...prompt.slice(0, -spec.separator.length)];
  if (chosen.length < spec.minLength || chosen.length > spec.maxLength) {
    throw new TaskPromptError(prompt, `needs ${spec.minLength}–${spec.maxLength} letters, got ${chosen.length}`);
  }
  const seen = new Set<string>();
  for (const c of chosen) {
    if (!spec.alphabet.includes(c)) throw new TaskPromptError(prompt, `letter '${c}' is outside the alphabet`);
    if (seen.has(c)) throw new TaskPromptError(prompt, `letter '${c}' repeats`);
    seen.add(c);
  }
  return sortLetters(chosen, spec).join('');
}

/**
 * True iff `answer` is the correct answer to `prompt`. Exact match: no trimming, no case folding — the
 * model's output is decoded up to (not including) its end-of-sequence token. Throws `TaskPromptError` on a
 * malformed prompt (a server bug, not a wrong answer); a non-string answer is simply wrong.
 */
export function scoreAnswer(prompt: string, answer: string, spec: SortTaskSpec = SORT_TASK_SPEC): boolean {
  const expected = solveTask(prompt, spec);
  return typeof answer === 'string' && answer === expected;
}

function sortLetters(chosen: string[], spec: SortTaskSpec): string[] {
  return chosen.slice().sort((a, b) => spec.alphabet.indexOf(a) - spec.alphabet.indexOf(b));
}

/** Uniform integer in [0, n) by rejection, so no value is favoured for any n ≤ 2^32. */
function uniformInt(rng: SeededRandom, n: number): number {
  const limit = Math.floor(4294967296 / n) * n;
  for (;;) {
    const v = rng.nextU32();
    if (v < limit) return v % n;
  }
}
