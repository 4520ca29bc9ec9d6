/**
 * encodedEnvelopeBytes (messages.ts) against the real codec: every message type, sealed by
 * sealDhtEnvelope, must be exactly as long as the arithmetic says — fixed samples, contact and
 * provider counts across the varint boundary, IPv4 and IPv6, records with multi-byte namespaces
 * and values of every length class, and a few hundred seeded random messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRandom } from '../common/clock.ts';
import { SIGNATURE_LENGTH } from '../crypto/signature.ts';
import type { Signer } from '../wire/envelope.ts';
import { withDefaults } from './defaults.ts';
import { encodedEnvelopeBytes, validateEnvelope, type ContactInfo, type DhtBody, type DhtEnvelope, type DhtRecord, type ProviderRecord } from './messages.ts';
import { sealDhtEnvelope } from './wire-codec.ts';
import { CountingRandom, contactOf, sampleClock, samples, signerFor } from './wire-samples.test-helper.ts';

const S = samples();
const limits = withDefaults();

/** The sealed bytes of `env`, signed by whichever sample signer `env.from` names. */
function seal(env: DhtEnvelope): Uint8Array {
  const signer = env.from.address === S.a.nodeAddress ? S.a : S.b;
  return sealDhtEnvelope(env, { signer, clock: sampleClock(), random: new CountingRandom() });
}

function assertExact(env: DhtEnvelope, what: string): number {
  const sealed = seal(env);
  assert.equal(encodedEnvelopeBytes(env), sealed.length, `${what}: computed vs sealed`);
  return sealed.length;
}

const WEAK = new Set(['PING', 'PONG']);
const REQUESTS = new Set(['PING', 'FIND_NODE', 'FIND_VALUE', 'STORE', 'ADD_PROVIDER', 'GET_PROVIDERS']);

/** An envelope from `signer` (at ip:port) carrying `body`; strong kinds address the other sample node. */
function envelope(body: DhtBody, signer: Signer, ip: string, port = 4001, rpcId = 7): DhtEnvelope {
  const from = contactOf(signer, ip, port);
  const kind = REQUESTS.has(body.type) ? 'request' : 'response';
  if (WEAK.has(body.type)) return { kind, rpcId, from, body };
  const to = signer === S.a ? S.b.nodeAddress : S.a.nodeAddress;
  return { kind, rpcId, from, to, body };
}

// ---------------------------------------------------------------------------------------------
// Seeded generators

const rnd = new SeededRandom(20250615);
const int = (n: number): number => rnd.nextU32() % n;
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

function ipv4(): string {
  return [int(256), int(256), int(256), int(256)].join('.');
}

function ipv6(): string {
  const words = Array.from({ length: 8 }, () => int(0x10000).toString(16));
  // Half of them in compressed form with a run of zeros.
  if (int(2) === 0) return words.join(':');
  return `${words.slice(0, 2).join(':')}::${words.slice(5).join(':')}`;
}

const ip = (): string => (int(2) === 0 ? ipv4() : ipv6());

function contact(ipText = ip()): ContactInfo {
  return { address: rnd.bytes(32), ip: ipText, port: int(0x10000) };
}

/** ASCII, 2-, 3- and 4-byte UTF-8 characters (the last a surrogate pair in JavaScript). */
const NAMESPACE_CHARS = ['/', 'a', 'z', '0', 'é', 'ß', '中', '語', '😀'];
const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

function namespace(maxBytes = limits.maxNamespaceLength): string {
  const target = 1 + int(maxBytes);
  let s = '';
  for (;;) {
    const next = s + pick(NAMESPACE_CHARS);
    if (utf8Length(next) > target) return s === '' ? '/' : s;
    s = next;
  }
}

/** Lengths that sit on both sides of the one/two-byte varint boundary, the limit, and random ones. */
function valueLength(): number {
  return pick([0, 1, 127, 128, 129, 1000, limits.maxValueBytes, int(limits.maxValueBytes + 1)]);
}

