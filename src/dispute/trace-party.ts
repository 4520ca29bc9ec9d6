/**
 * One party's knowledge in a dispute (whitepaper §2.2.5): its execution trace and commitment, the partial sums of
 * any reduction element, and the Merkle-proven operands of the one step the contract replays (docs/dispute.md §4).
 * Pure: no chain, no clock. The agent (agent.ts) turns these into transactions.
 *
 * Proofs are PACKED as OneStepVerifier reads them (docs/dispute.md §3): the contract derives every operand (kind,
 * index) from the model layout, so a party sends, in derivation order, only the leaf and siblings of each operand that
 * needs a proof — a trace element (or partial sum) of the agreed prefix outside the disputed leaf, proven against THIS
 * party's own root (the contract picks the caller's root), a weight leaf, a query input leaf — each (tree, leaf) once.
 */
import { BaseError } from '../common/errors.ts';
import { bytesEqual, fromHex, toHex } from '../common/bytes.ts';
import { childRoots, proveFirstDifference } from '../commitment/bisection.ts';
import { commitPartialSums, commitTrace, leafReader, proveElement, type TraceCommitment } from '../commitment/trace.ts';
import { commitWeights, proveWeightLeafIn, type WeightsCommitment } from '../commitment/weights.ts';
import type { Combiner, ElementDescription, Ref } from '../engine/graph.ts';
import { combineStep, describeElement, type TraceContext } from '../engine/element.ts';
import type { LoadedModel } from '../engine/model-file.ts';
import { OPS_BY_NAME } from '../engine/ops/index.ts';
import type { RunQuery } from '../engine/ops/op.ts';
import { commitQueryInput, proveQueryInput, queryInputValues, type QueryInputCommitment } from './query-input.ts';

export type Hex = `0x${string}`;

/** What the one-step needs to know about an element besides its operands. */
export interface StepInfo {
  /** Node holding the element (the contract checks it and derives the rest). */
  node: number;
  /** Op code (src/engine/ops `code`). */
  op: number;
  /** The node's eight int32 parameters. */
  p: number[];
  /** requant / muldiv read a weight operand. */
  hasWeight: boolean;
  description: ElementDescription;
}

/** Where descriptions and weights come from: an engine model and query, or a synthetic source (benchmarks). */
export interface StepSource {
  weights: Uint8Array;
  describe(index: number, trace: Int32Array): StepInfo;
  /** The query input (prompt token ids or classify vector), committed by the Query's promptHash. */
  input?: Int32Array;
  /**
   * Elements per step and the trace offset of the output node (a generate model's chosen token; a classify model's
   * output elements): the stop rule and the output check (ModelLayouts.outputElement).
   */
  steps?: { stepElements: number; outputOffset: number; classify?: boolean };
}

export const COMBINER_CODES: Readonly<Record<Combiner, number>> = { mac: 0, add: 1, max: 2, argmax: 3, countle: 4 };

/** DisputeGame.Links: A's trace leaf of the disputed element and both partial-sums roots. */
export interface SumsLinks {
  leafA: string;
  sumsRootA: string;
  sumsRootB: string;
}

export class UnsupportedStepError extends BaseError<{ element: number; reason: string }> {
  constructor(element: number, reason: string) {
    super('DISPUTE_UNSUPPORTED_STEP', `dispute: element ${element} cannot be replayed on chain: ${reason}`, { details: { element, reason } });
  }
}

