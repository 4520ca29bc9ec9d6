/**
 * RpcClient: the outbound half of a DhtNode's RPCs (whitepaper §1.1, §2.1.2; DESIGN.md §1.3;
 * docs/dht.md §1). It numbers requests, signs and sends them, times them out from per-peer and
 * node-wide RTT estimates (RFC 6298 style), and matches responses to them, on time or late.
 * Pure: time passes only through the injected Scheduler.
 */
import type { Clock, Random } from '../common/clock.ts';
import type { DhtOptions } from './defaults.ts';
import { countDrop, DhtInputError, type DhtStats } from './errors.ts';
import { encodedEnvelopeBytes, type ContactInfo, type DhtEnvelope, type DhtRequest, type DhtResponse } from './messages.ts';
import { sameAddress } from './node-id.ts';
import { NO_AUTH_SIGNER, type EnvelopeSigner, type Scheduler, type SendPort } from './ports.ts';
import type { RoutingTable } from './routing-table.ts';

/** Whose traffic an RPC is: a user operation, or maintenance (counted apart in stats.maintenanceBytes). */
export type Purpose = 'user' | 'maintenance';

/** The host ports an RpcClient uses (a subset of DhtComponents). */
export interface RpcPorts {
  self: ContactInfo;
  clock: Clock;
  random: Random;
  send: SendPort;
  scheduler: Scheduler;
  signer?: EnvelopeSigner;
}

interface PendingRpc {
  to: ContactInfo;
  sentAt: number;
  purpose: Purpose;
  cb: (response: DhtResponse | null) => void;
  /** Called when the answer arrives after the timeout fired (within a grace period). */
  late?: (response: DhtResponse) => void;
}

export class RpcClient {
  private readonly c: RpcPorts;
  private readonly options: DhtOptions;
  private readonly table: RoutingTable;
  private readonly stats: DhtStats;
  private readonly pending = new Map<number, PendingRpc>();
  /** Timed-out RPCs whose late answer is still welcome (for maxTimeoutMs after the timeout). */
  private readonly expired = new Map<number, PendingRpc>();
  private nextRpcId: number;
  /** The contact our requests carry: ourselves, or with port 0 in client mode (we do not serve). */
  private readonly from: ContactInfo;
  /** Node-wide RTT estimate (ms) for peers with no sample of their own; -1 = none yet. */
  private srtt = -1;
  private rttvar = 0;

