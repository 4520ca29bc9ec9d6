/**
 * DHT wire codec and identity ports: every message type seals, parses back to the same envelope
 * and verifies; golden vectors; every refusal (replay, tamper, unsigned, expired, wrong IP, wrong
 * peer, oversized) is a typed error with the right drop code; decoders fed random and mutated
 * bytes throw only typed errors; the ports drive two real DhtNodes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BaseError } from '../common/errors.ts';
import { fromHex, toHex } from '../common/bytes.ts';
import { ManualClock, SeededRandom } from '../common/clock.ts';
import { arbitrary } from '../wire/arbitrary.ts';
import { decode, encode } from '../wire/codec.ts';
import { decodeEnvelope, encodeEnvelope, signerOf } from '../wire/envelope.ts';
import { DhtNode } from './dht-node.ts';
import { DhtInputError } from './errors.ts';
import type { ContactInfo, DhtEnvelope } from './messages.ts';
import { validateEnvelope } from './messages.ts';
import { withDefaults } from './defaults.ts';
import { DEFAULT_VALIDATORS } from './records.ts';
import { dropCodeOf, signRecord, SignedRecordVerifier, staticPuzzleChecker, WireEnvelopeSigner, WireEnvelopeVerifier } from './wire-auth.ts';
import { DHT_CODEC, encodeBody, isSealedAuth, parseDhtEnvelope, sealDhtEnvelope } from './wire-codec.ts';
import { DHT_KINDS, WireProviderSchema, WireRecordSchema } from './wire-kinds.ts';
import { CountingRandom, sampleClock, samples, signerFor, SAMPLE_TIME_MS } from './wire-samples.test-helper.ts';

const S = samples();

function seal(env: DhtEnvelope, clock = sampleClock(), random = new CountingRandom()): Uint8Array {
  return sealDhtEnvelope(env, { signer: signerFor(S, env), clock, random });
}

/** Structural view without `auth`, for deep comparison. */
function plain(env: DhtEnvelope): unknown {
  const { auth: _auth, ...rest } = env;
  return rest;
}

/** A verifier for node B by default (the recipient of the sample requests). */
function verifier(clock = sampleClock(), self: Uint8Array = S.b.nodeAddress): WireEnvelopeVerifier {
  return new WireEnvelopeVerifier({ clock, self });
}

/** Who a sample envelope is for: requests go to B, responses to A. */
function recipientOf(env: DhtEnvelope): Uint8Array {
  return env.kind === 'request' ? S.b.nodeAddress : S.a.nodeAddress;
}

test('every DHT message type seals, parses back to the same envelope, and verifies', () => {
  const limits = withDefaults();
  const random = new CountingRandom();
  for (const [name, env] of Object.entries(S.envelopes)) {
    const bytes = seal(env, sampleClock(), random);
    assert.equal(bytes[0], env.body.type === 'PING' || env.body.type === 'PONG' ? 0x01 : 0x02, `${name}: weak iff PING/PONG`);
    const parsed = parseDhtEnvelope(bytes, { observedIp: env.from.ip, peerAddress: env.from.address });
    assert.deepEqual(plain(parsed), plain(env), name);
    validateEnvelope(parsed, limits, bytes.length); // the core's boundary check accepts it
    const v = verifier(sampleClock(), recipientOf(env));
    assert.equal(v.verify(parsed, {}), null, `${name}: ${v.lastError?.message}`);
  }
  assert.equal(Object.keys(DHT_KINDS).length, 11);
});

