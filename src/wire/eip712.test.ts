import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashTypedData as viemHashTypedData, hashStruct as viemHashStruct, hashDomain } from 'viem';
import { domainSeparator, encodeType, hashStruct, hashTypedData, TypedDataError, type Eip712Domain, type TypedTypes } from './eip712.ts';
import { toHex } from '../common/bytes.ts';
import { SeededRandom } from '../common/clock.ts';

const r = new SeededRandom(712);

/** Nested types exercising every encoding rule: arrays of structs, fixed arrays, signed ints, dynamic bytes, strings. */
const TYPES = {
  Mail: [
    { name: 'from', type: 'Person' },
    { name: 'to', type: 'Person[]' },
    { name: 'contents', type: 'string' },
    { name: 'attachment', type: 'bytes' },
    { name: 'tags', type: 'bytes4[2]' },
    { name: 'delta', type: 'int64' },
    { name: 'big', type: 'int256' },
    { name: 'urgent', type: 'bool' },
    { name: 'amounts', type: 'uint128[]' },
    { name: 'grid', type: 'uint8[][]' },
  ],
  Person: [
    { name: 'name', type: 'string' },
    { name: 'wallet', type: 'address' },
    { name: 'badge', type: 'Badge' },
  ],
  Badge: [{ name: 'level', type: 'uint16' }],
} as const satisfies TypedTypes;

function big(bytes: number): bigint {
  let v = 0n;
  for (const b of r.bytes(bytes)) v = (v << 8n) | BigInt(b);
  return v;
}

function randomDomain(): Eip712Domain {
  return { name: 'Hyperspace', version: String(r.nextU32() % 3), chainId: big(1 + (r.nextU32() % 8)), verifyingContract: r.bytes(20) };
}

function person() {
  return { name: 'p' + (r.nextU32() % 1000) + (r.nextU32() % 2 ? 'é😀' : ''), wallet: toHex(r.bytes(20)), badge: { level: r.nextU32() % 65536 } };
}

function mail() {
  return {
    from: person(),
    to: Array.from({ length: r.nextU32() % 3 }, person),
    contents: 'x'.repeat(r.nextU32() % 50),
    attachment: toHex(r.bytes(r.nextU32() % 70)),
    tags: [toHex(r.bytes(4)), toHex(r.bytes(4))],
    delta: big(8) - (1n << 63n),
    big: r.nextU32() % 2 ? -(1n << 255n) : (1n << 255n) - 1n - big(4),
    urgent: r.nextU32() % 2 === 1,
    amounts: Array.from({ length: r.nextU32() % 4 }, () => big(16)),
    grid: [[1, 2], [], [255]],
  };
}

test('encodeType lists the primary type, then referenced types sorted by name (EIP-712 §encodeType)', () => {
  assert.equal(
    encodeType('Mail', TYPES),
    'Mail(Person from,Person[] to,string contents,bytes attachment,bytes4[2] tags,int64 delta,int256 big,bool urgent,uint128[] amounts,uint8[][] grid)' +
      'Badge(uint16 level)Person(string name,address wallet,Badge badge)',
  );
  assert.equal(encodeType('Person', TYPES), 'Person(string name,address wallet,Badge badge)Badge(uint16 level)');
});

test('digests, struct hashes and domain separators equal viem on many random values', () => {
  for (let i = 0; i < 60; i++) {
    const domain = randomDomain();
    const message = mail();
    const viemDomain = { ...domain, verifyingContract: toHex(domain.verifyingContract) };
    assert.equal(toHex(domainSeparator(domain)), hashDomain({ domain: viemDomain, types: { EIP712Domain: [
      { name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' },
    ] } }));
    assert.equal(toHex(hashStruct('Mail', TYPES, message)), viemHashStruct({ data: message, primaryType: 'Mail', types: TYPES } as never));
    assert.equal(
      toHex(hashTypedData(domain, TYPES, 'Mail', message)),
      viemHashTypedData({ domain: viemDomain, types: TYPES, primaryType: 'Mail', message: message as never }),
    );
  }
});

test('values that do not fit their type are TypedDataError', () => {
  const good = mail();
  const bad: Array<[string, unknown]> = [
    ['urgent', 1],
    ['delta', 1n << 63n],
    ['delta', -(1n << 63n) - 1n],
    ['tags', [toHex(r.bytes(4))]],
    ['tags', [toHex(r.bytes(5)), toHex(r.bytes(4))]],
    ['amounts', [1n << 128n]],
    ['amounts', [-1n]],
    ['contents', '\ud800'],
    ['attachment', 'zz'],
    ['from', { ...person(), wallet: toHex(r.bytes(19)) }],
    ['from', { ...person(), extra: 1 }],
    ['to', 'not an array'],
  ];
  for (const [field, value] of bad) {
    assert.throws(() => hashStruct('Mail', TYPES, { ...good, [field]: value }), TypedDataError, field);
  }
  const { contents: _omit, ...missing } = good;
  assert.throws(() => hashStruct('Mail', TYPES, missing), TypedDataError);
  assert.throws(() => hashStruct('Nope', TYPES, {}), TypedDataError);
  assert.throws(() => hashStruct('B', { B: [{ name: 'x', type: 'uint7' }] }, { x: 1n }), TypedDataError);
  assert.throws(() => hashStruct('B', { B: [{ name: 'x', type: 'bytes33' }] }, { x: '0x00' }), TypedDataError);
});