function record(over: Partial<DhtRecord> = {}): DhtRecord {
  return {
    namespace: namespace(),
    name: rnd.bytes(int(limits.maxNameBytes + 1)),
    value: rnd.bytes(valueLength()),
    publisher: rnd.bytes(32),
    seq: rnd.nextU32() * 2 ** 21 + int(2 ** 21),
    expiresAt: 1_750_000_000_000 + rnd.nextU32(),
    signature: rnd.bytes(SIGNATURE_LENGTH),
    ...over,
  };
}

function provider(): ProviderRecord {
  return { key: rnd.bytes(32), provider: contact(), expiresAt: 1_750_000_000_000 + rnd.nextU32(), signature: rnd.bytes(SIGNATURE_LENGTH) };
}

const contacts = (n: number, ipText?: () => string): ContactInfo[] => Array.from({ length: n }, () => contact(ipText?.()));

function randomBody(): DhtBody {
  const n = (): number => pick([0, 1, 2, 16, 20, int(limits.maxContactsPerResponse + 1)]);
  switch (pick(['PING', 'PONG', 'FIND_NODE', 'FIND_VALUE', 'GET_PROVIDERS', 'STORE', 'ADD_PROVIDER', 'NODES', 'VALUE', 'STORED', 'PROVIDERS'] as const)) {
    case 'PING':
      return { type: 'PING' };
    case 'PONG':
      return { type: 'PONG' };
    case 'FIND_NODE':
      return { type: 'FIND_NODE', target: rnd.bytes(32) };
    case 'FIND_VALUE':
      return { type: 'FIND_VALUE', key: rnd.bytes(32) };
    case 'GET_PROVIDERS':
      return { type: 'GET_PROVIDERS', key: rnd.bytes(32) };
    case 'STORE':
      return { type: 'STORE', record: record() };
    case 'ADD_PROVIDER':
      return { type: 'ADD_PROVIDER', provider: provider() };
    case 'NODES':
      return { type: 'NODES', contacts: contacts(n()) };
    case 'VALUE':
      return { type: 'VALUE', record: int(2) === 0 ? null : record(), contacts: contacts(n()) };
    case 'STORED':
      return { type: 'STORED', ok: int(2) === 0 };
    case 'PROVIDERS':
      return { type: 'PROVIDERS', providers: Array.from({ length: n() }, provider), contacts: contacts(n()) };
  }
}

// ---------------------------------------------------------------------------------------------

test('every sample message type (wire-samples) is exactly as long as sealed', () => {
  for (const [name, env] of Object.entries(S.envelopes)) {
    const sealed = sealDhtEnvelope(env, { signer: signerFor(S, env), clock: sampleClock(), random: new CountingRandom() });
    assert.equal(encodedEnvelopeBytes(env), sealed.length, name);
  }
});

test('the layout figures quoted in messages.ts and docs/dht.md: PING 148 B, FIND_NODE 237 B, NODES of 16 contacts 1,003 B', () => {
  // Fails when the wire layout changes: update the comment in messages.ts and docs/dht.md §3 with it.
  // weak:   1 tag + 1+22 domain + 32 sender + 16 ip + 2 port + 4 bucket + 1+4 body + 65 signature = 148
  // strong: 1 tag + 1+27 domain + 32 sender + 16 nonce + 8 time + 1+86 body + 65 signature      = 237
  //         NODES: 1 + 1+23 + 32 + 16 + 8 + 2+(54 header + 1 count + 16 × 50) + 65              = 1003
  assert.equal(assertExact(envelope({ type: 'PING' }, S.a, '10.0.0.1'), 'PING'), 148);
  assert.equal(assertExact(envelope({ type: 'FIND_NODE', target: rnd.bytes(32) }, S.a, '10.0.0.1'), 'FIND_NODE'), 237);
  assert.equal(assertExact(envelope({ type: 'NODES', contacts: contacts(16, ipv4) }, S.b, '10.0.0.2'), 'NODES(16)'), 1003);
});

