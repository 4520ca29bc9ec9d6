/**
 * The DhtService a `hyperspace dht …` command runs (§1.1, §2.1): its identity from a
 * keystore (or a fresh one meeting c1), a libp2p transport on the --listen addresses,
 * started and ready to bootstrap.
 */
import { BaseError } from '../../common/errors.ts';
import { nodeAddressOf, publicKeyOf } from '../../identity/node-address.ts';
import { MAX_DIFFICULTY, staticPuzzleBits } from '../../identity/puzzle.ts';
import { unlockKeystoreFile } from '../../identity/keystore.ts';
import { DhtService, DEFAULTS as SERVICE_DEFAULTS } from '../../node/dht-service.ts';
import { Libp2pTransport } from '../../transport/libp2p-transport.ts';
import { intFlag } from '../args.ts';
import { UsageError, type CliIo } from '../io.ts';
import { readPassword } from '../password.ts';

/** The flags startService reads (parseArgs values). */
export interface ServiceFlags {
  keystore?: string;
  listen?: string[];
  c1?: string;
  'announce-ip'?: string;
}

/** `client`: a short-lived command that only asks (Kademlia's client mode): the nodes it asks answer but never add it to their tables. */
export async function startService(io: CliIo, values: ServiceFlags, defaultListen: string[], client = false): Promise<DhtService> {
  const c1 = intFlag(values.c1, 'c1', 0, MAX_DIFFICULTY, SERVICE_DEFAULTS.c1);
  const secretKey = await loadSecret(io, values.keystore, c1);
  const listen = values.listen && values.listen.length > 0 ? values.listen : defaultListen;
  let transport: Libp2pTransport;
  try {
    transport = await Libp2pTransport.create(
      { secretKey },
      { listen, ...(values['announce-ip'] === undefined ? {} : { announceIp: values['announce-ip'] }) },
    );
  } catch (error) {
    if (error instanceof BaseError) throw error;
    throw new UsageError(`cannot listen on ${listen.join(', ')}: ${(error as Error).message}`);
  }
  const service = new DhtService({ transport, secretKey }, { c1, dht: client ? { clientMode: 1 } : {} });
  service.start();
  return service;
}

/** The keystore's secret key, or without one a fresh key meeting c1; refused when below c1. */
async function loadSecret(io: CliIo, keystore: string | undefined, c1: number): Promise<Uint8Array> {
  let secretKey: Uint8Array;
  if (keystore !== undefined) {
    const password = await readPassword(io, { purpose: 'unlock', keystorePath: keystore });
    secretKey = (await unlockKeystoreFile(keystore, password)).secretKey;
  } else if (c1 <= 12) {
    // Naive loop: 2^12 attempts at a few thousand a second is about a second at worst.
    const { randomBytes } = await import('node:crypto');
    for (;;) {
      secretKey = new Uint8Array(randomBytes(32));
      if (staticPuzzleBits(nodeAddressOf(publicKeyOf(secretKey))) >= c1) break;
    }
  } else {
    const { grindStaticIdentity } = await import('../../identity/grind.ts');
    secretKey = (await grindStaticIdentity(c1)).secretKey;
  }
  const bits = staticPuzzleBits(nodeAddressOf(publicKeyOf(secretKey)));
  if (bits < c1) throw new UsageError(`the identity in ${keystore} meets ${bits} bits, below the network's c1 = ${c1}`, 'grind one with `hyperspace id new --difficulty <c1>`');
  return secretKey;
}
