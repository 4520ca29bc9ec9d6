/**
 * One party's knowledge in a dispute (whitepaper §2.2.5): its execution trace and commitment, and the moves it makes
 * from them — the difference-proof rounds over its trace (and over the partial sums of a reduction element), the
 * Merkle-proven operands of the one step the contract replays (docs/dispute.md §3–4), the stop rule and the output
 * proofs. Pure: no chain, no clock. The agent (agent.ts) turns these into transactions.
 *
 * This file holds the party and its bisection moves; the rest is delegated, each concept in its module:
 * step-source.ts (descriptions and weights), operand-proofs.ts + proof-packer.ts (the one step's packed proofs),
 * partial-sums.ts (a reduction's sums and their isolation), output-proofs.ts (stop rule, output check, output mark).
 * Methods call each other through `this` so a subclass (a tampering test party) can override one of them.
 */
import { fromHex, toHex } from '../common/bytes.ts';
import { childRoots, proveFirstDifference } from '../commitment/bisection.ts';
import { commitTrace, leafReader, type TraceCommitment } from '../commitment/trace.ts';
import { commitWeights, type WeightsCommitment } from '../commitment/weights.ts';
import { elementStepProofs, linkStepProofs, operandValue } from './operand-proofs.ts';
import { firstOutputMismatch, outputElementIndex, outputMoveOf, outputProofOf, stopRuleProofs, type OutputMove } from './output-proofs.ts';
import { partialSums, sumsIsolationTail, sumsOpeningOf, type PartialSums, type SumsLinks } from './partial-sums.ts';
import type { Hex } from './proof-packer.ts';
import { commitQueryInput, type QueryInputCommitment } from '../inference/query-input.ts';
import { UnsupportedStepError, type StepInfo, type StepSource } from './step-source.ts';

export interface TracePartyOptions {
  /** Bisection fan-out k (a power of two). */
  arity: number;
  /**
   * A cheating party's partial sums for reduction element `element`, given the sums recomputed from its own trace
   * and the value it claims. Default: the recomputed sums with the last one replaced by the claim (a lie only at
   * the end); tests pass other strategies (a lie from link j on).
   */
  forgeSums?: (element: number, sums: Int32Array, claimed: number) => Int32Array;
  /**
   * Compare the trace at this many elements (≥ its length): the shorter party of a conflict whose outputs differ in
   * length plays its trace zero-padded to the longer one's length — the contract lifts its receipt root to that
   * depth (DisputeGame._lift). The receipt root (`receiptRoot`) stays the unpadded trace's.
   */
  padTo?: number;
}

export class TraceParty {
  readonly values: Int32Array;
  readonly source: StepSource;
  readonly commitment: TraceCommitment;
  readonly weights: WeightsCommitment;
  readonly input: QueryInputCommitment | undefined;
  readonly options: TracePartyOptions;
  /** Root of the trace as signed in a receipt (unpadded); `commitment.root` is the one the game plays. */
  readonly receiptRoot: Uint8Array;
  private sumsCache = new Map<number, PartialSums>();

  constructor(values: Int32Array, source: StepSource, options: TracePartyOptions) {
    this.source = source;
    this.options = options;
    const pad = options.padTo ?? values.length;
    if (!Number.isSafeInteger(pad) || pad < values.length) throw new UnsupportedStepError(values.length, `padTo ${pad} shorter than the trace`);
    this.receiptRoot = pad === values.length ? new Uint8Array(0) : commitTrace(values, { arity: options.arity }).root;
    if (pad !== values.length) {
      const padded = new Int32Array(pad);
      padded.set(values);
      values = padded;
    }
    this.values = values;
    this.commitment = commitTrace(values, { arity: options.arity });
    if (this.receiptRoot.length === 0) this.receiptRoot = this.commitment.root;
    this.weights = commitWeights(source.weights);
    this.input = source.input ? commitQueryInput(source.input) : undefined;
  }

  get root(): Hex {
    return toHex(this.commitment.root) as Hex;
  }

  /** Children of node (level, index) of the trace tree, or of the partial-sums tree of `element`; `arity` = the game's k. */
  children(level: number, index: number, sumsOf?: number, arity = this.options.arity): Hex[] {
    const c = sumsOf === undefined ? this.commitment : this.sums(sumsOf).commitment;
    const v = sumsOf === undefined ? this.values : this.sums(sumsOf).sums;
    return childRoots(c, v, { level, index }, arity).map((x) => toHex(x) as Hex);
  }

