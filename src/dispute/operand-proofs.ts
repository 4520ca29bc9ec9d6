/**
 * The Merkle-proven operands of the one step the contract replays (whitepaper §2.2.5; docs/dispute.md §3):
 * resolveElement's and resolveLink's arguments.
 *
 * Proofs are PACKED as OneStepVerifier reads them: the contract derives every operand (kind, index) from the model
 * layout, so a party sends, in derivation order, only the leaf and siblings of each operand that needs a proof — a
 * trace element (or partial sum) of the agreed prefix outside the disputed leaf, proven against THIS party's own root
 * (the contract picks the caller's root), a weight leaf, a query input leaf — each (tree, leaf) once.
 */
import { toHex } from '../common/bytes.ts';
import { proveElement, type TraceCommitment } from '../commitment/trace.ts';
import { proveWeightLeafIn, type WeightsCommitment } from '../commitment/weights.ts';
import type { Combiner, Ref } from '../engine/graph.ts';
import { OPS_BY_NAME } from '../engine/ops/index.ts';
import { proveQueryInput, type QueryInputCommitment } from '../inference/query-input.ts';
import { ProofPacker, TREE_INPUT, TREE_TRACE, TREE_WEIGHTS, type Hex } from './proof-packer.ts';
import { UnsupportedStepError, type StepInfo, type StepSource } from './step-source.ts';

/** Reduction combiners as OneStepVerifier numbers them (resolveLink's `combiner`). */
export const COMBINER_CODES: Readonly<Record<Combiner, number>> = { mac: 0, add: 1, max: 2, argmax: 3, countle: 4 };

/** What the one step's operands are read and proven from: one party's trace, commitments and step source (TraceParty). */
export interface StepParty {
  readonly values: Int32Array;
  readonly source: StepSource;
  readonly commitment: TraceCommitment;
  readonly weights: WeightsCommitment;
  readonly input: QueryInputCommitment | undefined;
  describe(element: number): StepInfo;
  /** The partial sums this party stands behind for reduction `element` (argmax reads its agreed sums[s−1]). */
  sums(element: number): { sums: Int32Array };
}

/** The value of operand `ref` in this party's trace, query input or weights; `element` names the step in errors. */
export function operandValue(party: StepParty, ref: Ref, element: number): number {
  if ('query' in ref) {
    if (ref.query === 'step') return ref.index;
    if ((ref.query === 'prompt' || ref.query === 'vector') && party.input) return party.input.values[ref.index]!;
    throw new UnsupportedStepError(element, `query ref ${ref.query}`);
  }
  if ('trace' in ref) return party.values[ref.trace]!;
  if ('constant' in ref) return ref.constant;
  const w = party.source.weights;
  const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
  return ref.dtype === 'i8' ? view.getInt8(ref.weight) : view.getInt32(ref.weight, true);
}

/** Packs the proof of element `index` of tree `tree` (committed by `c` over `values`) unless it lies in the disputed leaf. */
export function packTracePrefix(pk: ProofPacker, tree: number, c: TraceCommitment, values: Int32Array, index: number, disputed: number): void {
  const leafIndex = Math.floor(index / 8);
  if (leafIndex === Math.floor(disputed / 8)) return;
  pk.add(tree, leafIndex, () => {
    const p = proveElement(c, values, index);
    return [toHex(p.proof.leaf) as Hex, ...p.proof.siblings.map((x) => toHex(x) as Hex)];
  });
}

/**
 * Packs the proofs of `ref` (read against the agreed prefix ending at `element`) into `pk`, as the contract reads
 * them: nothing for constants, query step indices and trace operands inside the disputed leaf; otherwise the leaf
 * and its siblings, unless the same (tree, leaf) was already packed in this step (OneStepVerifier `_leaf` cache).
 */
function packOperand(pk: ProofPacker, party: StepParty, ref: Ref, element: number): void {
  if ('constant' in ref) return;
  if ('query' in ref) {
    if (ref.query === 'step') return;
    if ((ref.query === 'prompt' || ref.query === 'vector') && party.input) {
      const p = proveQueryInput(party.input, ref.index);
      pk.add(TREE_INPUT, Math.floor(ref.index / 8), () => [p.leaf, ...p.siblings]);
      return;
    }
    if (ref.query === 'seed') return; // the contract has the seed from the opened params preimage (Config.params)
    throw new UnsupportedStepError(element, `query ref ${ref.query}`);
  }
  if ('trace' in ref) return packTracePrefix(pk, TREE_TRACE, party.commitment, party.values, ref.trace, element);
  const leafIndex = Math.floor(ref.weight / 32);
  pk.add(TREE_WEIGHTS, leafIndex, () => {
    const proof = proveWeightLeafIn(party.weights, party.source.weights, leafIndex);
    return [toHex(proof.leaf) as Hex, ...proof.siblings.map((x) => toHex(x) as Hex)];
  });
}

/** resolveElement arguments for element-wise `element`: the node and the packed proofs of its inputs. */
export function elementStepProofs(party: StepParty, element: number): { node: bigint; proofs: Hex } {
  const info = party.describe(element);
  if (info.description.kind === 'reduction') throw new UnsupportedStepError(element, 'a reduction: open its links');
  const pk = new ProofPacker();
  const ins = info.description.inputs;
  if (info.op === OPS_BY_NAME.get('select')?.code && ins.length === 3) {
    // select(a, b, c): the contract reads the condition c[0] first, then only the branch it takes
    packOperand(pk, party, ins[2]!, element);
    packOperand(pk, party, ins[operandValue(party, ins[2]!, element) !== 0 ? 0 : 1]!, element);
  } else for (const r of ins) packOperand(pk, party, r, element);
  return { node: BigInt(info.node), proofs: pk.bytes() };
}

/** resolveLink arguments for partial sum `s` of reduction `element`: init (s = 0), else sums[s−1], link a, link b. */
export function linkStepProofs(party: StepParty, element: number, s: number): { node: bigint; combiner: number; proofs: Hex } {
  const info = party.describe(element);
  const d = info.description;
  if (d.kind !== 'reduction') throw new UnsupportedStepError(element, 'not a reduction');
  const combiner = COMBINER_CODES[d.combiner];
  const node = BigInt(info.node);
  const pk = new ProofPacker();
  if (s === 0) {
    packOperand(pk, party, d.init, element);
    return { node, combiner, proofs: pk.bytes() };
  }
  const { sums } = party.sums(element);
  const link = d.links[s - 1]!;
  // sums[s−1] is fixed by the game at isolation (DisputeGame._isolate): no sums proof
  packOperand(pk, party, link.a, element);
  let bRef: Ref | undefined = link.b;
  if (d.combiner === 'argmax') bRef = d.links[sums[s - 1]!]!.a;
  if (bRef && d.combiner !== 'add' && d.combiner !== 'max') packOperand(pk, party, bRef, element);
  return { node, combiner, proofs: pk.bytes() };
}