  /** Draws 4 random bytes (the first rpc id). */
  constructor(ports: RpcPorts, options: DhtOptions, table: RoutingTable, stats: DhtStats) {
    this.c = ports;
    this.options = options;
    this.table = table;
    this.stats = stats;
    this.from = options.clientMode === 1 ? Object.freeze({ ...ports.self, port: 0 }) : ports.self;
    const r = ports.random.bytes(4);
    this.nextRpcId = ((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0;
  }

  /** RPCs sent and neither answered nor timed out. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** How long to wait for `to` before the RPC counts as failed, ms. */
  timeoutFor(to: ContactInfo): number {
    const o = this.options;
    const c = this.table.get(to.address);
    let t: number;
    // Per-peer estimate when we have one. Otherwise the RFC 6298 initial 1 s, not the node-wide
    // average: base RTTs differ a lot between peers, and a far peer would time out on first contact.
    if (c && c.srtt >= 0) t = c.srtt + 4 * c.rttvar;
    else t = Math.max(o.initialTimeoutMs, this.srtt >= 0 ? this.srtt + 4 * this.rttvar : 0);
    return Math.min(o.maxTimeoutMs, Math.max(o.minTimeoutMs, t));
  }

  /**
   * When a lookup stops waiting for `to` and asks its next candidate (the request stays
   * pending), ms; 0 = not before the timeout. Only for peers without an RTT sample of
   * their own, whose timeout is the 1 s default: after the node-wide srtt + 4·rttvar
   * (at least minTimeoutMs) a live peer has almost always answered. Under churn these
   * are mostly contacts learned from answers, many of them departed.
   */
  stallFor(to: ContactInfo): number {
    const o = this.options;
    if (o.lookupStall === 0 || this.srtt < 0) return 0;
    const c = this.table.get(to.address);
    if (c && c.srtt >= 0) return 0;
    const stall = Math.max(o.minTimeoutMs, this.srtt + 4 * this.rttvar);
    return stall < this.timeoutFor(to) ? stall : 0;
  }

  private observeRtt(rtt: number): void {
    if (this.srtt < 0) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = (1 - this.options.rttBeta) * this.rttvar + this.options.rttBeta * Math.abs(this.srtt - rtt);
      this.srtt = (1 - this.options.rttAlpha) * this.srtt + this.options.rttAlpha * rtt;
    }
  }

  /** Send one request; `cb(null)` on timeout. */
  request(to: ContactInfo, body: DhtRequest, purpose: Purpose, cb: (response: DhtResponse | null) => void, late?: (response: DhtResponse) => void): void {
    if (this.pending.size >= this.options.maxPendingRpcs) {
      // Bounded: fail at once (asynchronously, as a timeout would) instead of queueing without end.
      this.stats.timeouts++;
      this.c.scheduler.schedule(0, () => cb(null));
      return;
    }
    const rpcId = this.nextRpcId;
    this.nextRpcId = (this.nextRpcId + 1) >>> 0;
    const now = this.c.clock.now();
    this.pending.set(rpcId, late ? { to, sentAt: now, purpose, cb, late } : { to, sentAt: now, purpose, cb });
    let envelope: DhtEnvelope = { kind: 'request', rpcId, from: this.from, body };
    envelope = (this.c.signer ?? NO_AUTH_SIGNER).sign(envelope, to);
    const bytes = encodedEnvelopeBytes(envelope);
    this.stats.requestsSent++;
    this.stats.bytesSent += bytes;
    if (purpose === 'maintenance') this.stats.maintenanceBytes += bytes;
    this.c.scheduler.schedule(this.timeoutFor(to), () => this.expire(rpcId));
    this.c.send(to, envelope);
  }

  private expire(rpcId: number): void {
    const p = this.pending.get(rpcId);
    if (!p) return;
    this.pending.delete(rpcId);
    this.stats.timeouts++;
    this.table.recordFailure(p.to.address);
    if (p.late) {
      this.expired.set(rpcId, p);
      this.c.scheduler.schedule(this.options.maxTimeoutMs, () => this.expired.delete(rpcId));
    }
    p.cb(null);
  }

  /**
   * Match an authenticated response (already shape-, signature- and puzzle-checked) to its
   * request: the sender must be the peer we asked. Unmatched ones are counted and dropped.
   * The responder enters our table with the address we reached it at (`to` of the request),
   * never the one its envelope claims, and only when the answer came from that IP
   * (`observedIp`; a transport may reuse another connection to the same peer).
   */
  handleResponse(envelope: DhtEnvelope, now: number, observedIp?: string): DhtInputError | null {
    let p = this.pending.get(envelope.rpcId);
    let late = false;
    if (!p) {
      p = this.expired.get(envelope.rpcId);
      late = true;
    }
    if (!p || !sameAddress(p.to.address, envelope.from.address)) {
      return countDrop(this.stats, new DhtInputError('unexpected-response', `no pending rpc ${envelope.rpcId} for that sender`));
    }
    if (late) this.expired.delete(envelope.rpcId);
    else this.pending.delete(envelope.rpcId);
    this.stats.responsesReceived++;
    const rtt = now - p.sentAt;
    this.observeRtt(rtt);
    if (observedIp === undefined || observedIp === p.to.ip) {
      if (p.to.port !== 0) this.table.offer(p.to, now, true);
      this.table.recordSuccess(p.to.address, rtt, now, this.options);
    } else this.stats.notAdmitted.unproven++;
    if (p.purpose === 'maintenance') this.stats.maintenanceBytes += encodedEnvelopeBytes(envelope);
    if (late) p.late!(envelope.body as DhtResponse);
    else p.cb(envelope.body as DhtResponse);
    return null;
  }
}
