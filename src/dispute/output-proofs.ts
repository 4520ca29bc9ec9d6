/**
 * Proofs about a run's output against its trace (whitepaper §2.2.5; docs/dispute.md §2): the stop rule
 * (resolveStop), the output check (resolveOutput, state `trace-output`) and the output mark (markOutput). Output
 * token j is the trace element ModelLayouts.outputElement names (engine.md §5.1).
 */
import { toHex } from '../common/bytes.ts';
import { proveElement, type TraceCommitment } from '../commitment/trace.ts';
import { packTracePrefix } from './operand-proofs.ts';
import { ProofPacker, TREE_TRACE, type Hex } from './proof-packer.ts';
import type { QueryInputCommitment } from '../inference/query-input.ts';
import { UnsupportedStepError, type StepSource } from './step-source.ts';

/** The move in state `trace-output`: resolveOutput at token j, or resolveStop on the shared trace. */
export type OutputMove = { kind: 'token'; j: number; proof: Hex } | { kind: 'stop'; proofs: Hex };

/** What the output proofs read of a party (TraceParty); `outputElement` / `outputProof` / `stopStep` are its own. */
export interface OutputParty {
  readonly values: Int32Array;
  readonly source: StepSource;
  readonly commitment: TraceCommitment;
  readonly input: QueryInputCommitment | undefined;
  outputElement(j: number): number;
  outputProof(j: number): Hex;
  stopStep(element: number, len: number): Hex;
}

/**
 * resolveStop proofs (DisputeGame.resolveStop): the first difference `element` lies past the shorter trace of
 * `len` elements; the contract applies the stop rule to that run and needs the token chosen at its last step (a
 * packed proof against this party's root, none when it is in the disputed leaf) whenever the run has a token.
 */
export function stopRuleProofs(party: OutputParty, element: number, len: number): Hex {
  const st = party.source.steps;
  const P = party.input?.length ?? 0;
  if (!st) throw new UnsupportedStepError(element, 'the stop rule needs the model layout (StepSource.steps)');
  const steps = Math.floor(len / st.stepElements);
  if (steps < P || steps === 0 || len % st.stepElements !== 0) return '0x';
  const pk = new ProofPacker();
  packTracePrefix(pk, TREE_TRACE, party.commitment, party.values, (steps - 1) * st.stepElements + st.outputOffset, element);
  return pk.bytes();
}

/**
 * Trace index of the element the engine outputs as token `j` (ModelLayouts.outputElement, engine.md §5.1):
 * generate → the output node at step P − 1 + j; classify → the output node's element j.
 */
export function outputElementIndex(party: OutputParty, j: number): number {
  const st = party.source.steps;
  if (!st) throw new UnsupportedStepError(j, 'the output check needs the model layout (StepSource.steps)');
  if (st.classify) return st.outputOffset + j;
  return ((party.input?.length ?? 0) - 1 + j) * st.stepElements + st.outputOffset;
}

/**
 * The move in state `trace-output` (both parties commit this trace; their outputs differ; docs/dispute.md §2
 * "output check"): the first token j where A's and B's outputs (0 past an output's end) differ, with this party's
 * proof (leaf ‖ siblings) of the element the engine outputs as token j — resolveOutput; or, when the outputs only
 * differ by zero tokens past the shorter one, the stop rule on the shared trace (`len` = the shorter length) —
 * resolveStop.
 */
export function outputMoveOf(party: OutputParty, outA: Int32Array, outB: Int32Array, len: number): OutputMove {
  const n = Math.max(outA.length, outB.length);
  for (let j = 0; j < n; j++) {
    if ((outA[j] ?? 0) === (outB[j] ?? 0)) continue;
    return { kind: 'token', j, proof: party.outputProof(j) };
  }
  return { kind: 'stop', proofs: party.stopStep(Number.MAX_SAFE_INTEGER, len) };
}

/** This trace's proof (leaf ‖ siblings bottom-up) of the element the engine outputs as token `j`. */
export function outputProofOf(party: OutputParty, j: number): Hex {
  const p = proveElement(party.commitment, party.values, party.outputElement(j));
  return `0x${[p.proof.leaf, ...p.proof.siblings].map((x) => toHex(x).slice(2)).join('')}` as Hex;
}

/**
 * The output mark (DisputeGame.markOutput, docs/dispute.md §2): the first token j of `output` (a party's signed
 * output, when THIS is that party's committed trace — e.g. a watcher's honest re-run that has the same root) that
 * differs from this trace's output element, with its proof; undefined when the output matches at every token.
 */
export function firstOutputMismatch(party: OutputParty, output: Int32Array): { j: number; proof: Hex } | undefined {
  for (let j = 0; j < output.length; j++) {
    if (output[j] !== (party.values[party.outputElement(j)] ?? 0)) return { j, proof: party.outputProof(j) };
  }
  return undefined;
}

/** Output bytes (int32 little-endian token ids, engine.md §5.1) as values; a trailing partial word is dropped. */
export function outputTokens(bytes: Uint8Array): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int32Array.from({ length: Math.floor(bytes.length / 4) }, (_, j) => view.getInt32(4 * j, true));
}
