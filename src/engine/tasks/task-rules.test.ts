/**
 * Task input rules a model declares in `provenance.task` (issue 10 §5): every prompt the task generator makes is on
 * task, and the off-task prompts a newcomer tried are named with their reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelMeta } from '../graph.ts';
import { generateGlyphs } from './glyph-task.ts';
import { generateTask } from './sort-task.ts';
import { offTaskReason, taskRulesOf } from './task-rules.ts';

const meta = (task: string | undefined): ModelMeta => ({ name: 'm', description: '', task: 'generate', contextLength: 4, vocabSize: 4, ...(task === undefined ? {} : { provenance: { task } }) }) as ModelMeta;

test('sort-letters: every generated prompt is on task; no "=", repeats, 9 letters, 2 letters and q are not', () => {
  const m = meta('sort-letters');
  for (const ex of generateTask(11, 500)) assert.equal(offTaskReason(m, { prompt: ex.prompt }), null, ex.prompt);
  const off: [string, RegExp][] = [['hcafbd', /must end with '='/], ['aabc=', /'a' repeats/], ['abcdefghi=', /too long/], ['ab=', /got 2/], ['abq=', /'q' is outside/], ['', /must end/]];
  for (const [prompt, reason] of off) {
    const r = offTaskReason(m, { prompt });
    assert.ok(r, prompt);
    assert.equal(r.task, 'sort-letters');
    assert.match(r.reason, reason, prompt);
  }
});

test('noisy-digit-glyphs: generated images are on task; a negative pixel or a wrong count is not', () => {
  const m = meta('noisy-digit-glyphs');
  for (const g of generateGlyphs(3, 50)) assert.equal(offTaskReason(m, { vector: g.pixels }), null);
  assert.match(offTaskReason(m, { vector: new Array(64).fill(-1) })!.reason, /pixel 0 is -1/);
  assert.match(offTaskReason(m, { vector: new Array(63).fill(0) })!.reason, /needs 64 pixels, got 63/);
});

test('a model that declares no task, or a task we do not know, has no rules: every input passes', () => {
  assert.equal(taskRulesOf(meta(undefined)), null);
  assert.equal(taskRulesOf(meta('translate-klingon')), null);
  assert.equal(offTaskReason(meta('translate-klingon'), { prompt: 'anything' }), null);
});
