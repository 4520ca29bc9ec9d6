/**
 * The foundation's message kinds (§1.1.2 PING, §2.2.3 join; docs/spec/wire.md §6). DHT kinds
 * (FIND_NODE, STORE, …) live in src/dht and community-server kinds in src/hcs, declared the
 * same way: a domain from crypto/domains.ts plus a schema, joined by `messageKind`.
 */
import { DOMAINS } from '../crypto/domains.ts';
import { messageKind } from './envelope.ts';
import { bytes, list, optional, string, struct, u16, type Infer } from './schema.ts';
import { IP_LENGTH } from './ip.ts';

/** Longest multiaddr string we accept, in bytes (`/ip6/…/tcp/…/ws/p2p/…` is ~120). */
export const MAX_MULTIADDR_BYTES = 256;
/** Most listen addresses a node advertises. */
export const MAX_MULTIADDRS = 8;

/** PING (weak): `token` is echoed by the PONG, so the pinger matches replies and measures RTT. */
export const PingSchema = struct({ token: bytes(8) });
export type Ping = Infer<typeof PingSchema>;
export const PING = messageKind(DOMAINS.ping, PingSchema);

/**
 * PONG (weak): echoes the token, and tells the pinger the address it was seen from (a hint for
 * NAT discovery, unauthenticated like every weak body).
 */
export const PongSchema = struct({ token: bytes(8), observedIp: bytes(IP_LENGTH), observedPort: u16 });
export type Pong = Infer<typeof PongSchema>;
export const PONG = messageKind(DOMAINS.pong, PongSchema);

/**
 * JOIN (weak), HIN → HCS (§2.2.3): "a join message, which includes the sender's address". The
 * sender's NodeAddress is the envelope's `sender`, bound by the signature; the body lists where
 * the HIN can be reached. The HCS answers (its own kind, src/hcs) with c2.
 */
export const JoinSchema = struct({ multiaddrs: list(string(MAX_MULTIADDR_BYTES), MAX_MULTIADDRS) });
export type Join = Infer<typeof JoinSchema>;
export const JOIN = messageKind(DOMAINS.join, JoinSchema);

/** ECHO (strong): a generic example of a strongly signed request, used by tests and vectors. */
export const EchoSchema = struct({ text: string(1024), replyTo: optional(bytes(32)) });
export type Echo = Infer<typeof EchoSchema>;
export const ECHO = messageKind(DOMAINS.echo, EchoSchema);