  /**
   * A difference-proof move (DisputeGame.bisect) at node (level, index) of the trace tree (or the sums tree of
   * `sumsOf`): `posted` are the other party's children of that node, `side` is this party's side. Returns the first
   * differing child, the packed proof (childA ‖ childB ‖ per level the shared left sibling or A's and B's right
   * siblings, docs/commitment.md §3) and this party's children of the new node (empty when it is a leaf). The move
   * that reaches the sums leaves appends the isolation tail (`sumsTail`; `links` required then).
   */
  bisectMove(
    side: 'A' | 'B',
    level: number,
    index: number,
    posted: Hex[],
    arity: number,
    sumsOf?: number,
    links?: SumsLinks,
  ): { child: bigint; proof: Hex; children: Hex[] } {
    const mine = this.children(level, index, sumsOf, arity).map((x) => fromHex(x));
    const theirs = posted.map((x) => fromHex(x));
    const p = side === 'A' ? proveFirstDifference(mine, theirs) : proveFirstDifference(theirs, mine);
    const parts: Uint8Array[] = [p.childA, p.childB];
    for (const x of p.siblings) parts.push(...(x instanceof Uint8Array ? [x] : x));
    let proof = `0x${parts.map((x) => toHex(x).slice(2)).join('')}` as Hex;
    const newLevel = level - p.height;
    const newIndex = index * 2 ** p.height + p.childIndex;
    if (sumsOf !== undefined && newLevel === 0) {
      if (!links) throw new UnsupportedStepError(sumsOf, 'the sums isolation move needs the Links');
      proof = `${proof}${this.sumsTail(sumsOf, links, toHex(p.childA) as Hex, toHex(p.childB) as Hex, newIndex).slice(2)}` as Hex;
    }
    return { child: BigInt(p.childIndex), proof, children: newLevel > 0 ? this.children(newLevel, newIndex, sumsOf, arity) : [] };
  }

  /** The tail of the move that isolates a partial sum (DisputeGame._isolate; partial-sums.ts sumsIsolationTail). */
  sumsTail(element: number, links: SumsLinks, leafA: Hex, leafB: Hex, leafIndex: number): Hex {
    return sumsIsolationTail(this, element, links, leafA, leafB, leafIndex);
  }

  describe(element: number): StepInfo {
    return this.source.describe(element, this.values);
  }

  /** The partial sums this party stands behind for reduction `element` (computed once). */
  sums(element: number): PartialSums {
    let s = this.sumsCache.get(element);
    if (!s) {
      s = partialSums(this.describe(element).description, element, this.values[element]!, (ref) => operandValue(this, ref, -1), this.options);
      this.sumsCache.set(element, s);
    }
    return s;
  }

  /** postSumsRoot arguments: the node holding the element, sums root, the leaf holding sums[F] and its proof. */
  sumsOpening(element: number): { node: bigint; root: Hex; leaf: Hex; siblings: Hex[] } {
    return sumsOpeningOf(this, element);
  }

  /** resolveElement arguments for element-wise `element`: the node and the packed proofs of its inputs. */
  elementStep(element: number): { node: bigint; proofs: Hex } {
    return elementStepProofs(this, element);
  }

  /** resolveLink arguments for partial sum `s` of reduction `element`: init (s = 0), else sums[s−1], link a, link b. */
  linkStep(element: number, s: number): { node: bigint; combiner: number; proofs: Hex } {
    return linkStepProofs(this, element, s);
  }

  /** resolveStop proofs: the token at the last step of the shorter run of `len` elements (output-proofs.ts). */
  stopStep(element: number, len: number): Hex {
    return stopRuleProofs(this, element, len);
  }

  /** Trace index of the element the engine outputs as token `j` (ModelLayouts.outputElement). */
  outputElement(j: number): number {
    return outputElementIndex(this, j);
  }

  /** The move in state `trace-output`: the first differing token with its proof, else the stop rule (output-proofs.ts). */
  outputMove(outA: Int32Array, outB: Int32Array, len: number): OutputMove {
    return outputMoveOf(this, outA, outB, len);
  }

  /** This trace's proof (leaf ‖ siblings bottom-up) of the element the engine outputs as token `j`. */
  outputProof(j: number): Hex {
    return outputProofOf(this, j);
  }

  /** The output mark: the first token of `output` this trace does not give, with its proof; undefined if none. */
  outputMismatch(output: Int32Array): { j: number; proof: Hex } | undefined {
    return firstOutputMismatch(this, output);
  }

  /** Leaf `leafIndex` of this party's partial-sums tree of reduction `element`. */
  sumsLeaf(element: number, leafIndex: number): Uint8Array {
    const s = this.sums(element);
    return leafReader(s.commitment, s.sums)(leafIndex);
  }

  /** This party's leaf `leafIndex` (hex), for checks. */
  leaf(leafIndex: number): Hex {
    return toHex(leafReader(this.commitment, this.values)(leafIndex)) as Hex;
  }
}
