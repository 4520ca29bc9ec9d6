import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWeak, sealWeak, TIME_BUCKET_MS, timeBucketOf } from './weak-envelope.ts';
import { decodeEnvelope, encodeEnvelope, messageKind, signerOf, type Envelope } from './envelope.ts';
import { JOIN, PING, PingSchema, PONG } from './messages.ts';
import { AddressMismatchError, ExpiredError, ForgedSignatureError, TruncatedError, WireError, WrongDomainError } from './errors.ts';
import { defineDomain } from '../crypto/domains.ts';
import { ManualClock, SeededRandom } from '../common/clock.ts';
import { ipToBytes } from './ip.ts';
import { encode } from './codec.ts';

const alice = signerOf(new Uint8Array(32).fill(0x31));
const mallory = signerOf(new Uint8Array(32).fill(0x32));
const PING_LIKE = messageKind(defineDomain('hyperspace/v1/test/weak-other', 'weak'), PingSchema);
const T0 = 1_700_000_100_000;
const token = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

function rewrite(bytes: Uint8Array, change: (env: Envelope) => void): Uint8Array {
  const env = decodeEnvelope(bytes);
  change(env);
  return encodeEnvelope(env);
}

function setup() {
  const clock = new ManualClock(T0);
  const seal = (signer = alice) => sealWeak(PING, { token }, { signer, clock, ip: '192.0.2.7', port: 4001 });
  const open = (bytes: Uint8Array, observed: { ip: string; port?: number } = { ip: '192.0.2.7', port: 4001 }, kind = PING) =>
    openWeak(bytes, { kind, clock, observed });
  return { clock, seal, open };
}

test('a weak PING opens from the signed address and names its sender', () => {
  const { seal, open } = setup();
  const opened = open(seal());
  assert.deepEqual(opened.message, { token });
  assert.deepEqual(opened.sender.nodeAddress, alice.nodeAddress);
  assert.equal(opened.ip, '192.0.2.7');
  assert.equal(opened.port, 4001);
  assert.equal(opened.timeBucket, Math.floor(T0 / 300_000));
  // A transport that cannot see the listening port checks the IP only.
  open(seal(), { ip: '::ffff:192.0.2.7' });
});

test('a weak envelope replayed from another IP or port is AddressMismatchError', () => {
  const { seal, open } = setup();
  assert.throws(() => open(seal(), { ip: '192.0.2.8', port: 4001 }), AddressMismatchError);
  assert.throws(() => open(seal(), { ip: '192.0.2.7', port: 4002 }), AddressMismatchError);
  assert.throws(() => open(seal(), { ip: '2001:db8::1' }), AddressMismatchError);
});

test('the time bucket is accepted when current or adjacent, and ExpiredError further away', () => {
  const { clock, seal, open } = setup();
  const bytes = seal();
  const bucketStart = timeBucketOf(T0) * TIME_BUCKET_MS;
  clock.set(bucketStart + 2 * TIME_BUCKET_MS - 1);
  open(bytes);
  clock.set(bucketStart + 2 * TIME_BUCKET_MS);
  assert.throws(() => open(bytes), ExpiredError);
  clock.set(bucketStart - TIME_BUCKET_MS);
  open(bytes);
  clock.set(bucketStart - TIME_BUCKET_MS - 1);
  assert.throws(() => open(bytes), ExpiredError);
});

test('changing the signed IP, port, bucket or sender is ForgedSignatureError', () => {
  const { seal, open } = setup();
  const moved = rewrite(seal(), (e) => e.kind === 'weak' && void ((e.value.ip = ipToBytes('198.51.100.1')), (e.value.port = 9)));
  assert.throws(() => open(moved, { ip: '198.51.100.1', port: 9 }), ForgedSignatureError);
  const bucket = rewrite(seal(), (e) => e.kind === 'weak' && void (e.value.timeBucket += 1));
  assert.throws(() => open(bucket), ForgedSignatureError);
  const impostor = rewrite(seal(mallory), (e) => void (e.value.sender = alice.nodeAddress));
  assert.throws(() => open(impostor), ForgedSignatureError);
});

test('the body of a weak envelope is not signed: a changed token still verifies (by design, §2.1.2)', () => {
  const { seal, open } = setup();
  const other = rewrite(seal(), (e) => void (e.value.body = encode(PingSchema, { token: new Uint8Array(8) })));
  assert.deepEqual(open(other).message.token, new Uint8Array(8));
});

test('another weak kind is WrongDomainError, and relabelling the domain breaks the signature', () => {
  const { clock, seal, open } = setup();
  assert.throws(() => openWeak(seal(), { kind: PONG, clock, observed: { ip: '192.0.2.7' } }), WrongDomainError);
  assert.throws(() => openWeak(seal(), { kind: JOIN, clock, observed: { ip: '192.0.2.7' } }), WrongDomainError);
  const relabelled = rewrite(seal(), (e) => void (e.value.domain = PING_LIKE.domain.tag));
  assert.throws(() => open(relabelled, undefined, PING_LIKE), ForgedSignatureError);
});

test('JOIN carries the HIN multiaddrs; truncated and random inputs are typed errors', () => {
  const { clock } = setup();
  const bytes = sealWeak(JOIN, { multiaddrs: ['/ip4/192.0.2.7/tcp/4001'] }, { signer: alice, clock, ip: '192.0.2.7', port: 4001 });
  const opened = openWeak(bytes, { kind: JOIN, clock, observed: { ip: '192.0.2.7', port: 4001 } });
  assert.deepEqual(opened.message.multiaddrs, ['/ip4/192.0.2.7/tcp/4001']);
  assert.throws(() => openWeak(bytes.subarray(0, bytes.length - 1), { kind: JOIN, clock, observed: { ip: '192.0.2.7' } }), TruncatedError);
  const r = new SeededRandom(5);
  for (let i = 0; i < 200; i++) {
    const input = i % 2 === 0 ? r.bytes(r.nextU32() % 200) : bytes.slice();
    if (i % 2 === 1) input[r.nextU32() % input.length] = r.nextU32() & 0xff;
    try {
      openWeak(input, { kind: JOIN, clock, observed: { ip: '192.0.2.7', port: 4001 } });
    } catch (e) {
      assert.ok(e instanceof WireError, String(e));
    }
  }
});
