/**
 * What the pure DHT core needs from its host (DESIGN.md §3): a way to send, a way
 * to be called back later, identity checks. The libp2p host, the in-memory network
 * and the simulator each provide these; the core never touches sockets or timers.
 */
import type { DhtEnvelope, ContactInfo } from './messages.ts';
import type { DropCode } from './errors.ts';
import type { NodeAddress } from './node-id.ts';

/** Hands an envelope to the transport. Fire-and-forget: loss shows up as a timeout. */
export type SendPort = (to: ContactInfo, envelope: DhtEnvelope) => void;

/** A scheduled-event interface: run `task` after `delayMs` of (possibly virtual) time. */
export interface Scheduler {
  schedule(delayMs: number, task: () => void): void;
}

/** Static-puzzle check for the network's c1 (src/identity/puzzle.ts in production). */
export interface PuzzleChecker {
  isValid(address: NodeAddress): boolean;
}

/** Metadata the transport knows about an inbound message. */
export interface InboundMeta {
  /** Encoded size when the message arrived as bytes. */
  bytes?: number;
  /** Rate-limit key (e.g. remote IP); defaults to the claimed sender address. */
  peerKey?: number | string;
  /**
   * The IP the message came from as the transport saw it (libp2p: the connection's remote
   * address; the in-memory network: the sending endpoint's), in canonical text (src/wire/ip.ts).
   * A sender whose claimed IP differs is answered but never enters the routing table, and its
   * provider announcements are refused: the node hands out only addresses it observed.
   */
  observedIp?: string;
  /**
   * Where an answer goes when the transport routes by endpoint (the in-memory network): the
   * sending endpoint, not the contact the envelope claims (a client claims port 0). Default:
   * the envelope's sender. libp2p answers on the request's own stream and ignores it.
   */
  replyTo?: ContactInfo;
}

/**
 * Checks an envelope's authentication: weak signature for PING/PONG, strong
 * (with nonce, timestamp and replay cache) for the rest. Returns null when
 * acceptable, else why to drop it. The simulator injects one that skips crypto.
 */
export interface EnvelopeVerifier {
  verify(envelope: DhtEnvelope, meta: InboundMeta): DropCode | null;
}

/**
 * Adds authentication to an outgoing envelope (identity in the simulator). `to` is the node the
 * envelope is for: strong signatures bind its address (DhtEnvelope.to), so the message cannot be
 * replayed to anyone else.
 */
export interface EnvelopeSigner {
  sign(envelope: DhtEnvelope, to: ContactInfo): DhtEnvelope;
}

/** The simulator's stand-ins: every address is puzzle-valid, nothing is signed or checked. */
export const TRUST_ALL_PUZZLES: PuzzleChecker = { isValid: () => true };
export const NO_AUTH_VERIFIER: EnvelopeVerifier = { verify: () => null };
export const NO_AUTH_SIGNER: EnvelopeSigner = { sign: (e) => e };
