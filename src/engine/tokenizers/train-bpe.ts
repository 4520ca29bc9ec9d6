/**
 * A small deterministic BPE trainer (whitepaper §2.2.6: our shipped model's tokenizer is made here, reproducibly).
 *
 * Words are counted, then the most frequent adjacent pair is merged, `merges` times (ties: the lexicographically
 * smallest pair, so the result does not depend on hash order). Used for the byte-level BPE test vocabulary
 * (`byteLevel`: symbols are GPT-2 byte characters, words from the pre-tokenizer) and for the SentencePiece-style
 * vocabulary of the shipped English model (symbols are characters, words are "▁word" pieces).
 */

export interface BpeTrainResult {
  /** Every single symbol seen (sorted), then one token per merge, in merge order. */
  symbols: string[];
  merges: [string, string][];
}

export function trainBpe(words: Iterable<string[]>, merges: number): BpeTrainResult {
  const counts = new Map<string, { syms: string[]; n: number }>();
  const alphabet = new Set<string>();
  for (const w of words) {
    const key = w.join('\u0000');
    const e = counts.get(key);
    if (e) e.n++;
    else counts.set(key, { syms: w.slice(), n: 1 });
    for (const s of w) alphabet.add(s);
  }
  const entries = [...counts.values()];
  const out: [string, string][] = [];
  for (let m = 0; m < merges; m++) {
    const pairs = new Map<string, number>();
    for (const { syms, n } of entries) for (let i = 0; i + 1 < syms.length; i++) {
      const k = syms[i] + '\u0000' + syms[i + 1];
      pairs.set(k, (pairs.get(k) ?? 0) + n);
    }
    let best: string | undefined;
    let bestN = 1; // a pair seen once is not worth a token
    for (const [k, n] of pairs) if (n > bestN || (n === bestN && best !== undefined && k < best)) {
      best = k;
      bestN = n;
    }
    if (best === undefined) break;
    const [a, b] = best.split('\u0000') as [string, string];
    out.push([a, b]);
    for (const e of entries) {
      const s = e.syms;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) s.splice(i, 2, a + b);
    }
  }
  return { symbols: [...alphabet].sort(), merges: out };
}
