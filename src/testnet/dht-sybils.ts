/**
 * Cheap attacking identities for DHT tests over real libp2p sockets (issue 12; whitepaper §1.1.2):
 * each sybil is its own secp256k1 identity meeting a small c1, its own libp2p host listening and
 * dialing from a loopback IP of the caller's choice (Linux routes all of 127.0.0.0/8 to lo, so
 * 127.66.x.y gives an attacker many /24s on one machine), and it sends validly signed DHT requests
 * whose contents — the claimed contact included — the caller chooses.
 */
import { randomBytes } from 'node:crypto';
import { systemClock, systemRandom } from '../common/clock.ts';
import type { ContactInfo, DhtEnvelope, DhtRequest, DhtResponse } from '../dht/messages.ts';
import { parseDhtEnvelope, sealDhtEnvelope } from '../dht/wire-codec.ts';
import { signProvider, signRecord } from '../dht/wire-auth.ts';
import type { DhtRecord, ProviderRecord } from '../dht/messages.ts';
import { nodeAddressOf, publicKeyOf } from '../identity/node-address.ts';
import { staticPuzzleBits } from '../identity/puzzle.ts';
import { Libp2pTransport } from '../transport/libp2p-transport.ts';
import { DHT_PROTOCOL } from '../node/protocols.ts';
import { signerOf, type Signer } from '../wire/envelope.ts';

/** A random identity meeting `c1` (naive loop: c1 = 8 is ~256 tries, a few ms). */
export function cheapIdentity(c1: number): { secretKey: Uint8Array; nodeAddress: Uint8Array } {
  for (;;) {
    const secretKey = new Uint8Array(randomBytes(32));
    const nodeAddress = nodeAddressOf(publicKeyOf(secretKey));
    if (staticPuzzleBits(nodeAddress) >= c1) return { secretKey, nodeAddress };
  }
}

export interface Sybil {
  readonly transport: Libp2pTransport;
  readonly signer: Signer;
  /** Its real contact: the loopback IP it listens and dials from. */
  readonly self: ContactInfo;
  /** Why requests got no answer (dial errors, timeouts, bad answers), for test messages. */
  readonly errors: unknown[];
  /**
   * Send one validly signed request to `to`. By default as a client (our contact with port 0): the
   * flood tests need no sybil in honest tables, and honest lookups then never wait on one. `claimed`
   * replaces our contact in the envelope (an address spoofer claims a serving one). Resolves to the
   * answer's body, or null when none came (dropped, refused).
   */
  request(to: ContactInfo, body: DhtRequest, claimed?: ContactInfo): Promise<DhtResponse | null>;
  /** A record signed by this sybil as its publisher. */
  record(namespace: string, name: Uint8Array, value: Uint8Array, expiresAt: number, seq?: number): DhtRecord;
  /** A provider record for `key` signed by this sybil, announcing `contact` (default: its real one). */
  provider(key: Uint8Array, expiresAt: number, contact?: ContactInfo): ProviderRecord;
  close(): Promise<void>;
}

export async function createSybil(c1: number, ip: string): Promise<Sybil> {
  const id = cheapIdentity(c1);
  // Patient: the tests run honest nodes and many sybils in one process on a busy machine.
  const transport = await Libp2pTransport.create({ secretKey: id.secretKey }, { listen: [`/ip4/${ip}/tcp/0`], dialFrom: ip, requestTimeoutMs: 30_000, handshakeTimeoutMs: 25_000, inboundTimeoutMs: 20_000 });
  const signer = signerOf(id.secretKey);
  const self: ContactInfo = { address: signer.nodeAddress, ...transport.localContact() };
  // A sybil that got into a table answers requests validly but emptily (it knows nobody, holds
  // nothing), so honest lookups through it do not wait for timeouts: these tests measure what the
  // floods achieve; silent contacts are the simulator's `drop` adversaries.
  transport.handle(DHT_PROTOCOL, (frame) => {
    try {
      const req = parseDhtEnvelope(frame);
      if (req.kind !== 'request') return null;
      const body: DhtResponse | null =
        req.body.type === 'PING' ? { type: 'PONG' }
        : req.body.type === 'FIND_NODE' ? { type: 'NODES', contacts: [] }
        : req.body.type === 'FIND_VALUE' ? { type: 'VALUE', record: null, contacts: [] }
        : req.body.type === 'GET_PROVIDERS' ? { type: 'PROVIDERS', providers: [], contacts: [] }
        : { type: 'STORED', ok: false };
      const env: DhtEnvelope = { kind: 'response', rpcId: req.rpcId, from: self, to: req.from.address, body };
      return sealDhtEnvelope(env, { signer, clock: systemClock, random: systemRandom });
    } catch {
      return null;
    }
  });
  let rpcId = 1;
  const errors: unknown[] = [];
  return {
    errors,
    transport,
    signer,
    self,
    async request(to, body, claimed = { ...self, port: 0 }) {
      const env: DhtEnvelope = { kind: 'request', rpcId: rpcId++, from: claimed, to: to.address, body };
      const sealed = sealDhtEnvelope(env, { signer, clock: systemClock, random: systemRandom });
      try {
        const r = await transport.request(to, DHT_PROTOCOL, sealed);
        return r.frame === null ? null : (parseDhtEnvelope(r.frame).body as DhtResponse);
      } catch (error) {
        errors.push(error);
        return null; // refused, reset or timed out: no answer
      }
    },
    record(namespace, name, value, expiresAt, seq = 1) {
      return signRecord({ namespace, name, value, publisher: self.address, seq, expiresAt }, id.secretKey);
    },
    provider(key, expiresAt, contact = self) {
      return signProvider({ key, provider: contact, expiresAt }, id.secretKey);
    },
    close: () => transport.close(),
  };
}