test('golden vectors: test/vectors/dht-wire.json reproduces byte for byte and parses', () => {
  const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/dht-wire.json', import.meta.url), 'utf8')) as {
    timeMs: number;
    record: { payload: string; signature: string };
    envelopes: { name: string; type: string; domain: string; body: string; envelope: string; observedIp: string }[];
  };
  assert.equal(vectors.timeMs, SAMPLE_TIME_MS);
  assert.equal(vectors.envelopes.length, Object.keys(S.envelopes).length);
  const random = new CountingRandom(); // the generator sealed in this order with one counter
  const clock = sampleClock();
  for (const vec of vectors.envelopes) {
    const env = S.envelopes[vec.name]!;
    assert.equal(toHex(seal(env, clock, random)), vec.envelope, vec.name);
    assert.equal(toHex(encodeBody(env)), vec.body, vec.name);
    const parsed = parseDhtEnvelope(fromHex(vec.envelope), { observedIp: vec.observedIp });
    assert.equal(parsed.body.type, vec.type);
    assert.equal(verifier(sampleClock(), recipientOf(env)).verify(parsed, {}), null, vec.name);
  }
  assert.equal(toHex(S.record.signature), vectors.record.signature);
});

test('a strong message seen twice is refused as replayed; an old one as expired', () => {
  const clock = sampleClock();
  const v = verifier(clock);
  const bytes = seal(S.envelopes.FIND_NODE!);
  assert.equal(v.verify(parseDhtEnvelope(bytes), {}), null);
  assert.equal(v.verify(parseDhtEnvelope(bytes), {}), 'replayed');
  assert.equal(v.lastError?.code, 'WIRE_REPLAYED');
  clock.advance(61_000);
  assert.equal(v.verify(parseDhtEnvelope(seal(S.envelopes.STORE!)), {}), 'expired');
  assert.equal(v.lastError?.code, 'WIRE_EXPIRED');
  assert.equal(v.refused['WIRE_REPLAYED'], 1);
  assert.equal(v.refused['WIRE_EXPIRED'], 1);
});

test('a strong message signed for one node is refused by another, before any signature work', () => {
  const bytes = seal(S.envelopes.FIND_NODE!); // A → B
  assert.equal(verifier(sampleClock(), S.b.nodeAddress).verify(parseDhtEnvelope(bytes), {}), null);
  const c = signerOf(Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i)).nodeAddress;
  const atC = verifier(sampleClock(), c);
  assert.equal(atC.verify(parseDhtEnvelope(bytes), {}), 'wrong-recipient');
  assert.equal(atC.lastError?.code, 'DHT_WRONG_RECIPIENT');
  assert.equal(atC.replayGuard.size, 0); // a misdirected message never enters the replay cache
  // a response from B to A, handed to B itself
  assert.equal(verifier(sampleClock(), S.b.nodeAddress).verify(parseDhtEnvelope(seal(S.envelopes.NODES!)), {}), 'wrong-recipient');
  // rewriting the recipient breaks the content/signature binding
  const parsed = parseDhtEnvelope(bytes);
  assert.equal(atC.verify({ ...parsed, to: c }, {}), 'bad-signature');
  assert.equal(atC.lastError?.code, 'DHT_CONTENT_MISMATCH');
  // the recipient is inside the signed bytes: the same message for C has a different body and signature
  const forC = sealDhtEnvelope({ ...S.envelopes.FIND_NODE!, to: c }, { signer: S.a, clock: sampleClock(), random: new CountingRandom() });
  assert.notEqual(toHex(decodeEnvelope(forC, DHT_CODEC).value.body as Uint8Array), toHex(decodeEnvelope(bytes, DHT_CODEC).value.body as Uint8Array));
  // a strong kind without a recipient cannot be sealed
  const { to: _to, ...noRecipient } = S.envelopes.FIND_NODE!;
  assert.throws(() => sealDhtEnvelope(noRecipient, { signer: S.a, clock: sampleClock(), random: new CountingRandom() }), DhtInputError);
  assert.equal(dropCodeOf(atC.lastError), 'bad-signature');
});