/** Descriptions from an engine model (src/engine/element.ts describeElement). */
export function modelStepSource(model: LoadedModel, query: RunQuery): StepSource {
  return {
    weights: model.weights,
    input: queryInputValues(query),
    steps: { stepElements: model.layout.stepElements, outputOffset: model.layout.offsets[model.meta.outputNode]!, classify: model.meta.task === 'classify' },
    describe(index, trace) {
      const ctx: TraceContext = { trace, query };
      const info = describeElement(model, ctx, index);
      const node = model.nodes[info.node]!;
      const op = OPS_BY_NAME.get(node.op);
      if (!op) throw new UnsupportedStepError(index, `unknown op ${node.op}`);
      return { node: info.node, op: op.code, p: [...node.p], hasWeight: node.w0 >= 0, description: info.description };
    },
  };
}

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
  private sumsCache = new Map<number, { sums: Int32Array; commitment: TraceCommitment; links: number }>();

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

  /**
   * The tail of the move that isolates a partial sum (DisputeGame._isolate): the Links (leafA ‖ sumsRootA ‖
   * sumsRootB), then, when the disputed sum s (the first differing word of A's and B's sums leaves `leafIndex`) is
   * word 0 of its leaf and 0 < s ≤ F, this party's previous sums leaf (agreed) and its siblings bottom-up: the game
   * keeps sums[s − 1] so the link step sends no sums proof.
   */
  sumsTail(element: number, links: SumsLinks, leafA: Hex, leafB: Hex, leafIndex: number): Hex {
    const a = fromHex(leafA);
    const b = fromHex(leafB);
    let w = 0;
    while (w < 7 && bytesEqual(a.subarray(4 * w, 4 * w + 4), b.subarray(4 * w, 4 * w + 4))) w++;
    const words: string[] = [links.leafA, links.sumsRootA, links.sumsRootB];
    const e = leafIndex * 8 + w;
    const s = this.sums(element);
    if (w === 0 && e > 0 && e <= s.links) {
      const pr = proveElement(s.commitment, s.sums, e - 1);
      words.push(toHex(pr.proof.leaf), ...pr.proof.siblings.map((x) => toHex(x)));
    }
    return `0x${words.map((x) => x.slice(2)).join('')}` as Hex;
  }

  describe(element: number): StepInfo {
    return this.source.describe(element, this.values);
  }

  /** The partial sums this party stands behind for reduction `element`. */
  sums(element: number): { sums: Int32Array; commitment: TraceCommitment; links: number } {
    let s = this.sumsCache.get(element);
    if (!s) {
      const d = this.describe(element).description;
      if (d.kind !== 'reduction') throw new UnsupportedStepError(element, 'not a reduction');
      let sums = this.recomputeSums(d);
      const claimed = this.values[element]!;
      if (sums[sums.length - 1] !== claimed) {
        sums = this.options.forgeSums ? this.options.forgeSums(element, sums, claimed) : Int32Array.from(sums, (v, i) => (i === sums.length - 1 ? claimed : v));
      }
      s = { sums, commitment: commitPartialSums(sums, { arity: this.options.arity }), links: d.links.length };
      this.sumsCache.set(element, s);
    }
    return s;
  }

  private value(ref: Ref, element: number): number {
    if ('query' in ref) {
      if (ref.query === 'step') return ref.index;
      if ((ref.query === 'prompt' || ref.query === 'vector') && this.input) return this.input.values[ref.index]!;
      throw new UnsupportedStepError(element, `query ref ${ref.query}`);
    }
    if ('trace' in ref) return this.values[ref.trace]!;
    if ('constant' in ref) return ref.constant;
    const w = this.source.weights;
    const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
    return ref.dtype === 'i8' ? view.getInt8(ref.weight) : view.getInt32(ref.weight, true);
  }

  private recomputeSums(d: Extract<ElementDescription, { kind: 'reduction' }>): Int32Array {
    const out = new Int32Array(d.links.length + 1);
    let acc = this.value(d.init, -1);
    out[0] = acc;
    for (let j = 0; j < d.links.length; j++) {
      const l = d.links[j]!;
      const a = this.value(l.a, -1);
      const b = d.combiner === 'argmax' ? this.value(d.links[acc]!.a, -1) : l.b ? this.value(l.b, -1) : 0;
      acc = combineStep(d.combiner, acc, a, b, j);
      out[j + 1] = acc;
    }
    return out;
  }

  /** postSumsRoot arguments: the node holding the element, sums root, the leaf holding sums[F] and its proof. */
  sumsOpening(element: number): { node: bigint; root: Hex; leaf: Hex; siblings: Hex[] } {
    const s = this.sums(element);
    const p = proveElement(s.commitment, s.sums, s.links);
    return { node: BigInt(this.describe(element).node), root: toHex(s.commitment.root) as Hex, leaf: toHex(p.proof.leaf) as Hex, siblings: p.proof.siblings.map((x) => toHex(x) as Hex) };
  }

  /**
   * Packs the proofs of `ref` (read against the agreed prefix ending at `element`) into `pk`, as the contract reads
   * them: nothing for constants, query step indices and trace operands inside the disputed leaf; otherwise the leaf
   * and its siblings, unless the same (tree, leaf) was already packed in this step (OneStepVerifier `_leaf` cache).
   */
  private pack(pk: ProofPacker, ref: Ref, element: number): void {
    if ('constant' in ref) return;
    if ('query' in ref) {
      if (ref.query === 'step') return;
      if ((ref.query === 'prompt' || ref.query === 'vector') && this.input) {
        const p = proveQueryInput(this.input, ref.index);
        pk.add(TREE_INPUT, Math.floor(ref.index / 8), () => [p.leaf, ...p.siblings]);
        return;
      }
      if (ref.query === 'seed') return; // the contract has the seed from the opened params preimage (Config.params)
      throw new UnsupportedStepError(element, `query ref ${ref.query}`);
    }
    if ('trace' in ref) return this.packPrefix(pk, TREE_TRACE, this.commitment, this.values, ref.trace, element);
    const leafIndex = Math.floor(ref.weight / 32);
    pk.add(TREE_WEIGHTS, leafIndex, () => {
      const proof = proveWeightLeafIn(this.weights, this.source.weights, leafIndex);
      return [toHex(proof.leaf) as Hex, ...proof.siblings.map((x) => toHex(x) as Hex)];
    });
  }

  private packPrefix(pk: ProofPacker, tree: number, c: TraceCommitment, values: Int32Array, index: number, disputed: number): void {
    const leafIndex = Math.floor(index / 8);
    if (leafIndex === Math.floor(disputed / 8)) return;
    pk.add(tree, leafIndex, () => {
      const p = proveElement(c, values, index);
      return [toHex(p.proof.leaf) as Hex, ...p.proof.siblings.map((x) => toHex(x) as Hex)];
    });
  }

  /** resolveElement arguments for element-wise `element`: the node and the packed proofs of its inputs. */
  elementStep(element: number): { node: bigint; proofs: Hex } {
    const info = this.describe(element);
    if (info.description.kind === 'reduction') throw new UnsupportedStepError(element, 'a reduction: open its links');
    const pk = new ProofPacker();
    const ins = info.description.inputs;
    if (info.op === OPS_BY_NAME.get('select')?.code && ins.length === 3) {
      // select(a, b, c): the contract reads the condition c[0] first, then only the branch it takes
      this.pack(pk, ins[2]!, element);
      this.pack(pk, ins[this.value(ins[2]!, element) !== 0 ? 0 : 1]!, element);
    } else for (const r of ins) this.pack(pk, r, element);
    return { node: BigInt(info.node), proofs: pk.bytes() };
  }

  /**
   * resolveStop proofs (DisputeGame.resolveStop): the first difference `element` lies past the shorter trace of
   * `len` elements; the contract applies the stop rule to that run and needs the token chosen at its last step (a
   * packed proof against this party's root, none when it is in the disputed leaf) whenever the run has a token.
   */
  stopStep(element: number, len: number): Hex {
    const st = this.source.steps;
    const P = this.input?.length ?? 0;
    if (!st) throw new UnsupportedStepError(element, 'the stop rule needs the model layout (StepSource.steps)');
    const steps = Math.floor(len / st.stepElements);
    if (steps < P || steps === 0 || len % st.stepElements !== 0) return '0x';
    const pk = new ProofPacker();
    this.packPrefix(pk, TREE_TRACE, this.commitment, this.values, (steps - 1) * st.stepElements + st.outputOffset, element);
    return pk.bytes();
  }

  /**
   * Trace index of the element the engine outputs as token `j` (ModelLayouts.outputElement, engine.md §5.1):
   * generate → the output node at step P − 1 + j; classify → the output node's element j.
   */
  outputElement(j: number): number {
    const st = this.source.steps;
    if (!st) throw new UnsupportedStepError(j, 'the output check needs the model layout (StepSource.steps)');
    if (st.classify) return st.outputOffset + j;
    return ((this.input?.length ?? 0) - 1 + j) * st.stepElements + st.outputOffset;
  }

  /**
   * The move in state `trace-output` (both parties commit this trace; their outputs differ; docs/dispute.md §2
   * "output check"): the first token j where A's and B's outputs (0 past an output's end) differ, with this party's
   * proof (leaf ‖ siblings) of the element the engine outputs as token j — resolveOutput; or, when the outputs only
   * differ by zero tokens past the shorter one, the stop rule on the shared trace (`len` = the shorter length) —
   * resolveStop.
   */
  outputMove(outA: Int32Array, outB: Int32Array, len: number): { kind: 'token'; j: number; proof: Hex } | { kind: 'stop'; proofs: Hex } {
    const n = Math.max(outA.length, outB.length);
    for (let j = 0; j < n; j++) {
      if ((outA[j] ?? 0) === (outB[j] ?? 0)) continue;
      return { kind: 'token', j, proof: this.outputProof(j) };
    }
    return { kind: 'stop', proofs: this.stopStep(Number.MAX_SAFE_INTEGER, len) };
  }

  /** This trace's proof (leaf ‖ siblings bottom-up) of the element the engine outputs as token `j`. */
  outputProof(j: number): Hex {
    const p = proveElement(this.commitment, this.values, this.outputElement(j));
    return `0x${[p.proof.leaf, ...p.proof.siblings].map((x) => toHex(x).slice(2)).join('')}` as Hex;
  }

  /**
   * The output mark (DisputeGame.markOutput, docs/dispute.md §2): the first token j of `output` (a party's signed
   * output, when THIS is that party's committed trace — e.g. a watcher's honest re-run that has the same root) that
   * differs from this trace's output element, with its proof; undefined when the output matches at every token.
   */
  outputMismatch(output: Int32Array): { j: number; proof: Hex } | undefined {
    for (let j = 0; j < output.length; j++) {
      if (output[j] !== (this.values[this.outputElement(j)] ?? 0)) return { j, proof: this.outputProof(j) };
    }
    return undefined;
  }

  /** resolveLink arguments for partial sum `s` of reduction `element`: init (s = 0), else sums[s−1], link a, link b. */
  linkStep(element: number, s: number): { node: bigint; combiner: number; proofs: Hex } {
    const info = this.describe(element);
    const d = info.description;
    if (d.kind !== 'reduction') throw new UnsupportedStepError(element, 'not a reduction');
    const combiner = COMBINER_CODES[d.combiner];
    const node = BigInt(info.node);
    const pk = new ProofPacker();
    if (s === 0) {
      this.pack(pk, d.init, element);
      return { node, combiner, proofs: pk.bytes() };
    }
    const { sums } = this.sums(element);
    const link = d.links[s - 1]!;
    // sums[s−1] is fixed by the game at isolation (DisputeGame._isolate): no sums proof
    this.pack(pk, link.a, element);
    let bRef: Ref | undefined = link.b;
    if (d.combiner === 'argmax') bRef = d.links[sums[s - 1]!]!.a;
    if (bRef && d.combiner !== 'add' && d.combiner !== 'max') this.pack(pk, bRef, element);
    return { node, combiner, proofs: pk.bytes() };
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

/** Output bytes (int32 little-endian token ids, engine.md §5.1) as values; a trailing partial word is dropped. */
export function outputTokens(bytes: Uint8Array): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int32Array.from({ length: Math.floor(bytes.length / 4) }, (_, j) => view.getInt32(4 * j, true));
}

