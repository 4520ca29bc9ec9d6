/**
 * Operand values and refusals of the one step's proofs (docs/dispute.md §3) on a synthetic party: every kind of
 * operand reads the party's trace, query input, weights or the ref itself; refs the contract cannot derive and the
 * wrong kind of step are refused with UnsupportedStepError. The packed proofs themselves are checked on chain in
 * describe.test.ts and game.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ElementDescription } from '../engine/graph.ts';
import { operandValue } from './operand-proofs.ts';
import { UnsupportedStepError, type StepSource } from './step-source.ts';
import { TraceParty } from './trace-party.ts';

const weights = new Uint8Array(64);
new DataView(weights.buffer).setInt32(8, -123456, true);
weights[33] = 0xfe; // int8 −2
const trace = Int32Array.from({ length: 24 }, (_, i) => 10 * i - 50);
const reduction: ElementDescription = { kind: 'reduction', combiner: 'add', init: { constant: 0 }, links: [{ a: { trace: 1 } }] };
const elementwise: ElementDescription = { kind: 'elementwise', inputs: [{ trace: 2 }] };
const source = (input?: Int32Array): StepSource => ({
  weights,
  input,
  describe: (index) => ({ node: 0, op: 0, p: [0, 0, 0, 0, 0, 0, 0, 0], hasWeight: false, description: index === 20 ? reduction : elementwise }),
});
const isUnsupported = (element: number) => (e: unknown) => e instanceof UnsupportedStepError && e.code === 'DISPUTE_UNSUPPORTED_STEP' && e.details.element === element;

describe('operand proofs', () => {
  it('an operand reads the trace, the query input, the weights (int32 LE / int8), a constant or the step index', () => {
    const p = new TraceParty(trace, source(Int32Array.of(7, 8, 9)), { arity: 2 });
    assert.equal(operandValue(p, { trace: 3 }, 5), trace[3]);
    assert.equal(operandValue(p, { query: 'prompt', index: 2 }, 5), 9);
    assert.equal(operandValue(p, { query: 'vector', index: 0 }, 5), 7);
    assert.equal(operandValue(p, { query: 'step', index: 4 }, 5), 4);
    assert.equal(operandValue(p, { constant: -9 }, 5), -9);
    assert.equal(operandValue(p, { weight: 8, dtype: 'i32' }, 5), -123456);
    assert.equal(operandValue(p, { weight: 33, dtype: 'i8' }, 5), -2);
  });

  it('a seed ref has no value off chain and a prompt ref needs the query input: UnsupportedStepError naming the element', () => {
    const withInput = new TraceParty(trace, source(Int32Array.of(1)), { arity: 2 });
    const without = new TraceParty(trace, source(), { arity: 2 });
    assert.throws(() => operandValue(withInput, { query: 'seed', index: 0 }, 5), isUnsupported(5));
    assert.throws(() => operandValue(without, { query: 'prompt', index: 0 }, 6), isUnsupported(6));
  });

  it('a reduction is refused as an element-wise step, an element-wise one as a link step or partial sums', () => {
    const p = new TraceParty(trace, source(), { arity: 2 });
    assert.throws(() => p.elementStep(20), (e: unknown) => isUnsupported(20)(e) && /open its links/.test((e as Error).message));
    assert.throws(() => p.linkStep(3, 1), (e: unknown) => isUnsupported(3)(e) && /not a reduction/.test((e as Error).message));
    assert.throws(() => p.sums(3), isUnsupported(3));
    assert.equal(p.elementStep(3).node, 0n);
  });
});
