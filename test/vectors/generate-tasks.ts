/**
 * Generates test/vectors/tasks.json: golden outputs of the generated-task generators (src/engine/tasks/), so a
 * community server written in another language can reproduce the exact fortification challenges
 * (whitepaper §2.2.3; DESIGN.md §1.4). Read by src/engine/tasks/vectors.test.ts.
 *
 *   node_modules/.bin/node test/vectors/generate-tasks.ts
 */
import { writeFileSync } from 'node:fs';
import { generateGlyphs } from '../../src/engine/tasks/glyph-task.ts';
import { generateTask, SORT_TASK_SPEC } from '../../src/engine/tasks/sort-task.ts';

const sortSeeds = [0, 1, 42, 0xffffffff];
const vectors = {
  sortTask: {
    spec: SORT_TASK_SPEC,
    cases: sortSeeds.map((seed) => ({ seed, count: 6, examples: generateTask(seed, 6) })),
  },
  glyphTask: {
    cases: [0, 7].map((seed) => ({ seed, count: 3, examples: generateGlyphs(seed, 3).map((e) => ({ label: e.label, pixels: Array.from(e.pixels) })) })),
  },
};
writeFileSync(new URL('./tasks.json', import.meta.url), JSON.stringify(vectors, null, 1) + '\n');