test('tampered, zero-signed, re-signed-by-another and mismatched envelopes are refused with typed errors', () => {
  const env = S.envelopes.STORE!;
  const bytes = seal(env);
  // flip a byte of the record value inside the body: the strong signature no longer recovers to A
  const tampered = bytes.slice();
  tampered[bytes.length - 70] = tampered[bytes.length - 70]! ^ 0x01;
  const v = verifier();
  assert.equal(v.verify(parseDhtEnvelope(tampered), {}), 'bad-signature');
  assert.equal(v.lastError?.code, 'WIRE_FORGED');
  // all-zero signature: unsigned
  const wire = decodeEnvelope(bytes, DHT_CODEC);
  assert.equal(wire.kind, 'strong');
  const zeroed = encodeEnvelope({ kind: 'strong', value: { ...(wire.value as any), signature: new Uint8Array(65) } }, DHT_CODEC);
  assert.equal(v.verify(parseDhtEnvelope(zeroed), {}), 'unsigned');
  // a strong kind in a weak envelope has an unsigned body
  // (sealWeak refuses to sign a strong domain, so forge one by renaming a weak PING)
  const ping = decodeEnvelope(seal(S.envelopes.PING!), DHT_CODEC);
  const forgedKind = encodeEnvelope({ kind: 'weak', value: { ...(ping.value as any), domain: 'hyperspace/v1/dht/store' } }, DHT_CODEC);
  assert.throws(() => parseDhtEnvelope(forgedKind), (e: unknown) => e instanceof DhtInputError && e.details.drop === 'unsigned');
  // the envelope's content differs from what was signed (auth of one message, body of another)
  const parsed = parseDhtEnvelope(bytes);
  const swapped: DhtEnvelope = { ...parsed, body: { type: 'STORE', record: { ...S.record, seq: 99 } } };
  assert.equal(v.verify(swapped, {}), 'bad-signature');
  assert.equal(v.lastError?.code, 'DHT_CONTENT_MISMATCH');
  // signed by A, delivered over a connection authenticated as B
  assert.equal(v.verify(parseDhtEnvelope(seal(S.envelopes.FIND_VALUE!), { peerAddress: S.b.nodeAddress }), {}), 'bad-signature');
  assert.equal(v.lastError?.code, 'DHT_SENDER_MISMATCH');
  // no wire auth at all
  assert.equal(v.verify({ ...parsed, auth: undefined }, {}), 'unsigned');
});

test('weak PING: the signed IP must be the observed one, and an observed IP is required', () => {
  const v = verifier();
  const bytes = seal(S.envelopes.PING!);
  assert.equal(v.verify(parseDhtEnvelope(bytes, { observedIp: '10.0.0.9' }), {}), 'bad-signature');
  assert.equal(v.lastError?.code, 'WIRE_ADDRESS_MISMATCH');
  assert.equal(v.verify(parseDhtEnvelope(bytes), {}), 'unsigned');
  // weak envelopes may be replayed within their bucket, from the same address (spec §4.1)
  assert.equal(v.verify(parseDhtEnvelope(bytes, { observedIp: '127.0.0.1' }), {}), null);
  assert.equal(v.verify(parseDhtEnvelope(bytes, { observedIp: '127.0.0.1' }), {}), null);
  const late = new ManualClock(SAMPLE_TIME_MS + 20 * 60_000);
  const lateVerifier = verifier(late);
  assert.equal(lateVerifier.verify(parseDhtEnvelope(bytes, { observedIp: '127.0.0.1' }), {}), 'expired');
  assert.equal(lateVerifier.lastError?.code, 'WIRE_EXPIRED');
});

test('records and provider records: signed by their publisher, anything else refused', () => {
  const rv = new SignedRecordVerifier();
  assert.equal(rv.verifyRecord(S.record), true);
  assert.equal(rv.verifyRecord({ ...S.record, value: new TextEncoder().encode('other') }), false);
  assert.equal(rv.verifyRecord({ ...S.record, publisher: S.b.nodeAddress }), false);
  assert.equal(rv.verifyRecord({ ...S.record, signature: new Uint8Array(65) }), false);
  assert.equal(rv.verifyRecord({ ...S.record, signature: new Uint8Array(3) }), false);
  assert.equal(rv.verifyRecord({ ...S.record, namespace: 'x'.repeat(100) }), false); // unencodable: refused, no throw
  const byB = signRecord({ ...S.record, publisher: S.a.nodeAddress }, S.b.secretKey);
  assert.equal(rv.verifyRecord(byB), false);
  assert.equal(rv.verifyProvider(S.provider), true);
  assert.equal(rv.verifyProvider({ ...S.provider, expiresAt: S.provider.expiresAt + 1 }), false);
  assert.equal(rv.verifyProvider({ ...S.provider, provider: S.contactB }), false);
});

