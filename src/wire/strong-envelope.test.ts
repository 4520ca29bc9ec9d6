import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStrong, sealStrong } from './strong-envelope.ts';
import { decodeEnvelope, encodeEnvelope, messageKind, signerOf, type Envelope } from './envelope.ts';
import { ECHO, EchoSchema, PING } from './messages.ts';
import { sealWeak } from './weak-envelope.ts';
import { encode } from './codec.ts';
import { ReplayGuard } from './replay-guard.ts';
import {
  ExpiredError,
  ForgedSignatureError,
  OversizedError,
  ReplayedError,
  TruncatedError,
  WireDecodeError,
  WireError,
  WrongDomainError,
} from './errors.ts';
import { defineDomain } from '../crypto/domains.ts';
import { ManualClock, SeededRandom } from '../common/clock.ts';
import { publicKeyOf } from '../identity/node-address.ts';
import { InvalidArgumentError } from '../common/errors.ts';

const alice = signerOf(new Uint8Array(32).fill(0x11));
const mallory = signerOf(new Uint8Array(32).fill(0x22));
const OTHER = messageKind(defineDomain('hyperspace/v1/test/strong-other', 'strong'), EchoSchema);
const T0 = 1_700_000_000_000;

function setup() {
  const clock = new ManualClock(T0);
  const random = new SeededRandom(1);
  const guard = new ReplayGuard();
  const open = (bytes: Uint8Array | Envelope, kind = ECHO) => openStrong(bytes, { kind, clock, replayGuard: guard });
  const seal = (text: string, signer = alice) => sealStrong(ECHO, { text }, { signer, clock, random });
  return { clock, random, guard, open, seal };
}

function rewrite(bytes: Uint8Array, change: (env: Envelope) => void): Uint8Array {
  const env = decodeEnvelope(bytes);
  change(env);
  return encodeEnvelope(env);
}

test('a sealed message opens to the same message and the signer as sender', () => {
  const { open, seal } = setup();
  const opened = open(seal('hello'));
  assert.deepEqual(opened.message, { text: 'hello' });
  assert.deepEqual(opened.sender.nodeAddress, alice.nodeAddress);
  assert.deepEqual(opened.sender.publicKey, publicKeyOf(alice.secretKey));
  assert.equal(opened.timestampMs, T0);
  assert.equal(opened.nonce.length, 16);
});

test('the same envelope opened twice is ReplayedError; a re-sent message with a fresh nonce is fine', () => {
  const { open, seal } = setup();
  const bytes = seal('once');
  open(bytes);
  assert.throws(() => open(bytes), ReplayedError);
  open(seal('once'));
});

test('a timestamp outside ±60 s is ExpiredError, on either side', () => {
  const { clock, open, seal } = setup();
  const bytes = seal('late');
  clock.advance(60_001);
  assert.throws(() => open(bytes), ExpiredError);
  const future = seal('early');
  clock.set(T0);
  assert.throws(() => open(future), ExpiredError);
  clock.set(T0 + 60_000);
  open(bytes); // exactly at the edge of the window
});

test('tampering with body, sender, nonce, timestamp or signature is ForgedSignatureError', () => {
  const { open, seal } = setup();
  const changes: Array<(env: Envelope) => void> = [
    (e) => void (e.value.body = encode(EchoSchema, { text: 'tampered' })),
    (e) => void (e.value.sender = mallory.nodeAddress),
    (e) => e.kind === 'strong' && void (e.value.nonce[0]! ^= 1),
    (e) => e.kind === 'strong' && void (e.value.timestampMs += 1n),
    (e) => void (e.value.signature[5]! ^= 1),
    (e) => void (e.value.signature[64] = 29),
  ];
  for (const [i, change] of changes.entries()) {
    const bytes = rewrite(seal(`msg ${i}`), change);
    assert.throws(() => open(bytes), ForgedSignatureError, `change ${i}`);
  }
});

test('an envelope signed by another key but claiming alice as sender is ForgedSignatureError', () => {
  const { open, seal } = setup();
  const byMallory = seal('hi', mallory);
  const claimsAlice = rewrite(byMallory, (e) => void (e.value.sender = alice.nodeAddress));
  assert.throws(() => open(claimsAlice), ForgedSignatureError);
});

test('a message of another kind is WrongDomainError, and relabelling its domain breaks the signature', () => {
  const { clock, open, seal } = setup();
  const echo = seal('x');
  assert.throws(() => open(echo, OTHER), WrongDomainError);
  const relabelled = rewrite(echo, (e) => void (e.value.domain = OTHER.domain.tag));
  assert.throws(() => open(relabelled, OTHER), ForgedSignatureError);
  const weak = sealWeak(PING, { token: new Uint8Array(8) }, { signer: alice, clock, ip: '10.0.0.1', port: 4000 });
  assert.throws(() => open(weak), WrongDomainError);
  assert.throws(() => open(rewrite(echo, (e) => void (e.value.domain = 'hyperspace/v1/unknown'))), WrongDomainError);
  assert.throws(() => openStrong(echo, { kind: PING as never, clock, replayGuard: new ReplayGuard() }), InvalidArgumentError);
});

test('truncated and oversized envelopes are typed decode errors', () => {
  const { clock, guard, seal } = setup();
  const bytes = seal('a'.repeat(100));
  for (const cut of [0, 1, 30, bytes.length - 1]) {
    assert.throws(() => openStrong(bytes.subarray(0, cut), { kind: ECHO, clock, replayGuard: guard }), TruncatedError);
  }
  assert.throws(() => openStrong(bytes, { kind: ECHO, clock, replayGuard: guard, codec: { maxMessageBytes: 100 } }), OversizedError);
  const longBody = rewrite(bytes, (e) => void (e.value.body = new Uint8Array(2000)));
  assert.throws(() => openStrong(longBody, { kind: ECHO, clock, replayGuard: guard }), WireDecodeError);
});

test('fuzz: random and mutated envelopes only ever raise WireError, and forged ones never reach the replay guard', () => {
  const { clock, guard, seal } = setup();
  const r = new SeededRandom(99);
  let opened = 0;
  for (let i = 0; i < 200; i++) {
    const valid = seal(`fuzz ${i}`);
    const input = i % 4 === 0 ? r.bytes(r.nextU32() % 200) : valid.slice();
    if (i % 4 > 1) for (let k = 0; k <= i % 3; k++) input[r.nextU32() % input.length] = r.nextU32() & 0xff;
    try {
      const result = openStrong(input, { kind: ECHO, clock, replayGuard: guard });
      assert.deepEqual(result.sender.nodeAddress, alice.nodeAddress);
      opened++;
    } catch (e) {
      assert.ok(e instanceof WireError, String(e));
    }
  }
  assert.equal(guard.size, opened, 'only verified messages are remembered');
  assert.ok(opened >= 50, `the ${opened} unmutated envelopes opened`);
});
