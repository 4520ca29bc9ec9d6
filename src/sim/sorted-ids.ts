/**
 * A sorted index of 256-bit addresses for the simulator's ground truth: which live nodes are
 * XOR-closest to a target, and which addresses fall in a bucket's range. The DHT under test never
 * sees this index; it only tells the simulator what a perfect lookup would have returned.
 */
import { commonPrefixLength, compareDistance } from '../dht/node-id.ts';

/** Compares the first `bits` bits of `a` and `b` as big-endian numbers (sign only). */
function prefixCompare(a: Uint8Array, b: Uint8Array, bits: number): number {
  const full = bits >>> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  const rest = bits & 7;
  if (rest === 0) return 0;
  const mask = (0xff00 >>> rest) & 0xff;
  return (a[full]! & mask) - (b[full]! & mask);
}

const ZERO = new Uint8Array(32);
/** Lexicographic (big-endian) order: XOR distance from zero. */
export const lexCompare = (a: Uint8Array, b: Uint8Array): number => compareDistance(ZERO, a, b);

/** First index in sorted `ids` whose first `bits` bits are ≥ (or > when `strict`) those of `p`. */
export function lowerBound(ids: Uint8Array[], p: Uint8Array, bits: number, strict: boolean): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = prefixCompare(ids[mid]!, p, bits);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A sorted set of addresses with exact XOR-closest queries. */
export class SortedIds {
  readonly ids: Uint8Array[] = [];
  insert(a: Uint8Array): void {
    const i = this.position(a);
    this.ids.splice(i, 0, a);
  }
  remove(a: Uint8Array): void {
    const i = this.position(a);
    if (this.ids[i] === a) this.ids.splice(i, 1);
  }
  position(a: Uint8Array): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lexCompare(this.ids[mid]!, a) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** The `count` ids closest to `target` by XOR (exact for count = 1; window-approximate beyond). */
  closest(target: Uint8Array, count: number): Uint8Array[] {
    const n = this.ids.length;
    if (n === 0) return [];
    const pos = this.position(target);
    // The XOR-closest id shares the longest prefix with target; such ids are contiguous around pos.
    let best = -1;
    for (const j of [pos - 1, pos]) if (j >= 0 && j < n) best = Math.max(best, commonPrefixLength(this.ids[j]!, target));
    let lo = pos;
    while (lo > 0 && commonPrefixLength(this.ids[lo - 1]!, target) >= best) lo--;
    let hi = pos;
    while (hi < n && commonPrefixLength(this.ids[hi]!, target) >= best) hi++;
    lo = Math.max(0, Math.min(lo, pos - 2 * count));
    hi = Math.min(n, Math.max(hi, pos + 2 * count));
    const window = this.ids.slice(lo, hi);
    window.sort((a, b) => compareDistance(target, a, b));
    return window.slice(0, count);
  }
}
