/**
 * Output proofs off chain (docs/dispute.md §2 output check, output mark, stop rule) on a synthetic party: the trace
 * index of token j, the first mismatch (none for the trace's own output) with a proof that verifies against the
 * party's root, the stop rule's cases that need no proof, and output bytes → tokens. The on-chain side is in
 * sampling.test.ts (generate-scenarios.test-helper.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex } from '../common/bytes.ts';
import { verifyMerkleProof } from '../commitment/merkle.ts';
import { outputTokens } from './output-proofs.ts';
import { UnsupportedStepError, type StepSource } from './step-source.ts';
import { TraceParty } from './trace-party.ts';
import type { Hex } from './proof-packer.ts';

const STEP = 10; // elements per step
const OUT = 7; // trace offset of the output node within a step
const P = 3; // prompt tokens
const source = (steps?: StepSource['steps']): StepSource => ({
  weights: new Uint8Array(64),
  input: Int32Array.from({ length: P }, (_, i) => 100 + i),
  steps,
  describe: () => {
    throw new Error('not used');
  },
});
// 6 steps; element i = 3i + 1, so every output element is distinct and non-zero
const trace = Int32Array.from({ length: 6 * STEP }, (_, i) => 3 * i + 1);
const party = (steps: StepSource['steps'] = { stepElements: STEP, outputOffset: OUT }) => new TraceParty(trace, source(steps), { arity: 2 });
const ownOutput = (p: TraceParty, n: number) => Int32Array.from({ length: n }, (_, j) => p.values[p.outputElement(j)]!);

/** Splits a packed leaf ‖ siblings proof into 32-byte words. */
function words(proof: Hex): Uint8Array[] {
  const b = fromHex(proof);
  assert.equal(b.length % 32, 0);
  return Array.from({ length: b.length / 32 }, (_, i) => b.subarray(32 * i, 32 * i + 32));
}

describe('output proofs', () => {
  it('token j is the output node at step P − 1 + j (generate) or the output node element j (classify)', () => {
    assert.equal(party().outputElement(0), (P - 1) * STEP + OUT);
    assert.equal(party().outputElement(2), (P + 1) * STEP + OUT);
    assert.equal(party({ stepElements: STEP, outputOffset: OUT, classify: true }).outputElement(2), OUT + 2);
  });

  it('without the model layout the output check and the stop rule are refused with UnsupportedStepError', () => {
    const p = new TraceParty(trace, { ...source(), steps: undefined }, { arity: 2 });
    assert.throws(() => p.outputElement(1), (e: unknown) => e instanceof UnsupportedStepError && e.details.element === 1);
    assert.throws(() => p.outputMismatch(Int32Array.of(5)), UnsupportedStepError);
    assert.throws(() => p.stopStep(12, 20), (e: unknown) => e instanceof UnsupportedStepError && e.details.element === 12);
  });

  it('the output mark finds nothing in the trace’s own output, and the first wrong token with a proof of its element', () => {
    const p = party();
    const own = ownOutput(p, 4);
    assert.equal(p.outputMismatch(own), undefined);
    assert.equal(p.outputMismatch(new Int32Array(0)), undefined);
    const wrong = Int32Array.from(own);
    wrong[2]! += 1;
    wrong[3]! += 1;
    const m = p.outputMismatch(wrong);
    assert.equal(m?.j, 2);
    const [leaf, ...siblings] = words(m!.proof);
    const leafIndex = Math.floor(p.outputElement(2) / 8);
    assert.ok(verifyMerkleProof(p.commitment.root, { leafIndex, leaf: leaf!, siblings }, p.commitment.depth));
    assert.deepEqual(leaf, fromHex(p.leaf(leafIndex)));
    // past the trace's end the element reads as 0 (the zero padding): a 0 token there is no mismatch
    assert.ok(p.outputElement(4) >= trace.length);
    assert.equal(p.outputMismatch(Int32Array.from([...own, 0])), undefined);
  });

  it('the trace-output move: the first differing token (0 past an output’s end), else the stop rule', () => {
    const p = party();
    const own = ownOutput(p, 3);
    const other = Int32Array.from(own);
    other[1] = 0;
    const move = p.outputMove(own, other, 5 * STEP);
    assert.equal(move.kind, 'token');
    assert.equal(move.kind === 'token' && move.j, 1);
    assert.equal(move.kind === 'token' && move.proof, p.outputProof(1));
    const padded = Int32Array.from([...own, 0]);
    const stop = p.outputMove(own, padded, 5 * STEP);
    assert.deepEqual(stop, { kind: 'stop', proofs: p.stopStep(Number.MAX_SAFE_INTEGER, 5 * STEP) });
    assert.notEqual(stop.kind === 'stop' && stop.proofs, '0x');
  });

  it('the stop rule sends no proof for a run with no token (partial step, prompt not consumed) or a token in the disputed leaf', () => {
    const p = party();
    assert.equal(p.stopStep(40, 4 * STEP + 3), '0x'); // not whole steps
    assert.equal(p.stopStep(40, (P - 1) * STEP), '0x'); // fewer steps than prompt tokens
    assert.equal(p.stopStep(40, 0), '0x');
    const last = 4 * STEP - STEP + OUT; // the token of a 4-step run
    assert.equal(p.stopStep(last, 4 * STEP), '0x'); // in the disputed leaf: the contract has it
    const proof = words(p.stopStep(Number.MAX_SAFE_INTEGER, 4 * STEP));
    assert.equal(proof.length, 1 + p.commitment.depth);
    assert.deepEqual(proof[0], fromHex(p.leaf(Math.floor(last / 8))));
  });

  it('output bytes are little-endian int32 tokens; a trailing partial word is dropped', () => {
    const b = Uint8Array.of(1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x2a, 0, 0);
    assert.deepEqual([...outputTokens(b)], [1, -1]);
    assert.deepEqual([...outputTokens(b.subarray(4, 8))], [-1]);
    assert.equal(outputTokens(new Uint8Array(3)).length, 0);
  });
});
