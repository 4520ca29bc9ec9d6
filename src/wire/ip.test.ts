import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipFromBytes, ipToBytes, isIp, isIpv4Mapped } from './ip.ts';
import { toHex } from '../common/bytes.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { SeededRandom } from '../common/clock.ts';

test('IPv4 is carried as IPv4-mapped IPv6 and prints back dotted', () => {
  assert.equal(toHex(ipToBytes('127.0.0.1')), '0x00000000000000000000ffff7f000001');
  assert.equal(ipFromBytes(ipToBytes('10.1.2.3')), '10.1.2.3');
  assert.deepEqual(ipToBytes('::ffff:10.1.2.3'), ipToBytes('10.1.2.3'));
});

test('IPv6 forms parse to one byte string and print in RFC 5952 form', () => {
  assert.equal(ipFromBytes(ipToBytes('2001:0DB8:0:0:0:0:0:1')), '2001:db8::1');
  assert.equal(ipFromBytes(ipToBytes('::')), '::');
  assert.equal(ipFromBytes(ipToBytes('::1')), '::1');
  assert.equal(ipFromBytes(ipToBytes('1:0:0:2:0:0:0:3')), '1:0:0:2::3');
  assert.equal(ipFromBytes(ipToBytes('1:2:3:4:5:6:7:8')), '1:2:3:4:5:6:7:8');
  assert.equal(ipFromBytes(ipToBytes('fe80::1:0:0:0')), 'fe80::1:0:0:0'); // tie: the first run
  assert.equal(ipFromBytes(ipToBytes('1:0:0:2:0:0:0:0')), '1:0:0:2::');
});

test('round trip over random 16-byte addresses', () => {
  const r = new SeededRandom(3);
  for (let i = 0; i < 300; i++) {
    const b = r.bytes(16);
    if (i % 3 === 0) b.fill(0, 2 + (i % 7), 9 + (i % 5));
    assert.deepEqual(ipToBytes(ipFromBytes(b)), b);
  }
});

test('malformed addresses are InvalidArgumentError', () => {
  for (const bad of ['', '1.2.3', '256.1.1.1', '01.2.3.4', '1.2.3.4.5', '1::2::3', '12345::', 'g::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', 'localhost', '[::1]']) {
    assert.throws(() => ipToBytes(bad), InvalidArgumentError, bad);
    assert.equal(isIp(bad), false, bad);
  }
  assert.equal(isIp('10.1.2.3'), true);
  assert.equal(isIp('2001:db8::1'), true);
});

test('isIpv4Mapped: only ::ffff:a.b.c.d, not other IPv6 nor other lengths', () => {
  assert.equal(isIpv4Mapped(ipToBytes('10.1.2.3')), true);
  assert.equal(isIpv4Mapped(ipToBytes('::ffff:10.1.2.3')), true);
  assert.equal(isIpv4Mapped(ipToBytes('::10.1.2.3')), false); // IPv4-compatible, deprecated: not mapped
  assert.equal(isIpv4Mapped(ipToBytes('2001:db8::ffff:a01:203')), false);
  assert.equal(isIpv4Mapped(ipToBytes('10.1.2.3').subarray(0, 15)), false);
});

test('fuzz: random strings over the address alphabet parse to an address that round-trips, or are InvalidArgumentError', () => {
  const r = new SeededRandom(11);
  const alphabet = '0123456789abcdefABCDEFg:.:.::%[] ';
  let parsed = 0;
  for (let i = 0; i < 5000; i++) {
    let text = '';
    const length = r.nextU32() % 46;
    for (let k = 0; k < length; k++) text += alphabet[r.nextU32() % alphabet.length];
    if (i % 5 === 0) text = ipFromBytes(r.bytes(16)).slice(0, r.nextU32() % 40); // prefixes of real addresses
    let bytes: Uint8Array;
    try {
      bytes = ipToBytes(text);
    } catch (e) {
      assert.ok(e instanceof InvalidArgumentError, `${JSON.stringify(text)}: ${String(e)}`);
      continue;
    }
    parsed++;
    assert.equal(bytes.length, 16);
    assert.deepEqual(ipToBytes(ipFromBytes(bytes)), bytes, text);
  }
  for (const value of [undefined, null, 5, {}, ['1.2.3.4']]) assert.throws(() => ipToBytes(value as never), InvalidArgumentError);
  assert.ok(parsed > 0, 'some strings are addresses');
});
