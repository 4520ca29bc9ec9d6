import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateTask, scoreAnswer, solveTask, SORT_TASK_SPEC, TaskPromptError } from './sort-task.ts';

test('generateTask is deterministic for a seed and differs between seeds', () => {
  const a = generateTask(7, 200);
  const b = generateTask(7, 200);
  const c = generateTask(8, 200);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  // A prefix of a longer run is the shorter run: count does not perturb the stream.
  assert.deepEqual(generateTask(7, 50), a.slice(0, 50));
});

test('generated prompts follow the spec and answers are their sorted letters', () => {
  const lengths = new Map<number, number>();
  for (const { prompt, answer } of generateTask(1, 3000)) {
    assert.ok(prompt.endsWith('='));
    const letters = prompt.slice(0, -1);
    assert.equal(new Set(letters).size, letters.length, 'letters are distinct');
    assert.equal([...letters].sort().join(''), answer);
    assert.equal(solveTask(prompt), answer);
    assert.ok(scoreAnswer(prompt, answer));
    lengths.set(letters.length, (lengths.get(letters.length) ?? 0) + 1);
  }
  for (let l = SORT_TASK_SPEC.minLength; l <= SORT_TASK_SPEC.maxLength; l++) {
    // 3000 draws over 6 lengths: each about 500; 350 is > 6 sigma away.
    assert.ok((lengths.get(l) ?? 0) > 350, `length ${l} is drawn often enough`);
  }
  assert.equal(lengths.size, SORT_TASK_SPEC.maxLength - SORT_TASK_SPEC.minLength + 1);
});

test('scoreAnswer rejects wrong answers exactly', () => {
  assert.equal(scoreAnswer('hcafbd=', 'abcdfh'), true);
  for (const wrong of ['abcdhf', 'abcdf', 'abcdfhh', ' abcdfh', 'ABCDFH', 'abcdfh\n', '']) {
    assert.equal(scoreAnswer('hcafbd=', wrong), false, JSON.stringify(wrong));
  }
  assert.equal(scoreAnswer('hcafbd=', 42 as unknown as string), false);
});

test('malformed prompts are typed errors, not wrong answers', () => {
  for (const bad of ['hcafbd', 'ab=', 'abcdefghi=', 'abca=', 'abcz=', 'abcD=', '=abc', '', 'ab\u0000c=', 'x'.repeat(10_000)]) {
    assert.throws(() => scoreAnswer(bad, 'abc'), TaskPromptError, JSON.stringify(bad.slice(0, 20)));
  }
  assert.throws(() => solveTask(null as unknown as string), TaskPromptError);
  assert.throws(() => generateTask(-1, 1), TaskPromptError);
  assert.throws(() => generateTask(1, 1.5), TaskPromptError);
  assert.throws(() => generateTask(1, 2_000_000), TaskPromptError);
});