test('contact-carrying answers with 0, 1, 16 and 20 contacts, IPv4 and IPv6, are exact', () => {
  for (const n of [0, 1, 2, 16, 20]) {
    for (const [family, gen] of [['v4', ipv4], ['v6', ipv6]] as const) {
      const what = `${n} ${family} contacts`;
      const cs = contacts(n, gen);
      assertExact(envelope({ type: 'NODES', contacts: cs }, S.b, gen()), `NODES ${what}`);
      assertExact(envelope({ type: 'VALUE', record: null, contacts: cs }, S.b, gen()), `VALUE (no record) ${what}`);
      assertExact(envelope({ type: 'VALUE', record: record(), contacts: cs }, S.b, gen()), `VALUE (record) ${what}`);
      for (const p of [0, 1, 20]) {
        const providers = Array.from({ length: p }, provider);
        assertExact(envelope({ type: 'PROVIDERS', providers, contacts: cs }, S.b, gen()), `PROVIDERS ${p} providers, ${what}`);
      }
    }
  }
});

test('fixed-size kinds and both STORED answers are exact from IPv4 and IPv6 senders', () => {
  for (const from of ['127.0.0.1', '255.255.255.255', '::1', '2001:db8:85a3::8a2e:370:7334']) {
    for (const body of [
      { type: 'PING' },
      { type: 'PONG' },
      { type: 'FIND_NODE', target: rnd.bytes(32) },
      { type: 'FIND_VALUE', key: rnd.bytes(32) },
      { type: 'GET_PROVIDERS', key: rnd.bytes(32) },
      { type: 'ADD_PROVIDER', provider: provider() },
      { type: 'STORED', ok: true },
      { type: 'STORED', ok: false },
    ] as DhtBody[]) {
      assertExact(envelope(body, body.type === 'PONG' || body.type === 'STORED' ? S.b : S.a, from), `${body.type} from ${from}`);
    }
  }
});

test('records: namespaces of 1–4-byte UTF-8 characters, names 0–64 B, values across the varint boundary up to the limit', () => {
  const namespaces = ['/', '/pk/', '/hcs/', 'é', '中文', '😀', '/a/😀/中/é/', 'x'.repeat(limits.maxNamespaceLength), '😀'.repeat(limits.maxNamespaceLength / 4)];
  for (const ns of namespaces) {
    assert.ok(utf8Length(ns) <= limits.maxNamespaceLength, ns);
    for (const nameLength of [0, 32, limits.maxNameBytes]) {
      for (const valueLength of [0, 1, 127, 128, 1000, limits.maxValueBytes]) {
        const r = record({ namespace: ns, name: rnd.bytes(nameLength), value: rnd.bytes(valueLength) });
        assertExact(envelope({ type: 'STORE', record: r }, S.a, ip()), `STORE ns=${ns} name=${nameLength} value=${valueLength}`);
      }
    }
  }
});

test('400 seeded random messages of every type are exact, and pass the core boundary check', () => {
  const seen = new Map<string, number>();
  let twoByteBodies = 0;
  for (let i = 0; i < 400; i++) {
    const body = randomBody();
    const env = envelope(body, REQUESTS.has(body.type) ? S.a : S.b, ip(), int(0x10000), rnd.nextU32());
    validateEnvelope(env, limits);
    const length = assertExact(env, `random #${i} ${body.type}`);
    if (length > 400) twoByteBodies++;
    seen.set(body.type, (seen.get(body.type) ?? 0) + 1);
  }
  assert.equal(seen.size, 11, 'every message type was drawn');
  assert.ok(twoByteBodies > 0, 'some bodies need a two-byte length prefix');
});

test('strong kinds count their 32-byte recipient even when the simulator leaves envelope.to unset; signatures count as 65 B', () => {
  const env = envelope({ type: 'NODES', contacts: contacts(3) }, S.b, ip());
  const { to: _to, ...unaddressed } = env;
  assert.equal(encodedEnvelopeBytes(unaddressed), seal(env).length);
  // The simulator's records may carry no real signature; the wire always carries 65 bytes.
  const r = record();
  const unsigned = { ...r, signature: new Uint8Array(0) };
  assert.equal(encodedEnvelopeBytes(envelope({ type: 'STORE', record: unsigned }, S.a, ip())), seal(envelope({ type: 'STORE', record: r }, S.a, ip())).length);
});
