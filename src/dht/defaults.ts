/**
 * DhtOptions and DEFAULTS: every tunable number of the S/Kademlia overlay
 * (whitepaper §1.1.1–§1.1.2, DESIGN.md §1.3). Sources are in ANCHORS.md
 * ("Overlay"); the figures that picked them are in docs/dht.md.
 */

export interface DhtOptions {
  /** Bucket size k and the number of closest nodes a lookup returns. */
  k: number;
  /** Total parallel requests of one lookup; split over the d paths (at least one per path). */
  alpha: number;
  /** Number of disjoint lookup paths d (S/Kademlia §4.4). */
  disjointPaths: number;
  /** A path stops once this many of its own closest live candidates (and its share of the lookup's k closest) have answered; 0 means ceil(k / d). */
  pathQuorum: number;
  /** Extra attempts for a timed-out lookup candidate among the `lookupRetryClosest` closest. */
  lookupRetries: number;
  /** Candidates (closest live ones) that get retries. */
  lookupRetryClosest: number;
  /** Replication s: a record is stored at the s closest nodes to its key. */
  replication: number;
  /** η: the sibling zone keeps at least η·s nodes closest to us (buckets there may exceed k). */
  siblingFactor: number;
  /** Size of each bucket's replacement cache. */
  replacementCacheSize: number;
  /** Consecutive failed RPCs after which a contact is stale and evicted. */
  staleAfterFailures: number;
  /** Same, when the bucket has a replacement waiting. */
  staleAfterFailuresWithReplacement: number;
  /** IP diversity: contacts per /24 (IPv4) or /48 (IPv6) per bucket. */
  maxPerSubnetPerBucket: number;
  /** IP diversity: contacts per /24 in the whole table. */
  maxPerSubnetPerTable: number;
  /** χ: unsolicited contacts only enter buckets at least χ levels above our deepest bucket. */
  chi: number;
  /** RTT estimator gain for the mean (1/8 as TCP, RFC 6298). */
  rttAlpha: number;
  /** RTT estimator gain for the deviation (1/4 as TCP, RFC 6298). */
  rttBeta: number;
  /** Timeout for a peer we have no RTT sample for, ms. */
  initialTimeoutMs: number;
  /** Lower bound on an RPC timeout, ms. */
  minTimeoutMs: number;
  /** Upper bound on an RPC timeout, ms. */
  maxTimeoutMs: number;
  /** A bucket not touched by a lookup for this long is refreshed by a random lookup in it, ms. */
  refreshIntervalMs: number;
  /** Period of the self-lookup that keeps the sibling zone fresh, ms. */
  selfLookupIntervalMs: number;
  /** At join, at most this many non-full buckets farther than our closest neighbour are refreshed at once (the rest at maintenance ticks). */
  joinRefreshBuckets: number;
  /** An unsolicited contact refused by the χ rule triggers a confirming self-lookup, at most this often, ms. */
  chiConfirmGapMs: number;
  /** Delay between the χ refusal and that self-lookup, ms (the stranger's join must have reached the nodes that vouch for it). */
  chiConfirmDelayMs: number;
  /** 1: a lookup stops waiting for a peer without an RTT sample after the node-wide srtt + 4·rttvar and asks its next candidate (the request stays pending); 0: off. */
  lookupStall: number;
  /** 1: a stalled candidate with retries left is asked again at once (the first request still pending) rather than after its timeout; 0: retries only after timeouts. */
  lookupHedge: number;
  /** A bucket whose least recently seen contact was not heard from for this long gets a liveness ping, ms. */
  livenessCheckMs: number;
  /** At most this many liveness pings per maintenance tick (the quietest contacts first). */
  livenessPingsPerTick: number;
  /** Period of the maintenance tick (refresh checks, record expiry), ms; jittered ±50%. */
  maintenanceTickMs: number;
  /** Publisher re-stores its records this often, ms. */
  republishIntervalMs: number;
  /** Longest lifetime a record may claim, ms. */
  maxRecordTtlMs: number;
  /** Lifetime of a provider record, ms. */
  providerTtlMs: number;
  /** Per-peer token bucket: sustained requests per second. */
  rateLimitPerSecond: number;
  /** Per-peer token bucket: burst size (requests). */
  rateLimitBurst: number;
  /** Peers tracked by the rate limiter before idle (full) buckets are forgotten. */
  rateLimitTrackedPeers: number;
  /**
   * 1: client mode (Kademlia, js-libp2p): our requests carry port 0, so the nodes we ask answer
   * but never add us to their tables (a short-lived get/put client must not linger there); 0: we serve.
   */
  clientMode: number;
  /** Largest accepted encoded message, bytes. */
  maxMessageBytes: number;
  /** Largest record value, bytes. */
  maxValueBytes: number;
  /** Most contacts accepted in one NODES answer. */
  maxContactsPerResponse: number;
  /** Most provider records returned or accepted per answer. */
  maxProvidersPerResponse: number;
  /** Most provider records kept per key. */
  maxProvidersPerKey: number;
  /** Most provider records per key from one /24 (IPv6 /48). */
  maxProvidersPerSubnetPerKey: number;
  /** Most keys one provider may announce at this node. */
  maxKeysPerProvider: number;
  /** Most provider records from one /24 over all keys. */
  maxProviderRecordsPerSubnet: number;
  /** Most provider records a node holds for others. */
  maxProviderRecords: number;
  /** Most records (values) a node stores for others. */
  maxStoredRecords: number;
  /** Most records one publisher may have stored at this node. */
  maxRecordsPerPublisher: number;
  /** Most records stored from one /24 (IPv6 /48) of senders. */
  maxRecordsPerSubnet: number;
  /** Token bucket per source IP (all identities behind it): requests per second. */
  rateLimitPerIpPerSecond: number;
  /** Token bucket per source IP: burst. */
  rateLimitPerIpBurst: number;
  /** Token bucket per source /24 (IPv6 /48): requests per second. */
  rateLimitPerSubnetPerSecond: number;
  /** Token bucket per source /24: burst. */
  rateLimitPerSubnetBurst: number;
  /** Outbound RPCs awaiting an answer; beyond it a request fails at once (our own lookups cannot pile up without bound). */
  maxPendingRpcs: number;
  /** Longest accepted namespace string, characters. */
  maxNamespaceLength: number;
  /** Longest accepted record name, bytes. */
  maxNameBytes: number;
}

