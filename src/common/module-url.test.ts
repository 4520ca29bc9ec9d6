import { test } from 'node:test';
import assert from 'node:assert/strict';
import { siblingModuleUrl } from './module-url.ts';

test('a sibling of a .ts source module is a .ts file and of a compiled module a .js file', () => {
  assert.equal(siblingModuleUrl('file:///a/src/x/grind.ts', 'grind-worker').href, 'file:///a/src/x/grind-worker.ts');
  assert.equal(siblingModuleUrl('file:///a/dist/x/grind.js', 'grind-worker').href, 'file:///a/dist/x/grind-worker.js');
});