/** Proof trees of one step (OneStepVerifier T_TRACE, T_WEIGHTS, T_INPUT; 1 was the partial sums). */
const TREE_TRACE = 0;
const TREE_WEIGHTS = 2;
const TREE_INPUT = 3;

/**
 * Packed operand proofs of one step, as OneStepVerifier `_leaf` reads them: per (tree, leaf), once, in read order, the
 * leaf then its siblings bottom-up — a MULTIPROOF per tree: when a leaf of the same tree was packed earlier in this
 * step, only the siblings below the lowest meeting point m (= bit length of the XOR of the two leaf indices, minimal
 * over the earlier leaves) are sent: heights 0 … m − 2. The contract takes the sibling at height m − 1 from the
 * earlier path and checks the node at height m against it.
 */
export class ProofPacker {
  private readonly seen = new Map<number, number[]>();
  private readonly words: Hex[] = [];
  private remembered = 0;

  /** `words()` = the leaf and ALL its siblings bottom-up; the packer trims them. */
  add(tree: number, leafIndex: number, words: () => Hex[]): void {
    const earlier = this.seen.get(tree) ?? [];
    if (earlier.includes(leafIndex)) return;
    const w = words();
    let meet = w.length; // depth + 1: no earlier leaf, the whole proof
    for (const j of earlier) meet = Math.min(meet, meetingHeight(leafIndex, j));
    this.words.push(...w.slice(0, meet));
    if (this.remembered++ >= CURSOR_LEAVES) return; // the contract keeps the first 4 proven leaves only
    earlier.push(leafIndex);
    this.seen.set(tree, earlier);
  }

  bytes(): Hex {
    return `0x${this.words.map((w) => w.slice(2)).join('')}` as Hex;
  }
}

/** Leaves (and paths) OneStepVerifier's Cursor keeps per step. */
const CURSOR_LEAVES = 4;

/** The height at which the paths of leaves i ≠ j meet: the bit length of i XOR j (indices may exceed 2^32). */
export function meetingHeight(i: number, j: number): number {
  let m = 0;
  while (i !== j) {
    i = Math.floor(i / 2);
    j = Math.floor(j / 2);
    m++;
  }
  return m;
}
