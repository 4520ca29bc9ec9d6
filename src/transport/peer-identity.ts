/**
 * One key for everything (DESIGN.md §1.1, §2): the libp2p peer key IS the node's secp256k1
 * identity key, so a libp2p peer id names exactly one NodeAddress, and Noise's handshake proves it.
 *
 *   secret (32 bytes) ──privateKeyFromRaw──► libp2p Secp256k1PrivateKey ──► PeerId (16Uiu2…)
 *   PeerId ──embedded compressed key──► uncompressed 0x04‖X‖Y ──keccak256(X‖Y)──► NodeAddress
 *
 * Also maps contacts (NodeAddress, IP, port) to dialable multiaddrs and back.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { privateKeyFromRaw } from '@libp2p/crypto/keys';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { InvalidArgumentError } from '../common/errors.ts';
import { nodeAddressOf } from '../identity/node-address.ts';
import { UnsupportedPeerKeyError } from './errors.ts';

/** The libp2p private key of a 32-byte secp256k1 identity secret. */
export function libp2pKeyOf(secretKey: Uint8Array): PrivateKey {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) throw new InvalidArgumentError('secretKey', 'must be 32 bytes');
  const key = privateKeyFromRaw(secretKey);
  if (key.type !== 'secp256k1') throw new InvalidArgumentError('secretKey', `became a ${key.type} key`);
  return key;
}

const addressCache = new Map<string, Uint8Array>();

/** NodeAddress of a peer id; throws UnsupportedPeerKeyError for non-secp256k1 peers. */
export function nodeAddressOfPeerId(peerId: PeerId): Uint8Array {
  const id = peerId.toString();
  const cached = addressCache.get(id);
  if (cached) return cached;
  if (peerId.type !== 'secp256k1' || peerId.publicKey === undefined) throw new UnsupportedPeerKeyError(id, peerId.type);
  const uncompressed = secp256k1.Point.fromBytes(peerId.publicKey.raw).toBytes(false);
  const address = nodeAddressOf(uncompressed);
  if (addressCache.size > 10_000) addressCache.clear(); // bounded: a cache, not a registry
  addressCache.set(id, address);
  return address;
}

/** IP and TCP port of a multiaddr (`/ip4|ip6/<ip>/tcp/<port>/…`), or undefined. */
export function ipPortOf(ma: Multiaddr): { ip: string; port: number; ws: boolean } | undefined {
  let ip: string | undefined;
  let port: number | undefined;
  let ws = false;
  for (const c of ma.getComponents()) {
    if ((c.name === 'ip4' || c.name === 'ip6') && ip === undefined) ip = c.value;
    else if (c.name === 'tcp' && port === undefined) port = Number(c.value);
    else if (c.name === 'ws' || c.name === 'wss') ws = true;
  }
  return ip === undefined || port === undefined ? undefined : { ip, port, ws };
}

/** The plain TCP multiaddr of a contact, with /p2p/<peer> when the peer id is known. */
export function contactMultiaddr(contact: { ip: string; port: number }, peerId?: PeerId): Multiaddr {
  const base = `/${contact.ip.includes(':') ? 'ip6' : 'ip4'}/${contact.ip}/tcp/${contact.port}`;
  return multiaddr(peerId ? `${base}/p2p/${peerId.toString()}` : base);
}

/** The peer id component of a multiaddr, if any. */
export function peerIdTextOf(ma: Multiaddr): string | undefined {
  return ma.getComponents().find((c) => c.name === 'p2p')?.value;
}
