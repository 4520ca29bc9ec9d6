/**
 * Fixed sample DHT envelopes, one per message type, with fixed keys: shared by the wire-codec
 * tests and test/vectors/generate-dht-wire.ts (the golden vectors are these, sealed).
 */
import { ManualClock, type Random } from '../common/clock.ts';
import { signerOf, type Signer } from '../wire/envelope.ts';
import type { ContactInfo, DhtEnvelope, DhtRecord, ProviderRecord } from './messages.ts';
import { recordKey } from './records.ts';
import { signProvider, signRecord } from './wire-auth.ts';

/** Counter bytes: reproducible nonces (never for real use). */
export class CountingRandom implements Random {
  private next = 0;
  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.next++ & 0xff);
  }
}

export const SAMPLE_TIME_MS = 1_750_000_000_000; // 2025-06-15T15:06:40Z

export const SECRET_A = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
export const SECRET_B = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);

export function sampleSigners(): { a: Signer; b: Signer } {
  return { a: signerOf(SECRET_A), b: signerOf(SECRET_B) };
}

export function contactOf(signer: Signer, ip: string, port: number): ContactInfo {
  return { address: signer.nodeAddress, ip, port };
}

export interface Samples {
  a: Signer;
  b: Signer;
  contactA: ContactInfo;
  contactB: ContactInfo;
  record: DhtRecord;
  provider: ProviderRecord;
  envelopes: Record<string, DhtEnvelope>;
}

export function samples(): Samples {
  const { a, b } = sampleSigners();
  const contactA = contactOf(a, '127.0.0.1', 4001);
  const contactB = contactOf(b, '2001:db8::7', 4002);
  const name = new TextEncoder().encode('alpha');
  const record = signRecord(
    { namespace: '/hcs/', name, value: new TextEncoder().encode('{"url":"hcs://alpha"}'), publisher: a.nodeAddress, seq: 3, expiresAt: SAMPLE_TIME_MS + 3_600_000 },
    a.secretKey,
  );
  const key = recordKey('/hcs/', name);
  const provider = signProvider({ key, provider: contactA, expiresAt: SAMPLE_TIME_MS + 86_400_000 }, a.secretKey);
  // Requests go from A to B, responses from B to A; strong kinds name their recipient (weak PING/PONG cannot).
  const weak = (body: DhtEnvelope['body']): boolean => body.type === 'PING' || body.type === 'PONG';
  const req = (rpcId: number, body: DhtEnvelope['body']): DhtEnvelope =>
    weak(body) ? { kind: 'request', rpcId, from: contactA, body } : { kind: 'request', rpcId, from: contactA, to: b.nodeAddress, body };
  const res = (rpcId: number, body: DhtEnvelope['body']): DhtEnvelope =>
    weak(body) ? { kind: 'response', rpcId, from: contactB, body } : { kind: 'response', rpcId, from: contactB, to: a.nodeAddress, body };
  return {
    a,
    b,
    contactA,
    contactB,
    record,
    provider,
    envelopes: {
      PING: req(1, { type: 'PING' }),
      PONG: res(1, { type: 'PONG' }),
      FIND_NODE: req(2, { type: 'FIND_NODE', target: key }),
      NODES: res(2, { type: 'NODES', contacts: [contactA, contactB] }),
      FIND_VALUE: req(3, { type: 'FIND_VALUE', key }),
      VALUE: res(3, { type: 'VALUE', record, contacts: [] }),
      'VALUE (not found)': res(4, { type: 'VALUE', record: null, contacts: [contactA] }),
      STORE: req(5, { type: 'STORE', record }),
      STORED: res(5, { type: 'STORED', ok: true }),
      ADD_PROVIDER: req(6, { type: 'ADD_PROVIDER', provider }),
      GET_PROVIDERS: req(7, { type: 'GET_PROVIDERS', key }),
      PROVIDERS: res(7, { type: 'PROVIDERS', providers: [provider], contacts: [contactB] }),
    },
  };
}

/** The signer of a sample envelope (requests by A, responses by B). */
export function signerFor(s: Samples, env: DhtEnvelope): Signer {
  return env.kind === 'request' ? s.a : s.b;
}

export function sampleClock(): ManualClock {
  return new ManualClock(SAMPLE_TIME_MS);
}
