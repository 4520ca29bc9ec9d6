import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../common/clock.ts';
import { DEFAULTS } from './defaults.ts';
import { DhtInputError } from './errors.ts';
import { encodedEnvelopeBytes, validateEnvelope, type DhtEnvelope } from './messages.ts';

const r = new SeededRandom(21);
const from = { address: r.bytes(32), ip: '203.0.113.5', port: 4001 };
const good: DhtEnvelope = { kind: 'response', rpcId: 5, from, body: { type: 'NODES', contacts: [from] } };

test('well-formed envelopes pass and their encoded size grows with content', () => {
  assert.equal(validateEnvelope(good, DEFAULTS), good);
  const addressed = { ...good, to: r.bytes(32) };
  assert.equal(validateEnvelope(addressed, DEFAULTS), addressed);
  const ping: DhtEnvelope = { kind: 'request', rpcId: 1, from, body: { type: 'PING' } };
  assert.ok(encodedEnvelopeBytes(good) > encodedEnvelopeBytes(ping));
});

test('malformed and oversized envelopes are typed errors naming the drop reason', () => {
  const cases: [unknown, string][] = [
    [null, 'malformed'],
    [{ ...good, kind: 'gossip' }, 'malformed'],
    [{ ...good, rpcId: -1 }, 'malformed'],
    [{ ...good, from: { ...from, address: new Uint8Array(31) } }, 'malformed'],
    [{ ...good, from: { ...from, ip: 'not an ip' } }, 'malformed'],
    [{ ...good, from: { ...from, ip: '999.1.1.1' } }, 'malformed'], // dotted but not IPv4
    [{ ...good, from: { ...from, ip: 'zz:1' } }, 'malformed'], // has a colon but is not IPv6
    [{ ...good, from: { ...from, port: 70000 } }, 'malformed'],
    [{ ...good, to: new Uint8Array(31) }, 'malformed'], // the recipient is a NodeAddress
    [{ ...good, to: 'someone' }, 'malformed'],
    [{ ...good, body: { type: 'PING' } }, 'malformed'], // a request type in a response
    [{ ...good, body: { type: 'NODES', contacts: Array(21).fill(from) } }, 'oversized'],
    [{ kind: 'request', rpcId: 1, from, body: { type: 'FIND_NODE', target: new Uint8Array(5) } }, 'malformed'],
    [
      { kind: 'request', rpcId: 1, from, body: { type: 'STORE', record: { namespace: '/pk/', name: new Uint8Array(32), value: new Uint8Array(5000), publisher: from.address, seq: 1, expiresAt: 1, signature: new Uint8Array(65) } } },
      'oversized',
    ],
  ];
  for (const [input, drop] of cases) {
    assert.throws(() => validateEnvelope(input, DEFAULTS), (e: unknown) => e instanceof DhtInputError && e.details.drop === drop, JSON.stringify(drop));
  }
  assert.throws(() => validateEnvelope(good, DEFAULTS, DEFAULTS.maxMessageBytes + 1), (e: unknown) => e instanceof DhtInputError && e.details.drop === 'oversized');
});

test('random junk never escapes as anything but DhtInputError', () => {
  const junk = (depth: number): unknown => {
    const k = r.nextU32() % 8;
    if (depth > 3 || k === 0) return r.bytes(r.nextU32() % 40);
    if (k === 1) return r.nextU32();
    if (k === 2) return 'x'.repeat(r.nextU32() % 50);
    if (k === 3) return null;
    if (k === 4) return [junk(depth + 1), junk(depth + 1)];
    return { kind: r.nextU32() % 2 ? 'request' : 'response', rpcId: r.nextU32(), from: r.nextU32() % 2 ? from : junk(depth + 1), body: { type: ['PING', 'NODES', 'STORE', 'VALUE', 'PROVIDERS', 'ADD_PROVIDER'][r.nextU32() % 6], contacts: junk(depth + 1), record: junk(depth + 1), provider: junk(depth + 1), providers: junk(depth + 1), target: junk(depth + 1) } };
  };
  for (let i = 0; i < 3000; i++) {
    try {
      validateEnvelope(junk(0), DEFAULTS);
    } catch (e) {
      assert.ok(e instanceof DhtInputError, String(e));
    }
  }
});
