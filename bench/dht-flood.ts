/**
 * Memory of one DHT node under a flood of valid messages (issue 12; docs/benchmarks.md, docs/security.md §2).
 *
 *   node_modules/.bin/node --expose-gc bench/dht-flood.ts [--messages 60000] [--subnets 256]
 *
 * One real DhtNode core (default DhtOptions) on a virtual clock receives, from `--subnets` /24s with
 * fresh identities for every message (the worst case: cheap identities, no per-identity state
 * reused), a flood of STOREs with 4 KiB values, ADD_PROVIDERs and FIND_NODEs, every one valid. Its
 * table admits nobody (IP-diversity limits of 0), so it counts itself responsible for every key:
 * the attacker's best case (names ground so their keys land next to the victim), and the honest
 * publishers' case (they store at the nodes responsible for their keys). Every 100th message an honest publisher from its own /24
 * stores a record and announces a provider: these must be accepted throughout. Also filled to their
 * caps: the wire layer's replay cache (65,536 entries, src/wire/replay-guard.ts) and the libp2p
 * peer book (maxKnownPeers, estimated per entry).
 *
 * Prints ONE JSON object: retained heap after the flood against the ceiling the DEFAULTS imply
 * (the ratio is the check), store sizes, outcomes, and the honest success rate during the flood.
 * Signatures are not verified (a stand-in verifier): they cost time, not memory.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { VirtualClock } from '../src/transport/memory-clock.ts';
import { SeededRandom } from '../src/common/clock.ts';
import { DhtNode } from '../src/dht/dht-node.ts';
import { DEFAULTS } from '../src/dht/defaults.ts';
import type { ContactInfo, DhtEnvelope, DhtRequest } from '../src/dht/messages.ts';
import { NO_AUTH_VERIFIER, TRUST_ALL_PUZZLES } from '../src/dht/ports.ts';
import { ReplayGuard } from '../src/wire/replay-guard.ts';
import { DEFAULTS as TRANSPORT_DEFAULTS } from '../src/transport/libp2p-transport.ts';
import { liveHeapBytes, loadGc } from '../src/sim/heap-meter.ts';

const { values } = parseArgs({ options: { messages: { type: 'string' }, subnets: { type: 'string' } } });
const MESSAGES = Number(values.messages ?? 60_000);
const SUBNETS = Number(values.subnets ?? 256);
const VALUE_BYTES = DEFAULTS.maxValueBytes; // the largest value a STORE may carry
/** Per-entry upper estimates used for the ceiling (bytes), checked against the measurement. */
const PER_RECORD = VALUE_BYTES + 2_600; // value + name, publisher, signature (each a typed array with its own backing store), objects, hex keys, map entries
const PER_PROVIDER = 1_100; // record, key, contact, signature, bookkeeping, hex keys, map entries
const PER_REPLAY_ENTRY = 200; // 48-byte latin1 key string, heap node, map entry
const PER_BOOK_ENTRY = 400; // libp2p PeerId object and map entry (not measured here: no sockets)
const PER_LIMITER_ENTRY = 120; // token bucket object and map entry

const gc = await loadGc();
const loadBefore = os.loadavg();
const rng = new SeededRandom(7);
const clock = new VirtualClock(1_700_000_000_000);
const self: ContactInfo = Object.freeze({ address: rng.bytes(32), ip: '10.0.0.1', port: 4001 });
const answers = { stored: 0, refused: 0 };
const node = new DhtNode({
  self,
  clock,
  random: rng,
  send: (_to, env) => {
    if (env.body.type === 'STORED') env.body.ok ? answers.stored++ : answers.refused++;
  },
  scheduler: clock,
  puzzle: TRUST_ALL_PUZZLES,
  verifier: NO_AUTH_VERIFIER,
  recordVerifier: { verifyRecord: () => true, verifyProvider: () => true },
}, { maxPerSubnetPerBucket: 0, maxPerSubnetPerTable: 0 });
node.start();
const heapBefore = liveHeapBytes(gc);

let rpcId = 1;
const deliver = (from: ContactInfo, body: DhtRequest): boolean => {
  const before = answers.stored;
  const env: DhtEnvelope = { kind: 'request', rpcId: rpcId++, from, body };
  node.handle(env, { observedIp: from.ip, replyTo: from });
  return answers.stored > before;
};
const attackerContact = (i: number): ContactInfo => {
  const subnet = i % SUBNETS;
  return { address: rng.bytes(32), ip: `${20 + (subnet >> 16)}.${(subnet >> 8) & 255}.${subnet & 255}.${1 + (i % 250)}`, port: 4001 };
};
const expires = (): number => Math.floor(clock.now()) + DEFAULTS.maxRecordTtlMs - 60_000;