test('static puzzle checker applies c1', () => {
  const zeroBits = new Uint8Array(32); // keccak256(0^32) = 0x290decd9…: 2 leading zero bits
  assert.equal(staticPuzzleChecker(2).isValid(zeroBits), true);
  assert.equal(staticPuzzleChecker(3).isValid(zeroBits), false);
  assert.equal(staticPuzzleChecker(0).isValid(new Uint8Array(31)), false);
  assert.throws(() => staticPuzzleChecker(65));
});

test('oversized input is refused before decoding, with code oversized', () => {
  const big = new Uint8Array(DHT_CODEC.maxMessageBytes! + 1);
  big[0] = 2;
  try {
    parseDhtEnvelope(big);
    assert.fail('accepted');
  } catch (error) {
    assert.equal((error as BaseError).code, 'WIRE_OVERSIZED');
    assert.equal(dropCodeOf(error), 'oversized');
  }
  // a record value one byte over the schema limit cannot be sealed
  const record = { ...S.record, value: new Uint8Array(4097) };
  assert.throws(() => seal({ ...S.envelopes.STORE!, body: { type: 'STORE', record } }), (e: unknown) => (e as BaseError).code === 'WIRE_INVALID_VALUE');
});

test('seal refuses an envelope whose from is not the signer, or a type in the wrong direction', () => {
  const env = S.envelopes.FIND_NODE!;
  assert.throws(() => sealDhtEnvelope(env, { signer: S.b, clock: sampleClock(), random: new CountingRandom() }), DhtInputError);
  assert.throws(() => seal({ ...env, kind: 'response' }), DhtInputError);
});

test('fuzz: random bytes and mutations of every valid envelope only ever raise typed errors', () => {
  const random = new SeededRandom(7);
  const valid = Object.values(S.envelopes).map((e) => seal(e));
  const v = verifier();
  let accepted = 0;
  let refused = 0;
  const check = (bytes: Uint8Array): void => {
    let env: DhtEnvelope;
    try {
      env = parseDhtEnvelope(bytes, { observedIp: '127.0.0.1' });
    } catch (error) {
      assert.ok(error instanceof BaseError, `untyped error: ${String(error)}`);
      dropCodeOf(error);
      refused++;
      return;
    }
    accepted++;
    const code = v.verify(env, {}); // never throws
    assert.ok(code === null || typeof code === 'string');
  };
  for (let i = 0; i < 2000; i++) check(random.bytes(random.nextU32() % 300));
  for (let i = 0; i < 2000; i++) {
    const base = valid[i % valid.length]!;
    const m = base.slice();
    const op = random.nextU32() % 4;
    if (op === 0) {
      const at = random.nextU32() % m.length;
      m[at] = m[at]! ^ (1 << (random.nextU32() % 8));
    } else if (op === 1) m[random.nextU32() % m.length] = random.nextU32() & 0xff;
    if (op === 2) check(m.subarray(0, random.nextU32() % m.length));
    else if (op === 3) check(Uint8Array.from([...m, ...random.bytes(1 + (random.nextU32() % 4))]));
    else check(m);
  }
  assert.ok(refused > 2000 && accepted > 50, `refused ${refused}, accepted ${accepted}`);
});

