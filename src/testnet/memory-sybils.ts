/**
 * Raw peers on the in-memory DHT testnet (src/sim/dht-testnet.ts) for attack tests (issue 12): an
 * endpoint at an address of the caller's choice that sends requests whose envelope may claim any
 * contact, and records the answers it gets. Signatures are not checked on the testnet (its
 * verifier trusts all), so what these show is the core's rules on valid-looking messages.
 */
import type { ContactInfo, DhtEnvelope, DhtRequest, DhtResponse } from '../dht/messages.ts';
import type { DhtTestnet } from '../sim/dht-testnet.ts';

export interface MemoryPeer {
  readonly self: ContactInfo;
  readonly answers: DhtResponse[];
  /** Send `body` to `to` from our real endpoint (the envelope claims `claimed`), then let 2 s of virtual time pass. */
  send(to: ContactInfo, body: DhtRequest, claimed?: ContactInfo): void;
  /** Send without advancing the clock (a burst). */
  sendNow(to: ContactInfo, body: DhtRequest, claimed?: ContactInfo): void;
}

export function memoryPeer(net: DhtTestnet, self: ContactInfo): MemoryPeer {
  net.puzzleValid.add(self.address);
  const answers: DhtResponse[] = [];
  net.network.attach(self, (_from, env) => {
    if (env.kind === 'response') answers.push(env.body as DhtResponse);
  });
  let rpcId = 1;
  const sendNow = (to: ContactInfo, body: DhtRequest, claimed: ContactInfo = self): void => {
    const env: DhtEnvelope = { kind: 'request', rpcId: rpcId++, from: claimed, body };
    net.network.send(self, to, env);
  };
  return {
    self,
    answers,
    sendNow,
    send(to, body, claimed) {
      sendNow(to, body, claimed);
      net.clock.advance(2_000);
    },
  };
}

/** A puzzle-valid address in bucket 0 of `of` (first bit flipped): the χ rule never refuses it there. */
export function addressFarFrom(of: Uint8Array, random: { bytes(n: number): Uint8Array }): Uint8Array {
  const a = random.bytes(32);
  a[0] = ((of[0]! ^ 0x80) & 0x80) | (a[0]! & 0x7f);
  return a;
}
