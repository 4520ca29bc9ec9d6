/**
 * The pair-merge loop shared by both tokenizers (llama.cpp's llm_tokenizer_spm and llm_tokenizer_bpe): symbols in a
 * linked list, candidate pairs in a heap ordered by priority (highest first; ties: the leftmost pair), stale pairs
 * skipped when popped. O(n log n) in the number of symbols, so a hostile 1M-character word stays cheap.
 */

interface Pair {
  left: number;
  right: number;
  priority: number;
  text: string;
}

function before(x: Pair, y: Pair): boolean {
  return x.priority > y.priority || (x.priority === y.priority && x.left < y.left);
}

class PairHeap {
  private a: Pair[] = [];
  get length(): number {
    return this.a.length;
  }
  push(b: Pair): void {
    const a = this.a;
    a.push(b);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Pair {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Merges adjacent symbols while some pair has a priority (`priority(left, right)` returns undefined for pairs that
 * may not merge); returns the final symbols in order.
 */
export function mergeSymbols(symbols: readonly string[], priority: (left: string, right: string) => number | undefined): string[] {
  const n = symbols.length;
  if (n < 2) return symbols.slice();
  const sym = symbols.slice();
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  const heap = new PairHeap();
  const tryAdd = (left: number, right: number): void => {
    if (left < 0 || right < 0) return;
    const p = priority(sym[left]!, sym[right]!);
    if (p !== undefined) heap.push({ left, right, priority: p, text: sym[left]! + sym[right]! });
  };
  for (let i = 1; i < n; i++) tryAdd(i - 1, i);
  while (heap.length > 0) {
    const b = heap.pop();
    // Stale: the right symbol was absorbed, or either side changed since the pair was queued.
    if (next[b.left] !== b.right || sym[b.left]!.length + sym[b.right]!.length !== b.text.length || sym[b.left]! + sym[b.right]! !== b.text) continue;
    sym[b.left] = b.text;
    sym[b.right] = '';
    next[b.left] = next[b.right]!;
    if (next[b.left]! >= 0) prev[next[b.left]!] = b.left;
    tryAdd(prev[b.left]!, b.left);
    tryAdd(b.left, next[b.left]!);
  }
  const out: string[] = [];
  for (let i = 0; i >= 0; i = next[i]!) out.push(sym[i]!);
  return out;
}