export const DEFAULTS: Readonly<DhtOptions> = {
  k: 16, // S/Kademlia evaluation (N = 10,000) and discv5 use 16; Kademlia 20. Fewer contacts per lookup answer.
  alpha: 3, // Kademlia's α; with d paths each path gets max(1, ceil(α/d)) in flight.
  disjointPaths: 8, // S/Kademlia recommends d = 4..8; d = 8 keeps ≥ 99.5% at 20% adversaries (docs/dht.md).
  pathQuorum: 1, // each path asks at least its own closest candidate; the lookup-wide k-closest rule does the rest (2 costs +8 messages for no gain, docs/dht.md).
  lookupRetries: 3, // at 5% loss an RPC fails ~10% of the time: 2 retries lose the answer ~0.09% of the time (99.83-99.93% measured), 3 ~0.01% (99.99%) at no measurable message cost (docs/dht.md §4)
  lookupRetryClosest: 3, // the answer is the closest; 3 covers a dead or lossy first place at ≤ 6 extra messages.
  replication: 16, // s = k, the S/Kademlia evaluation's sibling count.
  siblingFactor: 5, // η ≥ 5 (S/Kademlia §4.2): η·s = 80 closest nodes are kept regardless of bucket size.
  replacementCacheSize: 8, // half a bucket: enough to refill after churn without holding many dead contacts.
  staleAfterFailures: 5, // Kademlia §4.1: a contact missing 5 RPCs in a row is stale.
  staleAfterFailuresWithReplacement: 1, // Kademlia §4.1 allows earlier eviction when a replacement (seen recently) is waiting.
  maxPerSubnetPerBucket: 2, // discv5: at most 2 per /24 per bucket.
  maxPerSubnetPerTable: 10, // discv5: at most 10 per /24 per table.
  chi: 3, // χ: the 3 deepest bucket levels (our neighbourhood, ~8 nodes' worth) accept only contacts we found ourselves.
  rttAlpha: 0.125, // RFC 6298 gain for SRTT.
  rttBeta: 0.25, // RFC 6298 gain for RTTVAR.
  initialTimeoutMs: 1_000, // RFC 6298 initial RTO of 1 s.
  minTimeoutMs: 250, // above loopback/LAN jitter; keeps one slow packet from marking a peer failed.
  maxTimeoutMs: 5_000, // a lookup never waits longer than this for one hop.
  refreshIntervalMs: 15 * 60_000, // Kademlia uses 1 h, js-libp2p 5 min; 15 min keeps buckets fresh under 5-min sessions (docs/dht.md).
  selfLookupIntervalMs: 10 * 60_000, // sibling zone refresh; cheaper than bucket refresh (one lookup).
  joinRefreshBuckets: 256, // Kademlia §2.3: all of them
  chiConfirmGapMs: 15_000, // a new neighbour is confirmed through independent nodes within ~20 s (docs/dht.md §4, churn); 60 s missed newcomers
  chiConfirmDelayMs: 5_000, // a join (self-lookup + refreshes) reaches the vouching nodes within a few seconds; confirming at once found nobody
  lookupHedge: 1, // a dead closest candidate costs one timeout, not three in a row; same requests (docs/dht.md §1, Stall)
  lookupStall: 1, // under 5-min churn ~40% of contacts learned from answers are dead: waiting 1 s for each made lookups take 10-40 s
  livenessCheckMs: 2 * 60_000, // Bamboo-style periodic recovery: dead contacts found within minutes, not at the next lookup
  livenessPingsPerTick: 16, // all quiet bucket heads (~14 at 10k nodes); a cap of 3 left tables too dead at 5-min sessions (docs/dht.md)
  maintenanceTickMs: 60_000, // checks are cheap; 1 min granularity is enough for 10-min periods.
  republishIntervalMs: 60 * 60_000, // Kademlia: republish every hour.
  maxRecordTtlMs: 24 * 60 * 60_000, // Kademlia: values expire after 24 h unless republished.
  providerTtlMs: 24 * 60 * 60_000, // as values; js-libp2p keeps 48 h, IPFS republishes every 22 h.
  rateLimitPerSecond: 20, // a node doing 20 lookups/s sends at most ~1 request/s to any one peer.
  rateLimitBurst: 50, // absorbs a burst of parallel lookups from one peer.
  rateLimitTrackedPeers: 512, // bounded memory: ~40 B per tracked peer.
  clientMode: 0, // a node serves; the CLI's short-lived put/get/provide/providers run as clients
  maxMessageBytes: 16 * 1024, // 20 contacts ≈ 1 KiB; a 4 KiB value plus signatures fits easily.
  maxValueBytes: 4 * 1024, // HCS descriptors and public keys are < 1 KiB.
  maxContactsPerResponse: 20, // ≥ k; anything larger is malformed.
  maxProvidersPerResponse: 20, // as contacts.
  // Stores (issue 12). A node holds a share s/n of everyone's records: a publisher with R records has
  // ~R·s/n of them here (32 per publisher allows R = 20,000 at n = 10,000), so per-publisher and
  // per-/24 shares cost honest users nothing and cap what cheap identities can take. Memory figures
  // are measured by bench/dht-flood.ts (docs/benchmarks.md).
  maxProvidersPerKey: 64, // ≥ 3 answers' worth; a full key keeps its earliest live providers and refuses newcomers.
  maxProvidersPerSubnetPerKey: 2, // discv5's per-/24 figure: filling a key's 64 slots takes 32 /24s.
  maxKeysPerProvider: 64, // a provider announces the models it serves (tens); ~64·s/n of them land here.
  maxProviderRecordsPerSubnet: 512, // 3% of the store per /24.
  maxProviderRecords: 16_384, // ~0.6 KiB each in memory (record, key, contact, bookkeeping): ≤ ~10 MiB.
  maxStoredRecords: 8_192, // ≤ ~4.6 KiB each (4 KiB value + name, keys, signature, bookkeeping): ≤ ~37 MiB; honest load is ~16 records per 1,000 published network-wide per 1,000 nodes.
  maxRecordsPerPublisher: 32, // see above: R·s/n records of a publisher land here.
  maxRecordsPerSubnet: 256, // 3% of the store per /24: ~8 full publishers behind one NAT.
  rateLimitPerIpPerSecond: 40, // two honest nodes' worth (20/s each) behind one address; identities beyond buy nothing.
  rateLimitPerIpBurst: 100,
  rateLimitPerSubnetPerSecond: 80, // four nodes' worth per /24 (IP diversity admits ≤ 10 per /24 per table anyway).
  rateLimitPerSubnetBurst: 200,
  maxPendingRpcs: 4_096, // 20 lookups/s × ~30 requests × ~1.5 s ≈ 900 in flight at most in honest use.
  maxNamespaceLength: 32, // "/pk/", "/hcs/": short ASCII prefixes.
  maxNameBytes: 64, // names are addresses or hashes (32 bytes).
};

/** Fill missing fields from DEFAULTS and check the relations between them. */
export function withDefaults(options: Partial<DhtOptions> = {}): DhtOptions {
  const o = { ...DEFAULTS, ...options };
  for (const [name, value] of Object.entries(o)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`DhtOptions.${name} must be a finite number ≥ 0`);
  }
  if (o.k < 1 || o.disjointPaths < 1 || o.alpha < 1) throw new RangeError('DhtOptions: k, alpha and disjointPaths must be ≥ 1');
  if (o.minTimeoutMs > o.maxTimeoutMs) throw new RangeError('DhtOptions: minTimeoutMs > maxTimeoutMs');
  return o;
}

/** Per-path in-flight requests. */
export function perPathParallelism(o: DhtOptions): number {
  return Math.max(1, Math.ceil(o.alpha / o.disjointPaths));
}

/** Live candidates a path must have queried before it stops. */
export function pathQuorumOf(o: DhtOptions): number {
  return o.pathQuorum > 0 ? o.pathQuorum : Math.max(1, Math.ceil(o.k / o.disjointPaths));
}