test('fuzz: arbitrary values of every body, record and provider schema round-trip the codec', () => {
  const random = new SeededRandom(11);
  const schemas = [...Object.values(DHT_KINDS).map((k) => k.kind.schema), WireRecordSchema, WireProviderSchema];
  for (const schema of schemas) {
    for (let i = 0; i < 40; i++) {
      const value = arbitrary(schema, random, { maxSize: 200 });
      let bytes: Uint8Array;
      try {
        bytes = encode(schema, value as never, DHT_CODEC);
      } catch (error) {
        assert.equal((error as BaseError).code, 'WIRE_INVALID_VALUE'); // over the 16 KiB message limit
        continue;
      }
      assert.deepEqual(decode(schema, bytes, DHT_CODEC), value);
    }
  }
});

test('the ports drive two real DhtNodes: signed FIND_NODE and STORE answered, a replay dropped and counted', () => {
  const clock = new ManualClock(SAMPLE_TIME_MS);
  const c1 = 0;
  const mk = (secret: Uint8Array, port: number) => {
    const signer = signerOf(secret);
    const self: ContactInfo = { address: signer.nodeAddress, ip: '127.0.0.1', port };
    const queue: { to: ContactInfo; bytes: Uint8Array }[] = [];
    const node = new DhtNode({
      self,
      clock,
      random: new SeededRandom(port),
      send: (to, env) => {
        assert.ok(isSealedAuth(env.auth));
        queue.push({ to, bytes: env.auth.sealed });
      },
      scheduler: { schedule: () => {} },
      puzzle: staticPuzzleChecker(c1),
      verifier: new WireEnvelopeVerifier({ clock, self: signer.nodeAddress }),
      signer: new WireEnvelopeSigner({ signer, clock, random: new SeededRandom(port + 1) }),
      recordVerifier: new SignedRecordVerifier(),
      validators: DEFAULT_VALIDATORS,
    });
    return { node, self, queue, signer };
  };
  const a = mk(S.a.secretKey, 4001);
  const b = mk(S.b.secretKey, 4002);
  const byPort = new Map([[4001, a], [4002, b]]);
  const delivered: Uint8Array[] = [];
  const pump = (): void => {
    for (let guard = 0; guard < 1000; guard++) {
      const from = a.queue.length > 0 ? a : b.queue.length > 0 ? b : null;
      if (!from) return;
      const msg = from.queue.shift()!;
      delivered.push(msg.bytes);
      const to = byPort.get(msg.to.port)!;
      const err = to.node.handle(parseDhtEnvelope(msg.bytes, { observedIp: '127.0.0.1', peerAddress: from.signer.nodeAddress }), { bytes: msg.bytes.length });
      assert.equal(err, null, err?.message);
    }
  };
  let closest: ContactInfo[] = [];
  a.node.bootstrap([b.self], () => {});
  pump();
  a.node.findNode(b.self.address, (r) => (closest = r.closest));
  pump();
  assert.ok(closest.some((c) => c.port === 4002));
  assert.equal(b.node.table.size, 1); // B admitted A from its signed requests
  let storedAt = -1;
  a.node.put(signRecord({ namespace: '/hcs/', name: new Uint8Array([1]), value: new Uint8Array([2]), publisher: a.self.address, seq: 1, expiresAt: clock.now() + 60_000 }, a.signer.secretKey), (n) => (storedAt = n));
  pump();
  assert.equal(storedAt, 1);
  // replaying the last request A sent to B is dropped and counted as replayed
  const lastRequest = delivered.filter((bytes) => parseDhtEnvelope(bytes).kind === 'request').at(-1)!;
  const before = b.node.stats.dropped.replayed;
  const err = b.node.handle(parseDhtEnvelope(lastRequest, { observedIp: '127.0.0.1' }));
  assert.equal(err?.details.drop, 'replayed');
  assert.equal(b.node.stats.dropped.replayed, before + 1);
  // the same request handed to a third node C: signed for B, so C refuses it
  const c = mk(Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i), 4003);
  const errC = c.node.handle(parseDhtEnvelope(lastRequest, { observedIp: '127.0.0.1' }));
  assert.equal(errC?.details.drop, 'wrong-recipient');
  assert.equal(c.node.stats.dropped['wrong-recipient'], 1);
  assert.equal(c.node.stats.requestsReceived, 0);
});
