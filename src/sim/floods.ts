/**
 * The simulator's flooding attackers (issue 12; whitepaper §1.1.2): cheap puzzle-valid identities
 * packed into a few /24s (`ADVERSARY_SUBNETS`), which misroute lookups like `misroute` colluders
 * and, from the measurement on, also:
 *
 * - `spoof`: every 10 s each sends a request to a random honest node claiming an invented IP (a
 *   different /24 each time), to slip past the IP-diversity limits into tables;
 * - `subnet-sybils`: the same from their real addresses (IP diversity must cap them per /24);
 * - `store-flood`: each STOREs a valid record of its own (random name) at a random honest node
 *   every `STORE_FLOOD_PERIOD_MS`; measured with the `value` workload;
 * - `provider-flood`: after each honest provider announces a key, `PROVIDER_FLOOD_SYBILS` sybils
 *   announce the same key at the 16 honest nodes closest to it; measured with the `providers`
 *   workload (the honest provider must still be found).
 *
 * `exposure()` reports what they achieved in the honest nodes' tables and stores.
 */
import type { SeededRandom } from '../common/clock.ts';
import type { ContactInfo, DhtEnvelope, DhtRequest } from '../dht/messages.ts';
import type { VirtualClock } from '../transport/memory-clock.ts';
import type { MemoryNetwork } from '../transport/memory-network.ts';
import type { FloodMode } from './colluders.ts';
import type { SimNode, SimPopulation } from './population.ts';

/** How often each spoofing or subnet sybil knocks on a random honest node, ms. */
const KNOCK_PERIOD_MS = 10_000;
/** How often each store-flood sybil STOREs a junk record, ms (2,000 sybils: 2,000 STOREs/s network-wide). */
const STORE_FLOOD_PERIOD_MS = 1_000;
/** Sybils that announce each honest provider's key at its 16 closest honest nodes. */
export const PROVIDER_FLOOD_SYBILS = 64;

/** Starts the periodic part of the attack (spoof, subnet-sybils, store-flood) for every live adversary. */
export function startFlood(mode: FloodMode, pop: SimPopulation, net: MemoryNetwork<ContactInfo, DhtEnvelope>, clock: VirtualClock, rng: SeededRandom): void {
  if (mode === 'provider-flood') return; // driven per lookup by the providers workload
  let rpcId = 1;
  const send = (s: SimNode, to: ContactInfo, body: DhtRequest, claimed: ContactInfo): void => {
    net.send(s.info, to, { kind: 'request', rpcId: rpcId++, from: claimed, body });
  };
  for (const s of pop.all) {
    if (!s.adversarial) continue;
    const period = mode === 'store-flood' ? STORE_FLOOD_PERIOD_MS : KNOCK_PERIOD_MS;
    const act = (): void => {
      if (!s.alive) return;
      const victim = pop.byAddress.get(pop.randomLiveHonestAddress())!.info;
      if (mode === 'store-flood') {
        const record = { namespace: '/hcs/', name: rng.bytes(16), value: rng.bytes(64), publisher: s.info.address, seq: 1, expiresAt: Math.floor(clock.now()) + 3_600_000, signature: new Uint8Array(65) };
        send(s, victim, { type: 'STORE', record }, s.info);
      } else {
        const claimed = mode === 'spoof' ? Object.freeze({ address: s.info.address, ip: `${1 + (rng.nextU32() % 223)}.${rng.nextU32() % 256}.${rng.nextU32() % 256}.1`, port: s.info.port }) : s.info;
        send(s, victim, { type: 'FIND_NODE', target: s.info.address }, claimed);
      }
      clock.schedule(period, act);
    };
    clock.schedule(rng.nextFloat() * period, act);
  }
}

/** `provider-flood`: PROVIDER_FLOOD_SYBILS random sybils announce `key` at `holders` (valid, signed by themselves in a real network). */
export function floodProviders(key: Uint8Array, holders: readonly ContactInfo[], pop: SimPopulation, net: MemoryNetwork<ContactInfo, DhtEnvelope>, clock: VirtualClock, rng: SeededRandom): void {
  const adversaries = pop.all.filter((s) => s.adversarial && s.alive);
  if (adversaries.length === 0) return;
  for (let i = 0; i < PROVIDER_FLOOD_SYBILS; i++) {
    const s = adversaries[rng.nextU32() % adversaries.length]!;
    const provider = { key, provider: s.info, expiresAt: Math.floor(clock.now()) + 3_600_000, signature: new Uint8Array(65) };
    for (const h of holders) net.send(s.info, h, { kind: 'request', rpcId: i, from: s.info, body: { type: 'ADD_PROVIDER', provider } });
  }
}

/** What the adversaries achieved in honest tables and stores. */
export function exposure(pop: SimPopulation): Record<string, unknown> {
  let entries = 0;
  let adversarial = 0;
  let unproven = 0;
  let records = 0;
  let maxRecords = 0;
  let providers = 0;
  let maxProviders = 0;
  const outcomes: Record<string, number> = {};
  let honest = 0;
  for (const s of pop.all) {
    if (s.adversarial || !s.alive) continue;
    honest++;
    for (const c of s.node.table.all()) {
      entries++;
      const real = pop.byAddress.get(c.info.address);
      if (real?.adversarial) adversarial++;
      if (real && real.info.ip !== c.info.ip) unproven++;
    }
    const st = s.node.stores;
    records += st.records;
    providers += st.providers;
    maxRecords = Math.max(maxRecords, st.records);
    maxProviders = Math.max(maxProviders, st.providers);
    for (const [k, v] of Object.entries(st.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  }
  return {
    adversaryTableShare: Math.round((adversarial / Math.max(1, entries)) * 10_000) / 10_000,
    tableEntriesAtUnprovenAddresses: unproven,
    recordsHeldPerHonestNode: { mean: Math.round(records / Math.max(1, honest)), max: maxRecords },
    providerRecordsHeldPerHonestNode: { mean: Math.round(providers / Math.max(1, honest)), max: maxProviders },
    storeOutcomes: outcomes,
  };
}
