/**
 * The import graph of src/ has no file-level cycle (DESIGN.md: dependencies point one way; issue 10 §7). A cycle
 * makes a module's exports undefined while its partner is still evaluating (ES module order), and it hides which
 * file owns a concept. Every relative import counts: values, `import type`, re-exports and dynamic `import()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');

/**
 * Relative specifiers of a file's static imports and re-exports (statements at the start of a line, possibly spread
 * over several lines, so doc comments do not count) and of its dynamic `import('./…')` calls.
 */
function importsOf(text: string): string[] {
  const found: string[] = [];
  const statement = /^(?:import|export)\s(?:[^;'"]*?\sfrom\s)?\s*['"](\.[^'"]+)['"]/gm;
  const dynamic = /\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(statement)) found.push(m[1]!);
  for (const m of text.matchAll(dynamic)) found.push(m[1]!);
  return found;
}

/** Every .ts file under src/, as paths relative to the repository root. */
function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => relative(ROOT, join(SRC, f)).split('\\').join('/'))
    .sort();
}

function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const targets = importsOf(text)
      .map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)).split('\\').join('/'))
      .filter((t) => known.has(t));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan's algorithm). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

test('the import parser sees static, multi-line, type-only, re-export and dynamic imports, not doc comments', () => {
  const text = [
    "import { a } from './a.ts';",
    'import {',
    '  b,',
    '  type C,',
    "} from '../b.ts';",
    "import type { D } from './d.ts';",
    "export { e } from './e.ts';",
    "import './side-effect.ts';",
    "const f = await import('./f.ts');",
    " * import { g } from './in-a-comment.ts';",
    "import { h } from 'node:fs';",
  ].join('\n');
  assert.deepEqual(importsOf(text).sort(), ['../b.ts', './a.ts', './d.ts', './e.ts', './f.ts', './side-effect.ts']);
});

test('the cycle finder reports a two-file cycle and a self-import, and nothing for a chain', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['a', 'c']],
    ['c', ['d']],
    ['d', []],
    ['s', ['s']],
  ]);
  assert.deepEqual(cycles(graph).sort(), [['a', 'b'], ['s']]);
});

test('src/ has no file-level import cycle', () => {
  const files = sourceFiles();
  const graph = importGraph(files);
  // A sanity floor so a broken parser cannot pass vacuously: the tree has hundreds of files and imports.
  const edges = [...graph.values()].reduce((n, t) => n + t.length, 0);
  assert.ok(files.length > 100 && edges > files.length, `parsed ${files.length} files, ${edges} imports`);
  const found = cycles(graph);
  assert.deepEqual(found, [], `import cycles (break each by moving the shared names to the file that owns them):\n${found.map((c) => c.join(' ↔ ')).join('\n')}`);
});
