/**
 * The Transport a node host uses (DESIGN.md §3; whitepaper §1.1, §2): request/response exchanges
 * of opaque byte frames between nodes named by their contact (NodeAddress, IP, port), on named
 * protocols. One transport carries every protocol a node speaks (the DHT, the community-server
 * and inference-node protocols; src/node/protocols.ts): libp2p multiplexes them as streams on one
 * connection per peer, the in-memory transport tags each packet with its protocol.
 *
 * One exchange = one request frame and at most one answer frame, with a timeout. Implementations:
 * libp2p-transport.ts (TCP/WebSockets, Noise, Yamux; one stream per exchange) and
 * memory-transport.ts (the in-memory network on a virtual clock). The remote of every
 * exchange is authenticated by the transport (Noise: the peer proves its key), and reported as the
 * NodeAddress of that key, so the host can require that a message's signer is the peer that sent it.
 */

/** How to reach a node; structurally the DHT's ContactInfo. */
export interface PeerContact {
  readonly address: Uint8Array;
  readonly ip: string;
  readonly port: number;
}

/** The authenticated other end of an exchange. */
export interface RemotePeer {
  /** NodeAddress of the key the peer authenticated with. */
  readonly nodeAddress: Uint8Array;
  /** Remote IP as observed on the connection (undefined when the transport cannot tell). */
  readonly ip?: string;
  /** Observed remote port (an ephemeral port for inbound connections, not the listening port). */
  readonly port?: number;
  /** Stable per-peer key for rate limiting (e.g. the libp2p peer id). */
  readonly key: string;
}

/** Answers one inbound request frame; returns the answer frame, or null to send none. */
export type FrameHandler = (frame: Uint8Array, from: RemotePeer) => Uint8Array | null | Promise<Uint8Array | null>;

/** Why an inbound exchange was dropped by the transport itself (bad framing, timeout). */
export type TransportDropHandler = (error: Error, from: RemotePeer | undefined) => void;

/** How one protocol's inbound exchanges are handled. */
export interface ProtocolHandlerOptions {
  /** Largest request and answer frame on this protocol, bytes (default: the transport's maxFrameBytes). */
  maxFrameBytes?: number;
  /** Told about this protocol's inbound exchanges that the transport drops (bad framing, timeout). */
  onDrop?: TransportDropHandler;
}

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Largest answer frame accepted, bytes (default: the transport's maxFrameBytes). */
  maxAnswerBytes?: number;
}

export interface ExchangeResult {
  /** The answer frame, or null when the peer closed without answering. */
  frame: Uint8Array | null;
  from: RemotePeer;
}

export interface Transport {
  /** This node's NodeAddress (the transport's key is the node's identity key). */
  readonly nodeAddress: Uint8Array;
  /** Addresses others can reach us at, in the transport's notation (multiaddrs with /p2p/ for libp2p). */
  listenAddresses(): string[];
  /** The IP and port to advertise in our DHT contact. */
  localContact(): { ip: string; port: number };
  /**
   * Serve `protocol`: each inbound request on it goes to `handler`. Throws ProtocolInUseError when
   * the protocol already has a handler (two services cannot share one protocol id).
   */
  handle(protocol: string, handler: FrameHandler, options?: ProtocolHandlerOptions): void;
  /** Stop serving `protocol` (inbound requests on it are then refused like any unknown protocol). */
  unhandle(protocol: string): void;
  /** The protocols served, in registration order. */
  protocols(): string[];
  /**
   * Send `frame` to `to` on `protocol` and wait for its answer. Rejects with a TransportError
   * (timeout, dial, peer mismatch, unsupported protocol, bad frame).
   */
  request(to: PeerContact, protocol: string, frame: Uint8Array, options?: RequestOptions): Promise<ExchangeResult>;
  /** Reach a node by address (e.g. a bootstrap multiaddr) and return its authenticated contact. */
  connect(address: string, options?: RequestOptions): Promise<PeerContact>;
  close(): Promise<void>;
}
