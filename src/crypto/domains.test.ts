import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineDomain, domainDigest, DOMAINS, DuplicateDomainError, lookupDomain, recoverWithDomain, signWithDomain } from './domains.ts';
import { keccak256 } from './keccak.ts';
import { publicKeyOf } from '../identity/node-address.ts';
import { concatBytes } from '../common/bytes.ts';
import { InvalidArgumentError } from '../common/errors.ts';

const key = new Uint8Array(32).fill(9);

test('the domain digest is keccak256(0x19 0x48 len tag payload) as the spec says', () => {
  const payload = Uint8Array.of(1, 2, 3);
  const tag = new TextEncoder().encode(DOMAINS.ping.tag);
  const expected = keccak256(concatBytes(Uint8Array.of(0x19, 0x48, tag.length), tag, payload));
  assert.deepEqual(domainDigest(DOMAINS.ping, payload), expected);
  assert.deepEqual(domainDigest(DOMAINS.ping, Uint8Array.of(1), Uint8Array.of(2, 3)), expected);
});

test('a signature made under one domain recovers to a different key under every other domain', () => {
  const payload = new TextEncoder().encode('same bytes');
  const signature = signWithDomain(DOMAINS.echo, payload, key);
  assert.deepEqual(recoverWithDomain(DOMAINS.echo, payload, signature), publicKeyOf(key));
  for (const other of [DOMAINS.ping, DOMAINS.pong, DOMAINS.join]) {
    assert.notDeepEqual(recoverWithDomain(other, payload, signature), publicKeyOf(key));
  }
});

test('a tag that is a prefix of another cannot alias it by moving bytes into the payload', () => {
  const a = defineDomain('hyperspace/v1/test/alias', 'raw');
  const b = defineDomain('hyperspace/v1/test/alias-x', 'raw');
  const x = new TextEncoder().encode('-x');
  assert.notDeepEqual(domainDigest(a, concatBytes(x, Uint8Array.of(7))), domainDigest(b, Uint8Array.of(7)));
});

test('defineDomain refuses malformed and duplicate tags with typed errors', () => {
  assert.throws(() => defineDomain('hyperspace/v1/ping', 'weak'), DuplicateDomainError);
  for (const bad of ['ping', 'hyperspace/v1/', 'hyperspace/v1/Ping', 'hyperspace/vx/ping', 'hyperspace/v1/a//b', `hyperspace/v1/${'a'.repeat(64)}`]) {
    assert.throws(() => defineDomain(bad, 'raw'), InvalidArgumentError, bad);
  }
  assert.throws(() => domainDigest({ tag: 'hyperspace/v1/forged', scheme: 'raw' }, new Uint8Array()), InvalidArgumentError);
  assert.equal(lookupDomain('hyperspace/v1/join'), DOMAINS.join);
  assert.equal(lookupDomain('hyperspace/v1/nope'), undefined);
});
