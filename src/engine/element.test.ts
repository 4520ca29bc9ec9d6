/**
 * Table lookups in one-element replay refuse an index off their table (engine.md §3; arith.ts tableIndex): a
 * tampered or corrupted trace must not make `describeElement` name a neighbouring weight, which the dispute
 * contract would then be asked to prove.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeElement, evaluateElement } from './element.ts';
import { PrimitiveDomainError } from './ops/arith.ts';
import { runModel } from './runner.ts';
import { tinyTransformer } from '../testnet/test-models.ts';

const tt = tinyTransformer();
const prompt = Int32Array.from([3, 4, 5]);
const query = { prompt, vector: new Int8Array(0), seed: null };
const run = runModel(tt, { prompt: Array.from(prompt), maxTokens: 1 }, { trace: true });

/** Trace index of element `pos` of the first node with op `op` at step 0, and that node. */
function first(op: string): { node: number; at: (pos: number) => number } {
  const node = tt.nodes.findIndex((n) => n.op === op);
  assert.ok(node >= 0, `tiny transformer has a ${op} node`);
  return { node, at: (pos) => tt.layout.offsets[node]! + pos };
}

function refusedIndex(e: unknown, primitive: string): boolean {
  return e instanceof PrimitiveDomainError && e.details.primitive === primitive && e.details.argument === 'index';
}

test('lut: an honest trace replays; an input off int8 (the table has 256 entries) is refused, not read past the table', () => {
  const lut = first('lut');
  const input = tt.layout.offsets[tt.nodes[lut.node]!.a]!; // element 0 of the lut's input at step 0
  assert.equal(evaluateElement(tt, { trace: run.trace!, query }, lut.at(0)), run.trace![lut.at(0)]);
  for (const bad of [128, -129, 1000]) {
    const trace = run.trace!.slice();
    trace[input] = bad;
    assert.throws(() => describeElement(tt, { trace, query }, lut.at(0)), (e) => refusedIndex(e, 'lut'));
  }
});

test('gather: a row index outside the table (a token beyond the vocabulary) is refused', () => {
  const gather = first('gather');
  const index = tt.layout.offsets[tt.nodes[gather.node]!.a]!;
  const rows = tt.nodes[gather.node]!.p[0]!;
  assert.equal(evaluateElement(tt, { trace: run.trace!, query }, gather.at(0)), run.trace![gather.at(0)]);
  for (const bad of [rows, -1]) {
    const trace = run.trace!.slice();
    trace[index] = bad;
    assert.throws(() => describeElement(tt, { trace, query }, gather.at(1)), (e) => refusedIndex(e, 'gather'));
  }
});