let honestStores = 0;
let honestStoresOk = 0;
let honestProviders = 0;
let honestProvidersOk = 0;
const t0 = performance.now();
for (let i = 0; i < MESSAGES; i++) {
  clock.advance(5); // 200 messages per simulated second: under the per-/24 limits with 256 /24s
  const from = attackerContact(i);
  switch (i % 3) {
    case 0:
      deliver(from, { type: 'STORE', record: { namespace: '/hcs/', name: rng.bytes(32), value: rng.bytes(VALUE_BYTES), publisher: from.address, seq: 1, expiresAt: expires(), signature: rng.bytes(65) } });
      break;
    case 1:
      deliver(from, { type: 'ADD_PROVIDER', provider: { key: rng.bytes(32), provider: from, expiresAt: expires(), signature: rng.bytes(65) } });
      break;
    default:
      deliver(from, { type: 'FIND_NODE', target: rng.bytes(32) });
  }
  if (i % 100 === 99) {
    // An honest publisher and provider, each from its own /24 (the 50.x.y.0/24 range).
    const h = i / 100;
    const honest: ContactInfo = { address: rng.bytes(32), ip: `50.${(h >> 8) & 255}.${h & 255}.1`, port: 4001 };
    honestStores++;
    if (deliver(honest, { type: 'STORE', record: { namespace: '/hcs/', name: rng.bytes(16), value: rng.bytes(200), publisher: honest.address, seq: 1, expiresAt: expires(), signature: rng.bytes(65) } })) honestStoresOk++;
    honestProviders++;
    if (deliver(honest, { type: 'ADD_PROVIDER', provider: { key: rng.bytes(32), provider: honest, expiresAt: expires(), signature: rng.bytes(65) } })) honestProvidersOk++;
  }
}
const floodSeconds = (performance.now() - t0) / 1000;
const heapAfterFlood = liveHeapBytes(gc);

// The replay cache at its cap (strong envelopes from fresh identities, nonces within the window).
const guard = new ReplayGuard();
const heapBeforeGuard = liveHeapBytes(gc);
const now = Date.now();
for (let i = 0; i < 65_536; i++) guard.admit(rng.bytes(32), rng.bytes(16), now, now);
const replayBytes = liveHeapBytes(gc) - heapBeforeGuard;

const o = node.options;
const stores = node.stores;
const ceiling =
  o.maxStoredRecords * PER_RECORD +
  o.maxProviderRecords * PER_PROVIDER +
  65_536 * PER_REPLAY_ENTRY +
  TRANSPORT_DEFAULTS.maxKnownPeers * PER_BOOK_ENTRY +
  3 * o.rateLimitTrackedPeers * PER_LIMITER_ENTRY;
const retained = heapAfterFlood - heapBefore + replayBytes;
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
console.log(
  JSON.stringify({
    name: 'dht-flood',
    machine: { cpus: os.availableParallelism(), model: os.cpus()[0]?.model ?? 'unknown', node: process.version, gcAvailable: gc !== null, loadavgBefore: loadBefore.map((l) => round(l, 2)), loadavgAfter: os.loadavg().map((l) => round(l, 2)) },
    parameters: { messages: MESSAGES, subnets: SUBNETS, valueBytes: VALUE_BYTES, maxStoredRecords: o.maxStoredRecords, maxProviderRecords: o.maxProviderRecords, replayEntries: 65_536 },
    held: { records: stores.records, providers: stores.providers, replayEntries: guard.size },
    outcomes: stores.outcomes,
    dropped: Object.fromEntries(Object.entries(node.stats.dropped).filter(([, v]) => v > 0)),
    honestDuringFlood: { storesAccepted: honestStoresOk, stores: honestStores, providersAccepted: honestProvidersOk, providers: honestProviders, successRate: round((honestStoresOk + honestProvidersOk) / Math.max(1, honestStores + honestProviders), 4) },
    memory: {
      retainedStoresBytes: heapAfterFlood - heapBefore,
      replayCacheBytes: replayBytes,
      retainedBytes: retained,
      ceilingBytes: ceiling,
      retainedOverCeiling: round(retained / ceiling),
      rssBytes: process.memoryUsage().rss,
    },
    floodSeconds: round(floodSeconds, 2),
    messagesPerSecond: Math.round(MESSAGES / floodSeconds),
  }),
);
