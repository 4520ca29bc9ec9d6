import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateGlyphs } from './glyph-task.ts';
import { generateTask, scoreAnswer, SORT_TASK_SPEC, type TaskExample } from './sort-task.ts';

interface Vectors {
  sortTask: { spec: unknown; cases: Array<{ seed: number; count: number; examples: TaskExample[] }> };
  glyphTask: { cases: Array<{ seed: number; count: number; examples: Array<{ label: number; pixels: number[] }> }> };
}
const vectors = JSON.parse(readFileSync(new URL('../../../test/vectors/tasks.json', import.meta.url), 'utf8')) as Vectors;

test('sort-task generator reproduces the golden challenges and the scorer accepts their answers', () => {
  assert.deepEqual(vectors.sortTask.spec, SORT_TASK_SPEC);
  for (const c of vectors.sortTask.cases) {
    assert.deepEqual(generateTask(c.seed, c.count), c.examples, `seed ${c.seed}`);
    for (const ex of c.examples) assert.ok(scoreAnswer(ex.prompt, ex.answer));
  }
});

test('glyph generator reproduces the golden images', () => {
  for (const c of vectors.glyphTask.cases) {
    assert.deepEqual(generateGlyphs(c.seed, c.count).map((e) => ({ label: e.label, pixels: Array.from(e.pixels) })), c.examples);
  }
});
