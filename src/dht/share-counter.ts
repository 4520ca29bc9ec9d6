/**
 * ShareCounter: how many entries of a bounded store each group holds (a publisher, a provider, a
 * /24), so a store can cap each group's share and evict from the largest group first (issue 12;
 * discv5's per-/24 limits). Memory: one Map entry per group with at least one entry.
 */
export class ShareCounter<K> {
  private readonly counts = new Map<K, number>();

  get(group: K): number {
    return this.counts.get(group) ?? 0;
  }

  add(group: K, delta: number): void {
    const n = (this.counts.get(group) ?? 0) + delta;
    if (n <= 0) this.counts.delete(group);
    else this.counts.set(group, n);
  }

  /** Groups with at least one entry. */
  get groups(): number {
    return this.counts.size;
  }

  /** The group holding the most entries (the first found on ties), or undefined when empty. */
  largest(): { group: K; count: number } | undefined {
    let best: { group: K; count: number } | undefined;
    for (const [group, count] of this.counts) if (!best || count > best.count) best = { group, count };
    return best;
  }
}
