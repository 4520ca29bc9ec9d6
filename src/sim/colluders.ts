/**
 * The simulator's colluding adversaries (issue 3, "Adversaries are puzzle-valid nodes that
 * collude"): they know each other and, once the attack is on, answer requests for the DHT node
 * they replace. They always answer PING, so they stay in honest tables.
 */
import type { SeededRandom } from '../common/clock.ts';
import type { ContactInfo, DhtEnvelope, DhtResponse } from '../dht/messages.ts';
import type { NodeAddress } from '../dht/node-id.ts';
import { SortedIds } from './sorted-ids.ts';

/** The flooding attackers of floods.ts (issue 12); they misroute like `misroute` colluders. */
export const FLOOD_MODES = ['spoof', 'subnet-sybils', 'store-flood', 'provider-flood'] as const;
export type FloodMode = (typeof FLOOD_MODES)[number];

/** /24s the flooding (floods.ts) adversaries live in: 2,000 sybils (20% of 10,000) are 125 per /24. */
export const ADVERSARY_SUBNETS = 16;
/** A sybil's real IP: one of ADVERSARY_SUBNETS /24s (66.n.0.0/24). */
export function adversaryIp(rng: SeededRandom): string {
  return `66.${rng.nextU32() % ADVERSARY_SUBNETS}.0.${1 + (rng.nextU32() % 254)}`;
}

export function isFloodMode(mode: string): mode is FloodMode {
  return (FLOOD_MODES as readonly string[]).includes(mode);
}

/** `drop`, `misroute`, `eclipse`, and the flooding attackers of floods.ts (which misroute too). */
export type AdversaryMode = 'drop' | 'misroute' | 'eclipse' | FloodMode;
export const ADVERSARY_MODES: readonly AdversaryMode[] = ['drop', 'misroute', 'eclipse', 'spoof', 'subnet-sybils', 'store-flood', 'provider-flood'];

export class Colluders {
  private readonly ids = new SortedIds();
  private readonly infoOf = new Map<Uint8Array, ContactInfo>();

  /**
   * @param mode `drop` ignores everything but PING; `misroute` and `eclipse` answer lookups with
   *   the colluders closest to the key (never a value) and acknowledge stores without storing.
   * @param k contacts per answer, as an honest node's k.
   */
  readonly mode: AdversaryMode;
  private readonly k: number;

  constructor(mode: AdversaryMode, k: number) {
    this.mode = mode;
    this.k = k;
  }

  add(info: ContactInfo): void {
    this.ids.insert(info.address);
    this.infoOf.set(info.address, info);
  }

  /** The colluder's answer to `env`, or null to stay silent. */
  answer(self: ContactInfo, env: DhtEnvelope): DhtResponse | null {
    const b = env.body;
    if (b.type === 'PING') return { type: 'PONG' };
    if (this.mode === 'drop') return null;
    switch (b.type) {
      case 'FIND_NODE':
        return { type: 'NODES', contacts: this.contactsNear(self, b.target) };
      case 'FIND_VALUE':
        return { type: 'VALUE', record: null, contacts: this.contactsNear(self, b.key) };
      case 'GET_PROVIDERS':
        return { type: 'PROVIDERS', providers: [], contacts: this.contactsNear(self, b.key) };
      case 'STORE':
      case 'ADD_PROVIDER':
        return { type: 'STORED', ok: true }; // lie
      default:
        return null;
    }
  }

  /** The k colluders closest to `target`, the answering one excluded. */
  private contactsNear(self: ContactInfo, target: NodeAddress): ContactInfo[] {
    return this.ids
      .closest(target, this.k + 1)
      .filter((a) => a !== self.address)
      .slice(0, this.k)
      .map((a) => this.infoOf.get(a)!);
  }
}
