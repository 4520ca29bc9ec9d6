/**
 * Packed operand proofs of one step (whitepaper §2.2.5; docs/dispute.md §3 "multiproof per tree"): the bytes a
 * party sends to OneStepVerifier, in the order its `_leaf` reads them. Byte-exact with the contract: any change here
 * makes honest one steps revert.
 */

/** A 0x-prefixed hex string: roots, leaves, packed proofs (viem's calldata form). */
export type Hex = `0x${string}`;

/** Proof trees of one step (OneStepVerifier T_TRACE, T_WEIGHTS, T_INPUT; 1 was the partial sums). */
export const TREE_TRACE = 0;
export const TREE_WEIGHTS = 2;
export const TREE_INPUT = 3;

/** Leaves (and paths) OneStepVerifier's Cursor keeps per step. */
const CURSOR_LEAVES = 4;

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
