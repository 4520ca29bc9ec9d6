/**
 * createDhtTestnet(n): n real DhtNodes on the in-memory network with a virtual
 * clock, joined one after another through the first node (DESIGN.md §4: ship an
 * in-memory test network). Identities are random puzzle-valid addresses; auth is
 * skipped unless the caller injects a verifier/signer. For tests and examples.
 */
import { SeededRandom } from '../common/clock.ts';
import { DhtNode, type DhtComponents } from '../dht/dht-node.ts';
import type { DhtOptions } from '../dht/defaults.ts';
import type { ContactInfo, DhtEnvelope } from '../dht/messages.ts';
import { NO_AUTH_VERIFIER, type PuzzleChecker } from '../dht/ports.ts';
import type { RecordVerifier } from '../dht/records.ts';
import { VirtualClock } from '../transport/memory-clock.ts';
import { MemoryNetwork, type MemoryNetworkOptions } from '../transport/memory-network.ts';

export interface DhtTestnet {
  clock: VirtualClock;
  network: MemoryNetwork<ContactInfo, DhtEnvelope>;
  nodes: DhtNode[];
  random: SeededRandom;
  /** Addresses marked puzzle-valid. */
  puzzleValid: WeakSet<Uint8Array>;
  puzzle: PuzzleChecker;
  /** Add one more node (not yet joined); `dht` overrides the network's options for it (e.g. clientMode). */
  spawn(overrides?: Partial<DhtComponents>, dht?: Partial<DhtOptions>): DhtNode;
  /** Remove a node without goodbye. */
  kill(node: DhtNode): void;
}

export const ACCEPT_ALL_RECORDS: RecordVerifier = { verifyRecord: () => true, verifyProvider: () => true };

export interface DhtTestnetOptions {
  seed?: number;
  dht?: Partial<DhtOptions>;
  network?: Partial<MemoryNetworkOptions>;
  /** Milliseconds between joins. */
  joinSpacingMs?: number;
  recordVerifier?: RecordVerifier;
  /** Virtual time to let maintenance run after the last join (default 10 min). */
  settleMs?: number;
}

export function createDhtTestnet(n: number, options: DhtTestnetOptions = {}): DhtTestnet {
  const random = new SeededRandom(options.seed ?? 1);
  const clock = new VirtualClock(1_000_000);
  const network = new MemoryNetwork<ContactInfo, DhtEnvelope>(clock, { seed: (options.seed ?? 1) + 17, ...options.network });
  const puzzleValid = new WeakSet<Uint8Array>();
  const puzzle: PuzzleChecker = { isValid: (a) => puzzleValid.has(a) };
  const nodes: DhtNode[] = [];
  let ipCounter = 0;
  const spawn = (overrides: Partial<DhtComponents> = {}, dht: Partial<DhtOptions> = {}): DhtNode => {
    const address = random.bytes(32);
    puzzleValid.add(address);
    ipCounter++;
    const info: ContactInfo = Object.freeze({ address, ip: `10.${(ipCounter >> 8) & 255}.${ipCounter & 255}.1`, port: 4001 });
    const node = new DhtNode(
      {
        self: info,
        clock,
        random,
        send: (to, env) => network.send(info, to, env),
        scheduler: clock,
        puzzle,
        verifier: NO_AUTH_VERIFIER,
        recordVerifier: options.recordVerifier ?? ACCEPT_ALL_RECORDS,
        ...overrides,
      },
      { ...options.dht, ...dht },
    );
    // The network knows the sending endpoint: its IP is the observed one, and answers go back to it.
    network.attach(info, (from, env) => void node.handle(env, { observedIp: from.ip, replyTo: from }));
    nodes.push(node);
    return node;
  };
  const kill = (node: DhtNode): void => {
    node.stop();
    network.detach(node.self);
  };
  const spacing = options.joinSpacingMs ?? 200;
  for (let i = 0; i < n; i++) {
    const node = spawn();
    const seed = nodes[0]!;
    if (i > 0) clock.at(clock.now() + i * spacing, () => node.bootstrap([seed.self], () => {}));
    node.start();
  }
  clock.advance(n * spacing + (options.settleMs ?? 10 * 60_000));
  return { clock, network, nodes, random, puzzleValid, puzzle, spawn, kill };
}
