/**
 * The simulator's `seeded` bootstrap (docs/dht.md §3): every node's buckets get up to k nodes drawn
 * uniformly from that bucket's range of the whole population, plus its η·s nearest nodes — the
 * state a long-running Kademlia table converges to after its refreshes, without churn.
 */
import { compareDistance } from '../dht/node-id.ts';
import type { ContactInfo } from '../dht/messages.ts';
import type { RoutingTable } from '../dht/routing-table.ts';
import type { SeededRandom } from '../common/clock.ts';
import { lexCompare, lowerBound } from './sorted-ids.ts';

export interface SeedableNode {
  info: ContactInfo;
  table: RoutingTable;
}

/**
 * Fills each node's table from the whole population `nodes`.
 * @param k contacts per bucket
 * @param siblingCap η·s: how many nearest nodes every table also gets (the sibling zone)
 */
export function seedTables(nodes: readonly SeedableNode[], k: number, siblingCap: number, rng: SeededRandom): void {
  const sorted = nodes.map((s) => s.info.address).sort(lexCompare);
  const infoOf = new Map<Uint8Array, ContactInfo>();
  for (const s of nodes) infoOf.set(s.info.address, s.info);
  const p = new Uint8Array(32);
  for (const s of nodes) {
    const self = s.info.address;
    const table = s.table;
    for (let i = 0; i < 256; i++) {
      // Bucket i: addresses sharing our first i bits and differing in bit i.
      p.set(self);
      p[i >>> 3]! ^= 0x80 >>> (i & 7);
      const lo = lowerBound(sorted, p, i + 1, false);
      const hi = lowerBound(sorted, p, i + 1, true);
      const size = hi - lo;
      if (size > 0) {
        if (size <= k) for (let j = lo; j < hi; j++) table.offer(infoOf.get(sorted[j]!)!, 0, true);
        else {
          const picked = new Set<number>();
          while (picked.size < k) picked.add(lo + (rng.nextU32() % size));
          for (const j of picked) table.offer(infoOf.get(sorted[j]!)!, 0, true);
        }
      }
      // Below our own region there is nobody left.
      const own = lowerBound(sorted, self, i + 1, true) - lowerBound(sorted, self, i + 1, false);
      if (own <= 1 && size === 0) break;
    }
    // The η·s nearest (sibling zone).
    const pos = lowerBound(sorted, self, 256, false);
    const window = sorted.slice(Math.max(0, pos - siblingCap), Math.min(sorted.length, pos + siblingCap + 1));
    window.sort((a, b) => compareDistance(self, a, b));
    for (const a of window.slice(0, siblingCap + 1)) if (a !== self) table.offer(infoOf.get(a)!, 0, true);
  }
}
