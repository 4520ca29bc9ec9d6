/**
 * The partial sums of a reduction element as one party stands behind them (whitepaper §2.2.5; docs/dispute.md §2
 * "reduction"): sums[0] = init, sums[i + 1] = combine(sums[i], link i), sums[F] = the element; committed like a
 * trace (docs/commitment.md), opened by postSumsRoot and isolated by the move that reaches the sums leaves.
 */
import { bytesEqual, fromHex, toHex } from '../common/bytes.ts';
import { commitPartialSums, proveElement, type TraceCommitment } from '../commitment/trace.ts';
import type { ElementDescription, Ref } from '../engine/graph.ts';
import { combineStep } from '../engine/element.ts';
import type { Hex } from './proof-packer.ts';
import { UnsupportedStepError, type StepInfo } from './step-source.ts';

/** DisputeGame.Links: A's trace leaf of the disputed element and both partial-sums roots. */
export interface SumsLinks {
  leafA: string;
  sumsRootA: string;
  sumsRootB: string;
}

/** One party's partial sums of a reduction, their commitment and the link count F (sums has F + 1 values). */
export interface PartialSums {
  sums: Int32Array;
  commitment: TraceCommitment;
  links: number;
}

/** How a party builds its sums: the game's k, and (cheating test parties) how to forge them. */
export interface PartialSumsOptions {
  arity: number;
  forgeSums?: (element: number, sums: Int32Array, claimed: number) => Int32Array;
}

/** What the sums moves read of a party (TraceParty). */
export interface SumsParty {
  describe(element: number): StepInfo;
  sums(element: number): PartialSums;
}

type Reduction = Extract<ElementDescription, { kind: 'reduction' }>;

/** The sums an honest run gives: `read` resolves an operand against the party's trace, input and weights. */
export function recomputeSums(d: Reduction, read: (ref: Ref) => number): Int32Array {
  const out = new Int32Array(d.links.length + 1);
  let acc = read(d.init);
  out[0] = acc;
  for (let j = 0; j < d.links.length; j++) {
    const l = d.links[j]!;
    const a = read(l.a);
    const b = d.combiner === 'argmax' ? read(d.links[acc]!.a) : l.b ? read(l.b) : 0;
    acc = combineStep(d.combiner, acc, a, b, j);
    out[j + 1] = acc;
  }
  return out;
}

/**
 * The partial sums a party stands behind for reduction `element` (described by `d`) whose trace claims `claimed`:
 * the recomputed sums when they end at the claim; else forged (`forgeSums`, default: the last one replaced by the
 * claim — a lie only at the end).
 */
export function partialSums(d: ElementDescription, element: number, claimed: number, read: (ref: Ref) => number, options: PartialSumsOptions): PartialSums {
  if (d.kind !== 'reduction') throw new UnsupportedStepError(element, 'not a reduction');
  let sums = recomputeSums(d, read);
  if (sums[sums.length - 1] !== claimed) {
    sums = options.forgeSums ? options.forgeSums(element, sums, claimed) : Int32Array.from(sums, (v, i) => (i === sums.length - 1 ? claimed : v));
  }
  return { sums, commitment: commitPartialSums(sums, { arity: options.arity }), links: d.links.length };
}

/** postSumsRoot arguments: the node holding the element, sums root, the leaf holding sums[F] and its proof. */
export function sumsOpeningOf(party: SumsParty, element: number): { node: bigint; root: Hex; leaf: Hex; siblings: Hex[] } {
  const s = party.sums(element);
  const p = proveElement(s.commitment, s.sums, s.links);
  return { node: BigInt(party.describe(element).node), root: toHex(s.commitment.root) as Hex, leaf: toHex(p.proof.leaf) as Hex, siblings: p.proof.siblings.map((x) => toHex(x) as Hex) };
}

/**
 * The tail of the move that isolates a partial sum (DisputeGame._isolate): the Links (leafA ‖ sumsRootA ‖
 * sumsRootB), then, when the disputed sum s (the first differing word of A's and B's sums leaves `leafIndex`) is
 * word 0 of its leaf and 0 < s ≤ F, this party's previous sums leaf (agreed) and its siblings bottom-up: the game
 * keeps sums[s − 1] so the link step sends no sums proof.
 */
export function sumsIsolationTail(party: SumsParty, element: number, links: SumsLinks, leafA: Hex, leafB: Hex, leafIndex: number): Hex {
  const a = fromHex(leafA);
  const b = fromHex(leafB);
  let w = 0;
  while (w < 7 && bytesEqual(a.subarray(4 * w, 4 * w + 4), b.subarray(4 * w, 4 * w + 4))) w++;
  const words: string[] = [links.leafA, links.sumsRootA, links.sumsRootB];
  const e = leafIndex * 8 + w;
  const s = party.sums(element);
  if (w === 0 && e > 0 && e <= s.links) {
    const pr = proveElement(s.commitment, s.sums, e - 1);
    words.push(toHex(pr.proof.leaf), ...pr.proof.siblings.map((x) => toHex(x)));
  }
  return `0x${words.map((x) => x.slice(2)).join('')}` as Hex;
}
