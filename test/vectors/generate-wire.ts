/**
 * Writes test/vectors/wire-codec.json and test/vectors/wire-envelopes.json
 * (run once: `node_modules/.bin/node test/vectors/generate-wire.ts`).
 *
 * wire-codec.json: for each case, the schema (plain JSON, docs/spec/wire.md §2), the value in
 * its JSON view (u64/u256 as decimal strings, bytes as 0x-hex, absent optional as null) and the
 * canonical encoding. Each encoding is produced by a small independent encoder written below
 * straight from the spec, and must equal what src/wire/codec.ts produces, else this script
 * stops. Invalid cases give bytes and the error code a decoder must raise.
 *
 * wire-envelopes.json: fixed keys, nonces and times → the signed payload, the digest (keccak from
 * @noble/hashes over a preimage assembled here), the signature, and the envelope bytes; each
 * signature is checked with viem's recoverAddress before writing.
 */
import { writeFileSync } from 'node:fs';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { recoverAddress } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { encode } from '../../src/wire/codec.ts';
import { toJsonValue } from '../../src/wire/json.ts';
import { bool, bytes, list, optional, string, struct, u16, u256, u32, u64, u8, union, varBytes, type Schema } from '../../src/wire/schema.ts';
import { sealStrong } from '../../src/wire/strong-envelope.ts';
import { sealWeak, timeBucketOf } from '../../src/wire/weak-envelope.ts';
import { signerOf } from '../../src/wire/envelope.ts';
import { ECHO, JOIN, PING, PONG } from '../../src/wire/messages.ts';
import { ipToBytes } from '../../src/wire/ip.ts';
import { ManualClock, type Random } from '../../src/common/clock.ts';

const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;
const fill = (n: number, byte: number) => new Uint8Array(n).fill(byte);
const seq = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 0xff);

// ---------------------------------------------------------------------------------------------
// An independent encoder, from docs/spec/wire.md §2 (no code shared with src/wire/codec.ts).

function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function beBig(v: bigint, width: number): number[] {
  return [...Buffer.from(v.toString(16).padStart(width * 2, '0'), 'hex')];
}

function spec(s: Schema, v: any): number[] {
  switch (s.kind) {
    case 'u8':
      return [v];
    case 'u16':
      return [v >> 8, v & 0xff];
    case 'u32':
      return beBig(BigInt(v), 4);
    case 'u64':
      return beBig(v, 8);
    case 'u256':
      return beBig(v, 32);
    case 'bool':
      return [v ? 1 : 0];
    case 'bytes':
      return [...v];
    case 'varbytes':
      return [...leb128(v.length), ...v];
    case 'string': {
      const b = [...Buffer.from(v, 'utf8')];
      return [...leb128(b.length), ...b];
    }
    case 'list':
      return [...leb128(v.length), ...v.flatMap((x: unknown) => spec(s.of, x))];
    case 'optional':
      return v === undefined ? [0] : [1, ...spec(s.of, v)];
    case 'struct':
      return Object.entries(s.fields as Record<string, Schema>).flatMap(([k, f]) => spec(f, v[k]));
    case 'union': {
      const [tag, vs] = (s.variants as Record<string, [number, Schema]>)[v.kind]!;
      return [tag, ...spec(vs, v.value)];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Codec cases

const valid: Array<[string, Schema, unknown]> = [
  ['u8 zero', u8, 0],
  ['u8 max', u8, 255],
  ['u16 max', u16, 65535],
  ['u16 mixed', u16, 0x1234],
  ['u32 max', u32, 0xffffffff],
  ['u32 mixed', u32, 0x01020304],
  ['u64 zero', u64, 0n],
  ['u64 max', u64, (1n << 64n) - 1n],
  ['u64 above 2^53', u64, (1n << 53n) + 1n],
  ['u256 one', u256, 1n],
  ['u256 max', u256, (1n << 256n) - 1n],
  ['bool false', bool, false],
  ['bool true', bool, true],
  ['bytes(0)', bytes(0), new Uint8Array()],
  ['bytes(4)', bytes(4), Uint8Array.of(0xde, 0xad, 0xbe, 0xef)],
  ['bytes(32)', bytes(32), seq(32)],
  ['varBytes empty', varBytes(1000), new Uint8Array()],
  ['varBytes 127 (1-byte length)', varBytes(1000), fill(127, 0xaa)],
  ['varBytes 128 (2-byte length)', varBytes(1000), fill(128, 0xbb)],
  ['varBytes 300', varBytes(1000), seq(300)],
  ['varBytes 16384 (3-byte length)', varBytes(20000), fill(16384, 1)],
  ['string empty', string(64), ''],
  ['string ascii', string(64), 'hyperspace'],
  ['string 2/3/4-byte UTF-8', string(64), 'é€😀'],
  ['string leading U+FEFF kept', string(64), '\ufeffbom'],
  ['string NUL and DEL', string(64), '\u0000\u007f'],
  ['string exactly maxBytes', string(4), '😀'],
  ['list empty', list(u16, 10), []],
  ['list of u16', list(u16, 10), [1, 2, 0xffff]],
  ['list of strings', list(string(10), 3), ['a', '', 'bc']],
  ['optional absent', optional(u32), undefined],
  ['optional present', optional(u32), 7],
  ['optional of optional present-absent', optional(optional(u8)), undefined],
  ['struct empty', struct({}), {}],
  ['struct in field order', struct({ z: u8, a: u16, m: optional(bool) }), { z: 1, a: 2, m: true }],
  ['struct optional absent', struct({ z: u8, a: u16, m: optional(bool) }), { z: 1, a: 2 }],
  ['union first', union({ ping: [0, u8], pong: [1, string(10)] }), { kind: 'ping', value: 9 }],
  ['union high tag', union({ ping: [0, u8], other: [255, string(10)] }), { kind: 'other', value: 'x' }],
  [
    'nested',
    struct({
      id: bytes(8),
      peers: list(struct({ address: bytes(32), ip: bytes(16), port: u16, seen: optional(u64) }), 20),
      note: optional(string(100)),
      amount: u256,
    }),
    {
      id: seq(8),
      peers: [
        { address: fill(32, 1), ip: ipToBytes('10.0.0.1'), port: 4001, seen: 1_700_000_000_000n },
        { address: fill(32, 2), ip: ipToBytes('2001:db8::1'), port: 443 },
      ],
      note: 'two peers',
      amount: 10n ** 18n,
    },
  ],
];

const invalid: Array<[string, Schema, string, string]> = [
  ['u16 truncated', u16, '0x01', 'WIRE_TRUNCATED'],
  ['u64 truncated', u64, '0x00000000000000', 'WIRE_TRUNCATED'],
  ['u8 trailing byte', u8, '0x0100', 'WIRE_TRAILING_BYTES'],
  ['empty input', u8, '0x', 'WIRE_TRUNCATED'],
  ['bool 0x02', bool, '0x02', 'WIRE_WRONG_TYPE'],
  ['optional tag 0x02', optional(u8), '0x0201', 'WIRE_WRONG_TYPE'],
  ['varint non-minimal 0x8000', varBytes(10), '0x8000', 'WIRE_NON_CANONICAL'],
  ['varint non-minimal 0x8100 for 1', varBytes(10), '0x810041', 'WIRE_NON_CANONICAL'],
  ['varint over u32', varBytes(0xffffffff), '0x8080808010', 'WIRE_OVERSIZED'],
  ['varBytes over max', varBytes(2), '0x03616263', 'WIRE_OVERSIZED'],
  ['varBytes body truncated', varBytes(10), '0x0361', 'WIRE_TRUNCATED'],
  ['string over maxBytes', string(3), '0x0461626364', 'WIRE_OVERSIZED'],
  ['string lone continuation byte', string(10), '0x0180', 'WIRE_WRONG_TYPE'],
  ['string overlong NUL', string(10), '0x02c080', 'WIRE_WRONG_TYPE'],
  ['string UTF-16 surrogate', string(10), '0x03eda080', 'WIRE_WRONG_TYPE'],
  ['string above U+10FFFF', string(10), '0x04f4908080', 'WIRE_WRONG_TYPE'],
  ['list count over max', list(u8, 2), '0x03010203', 'WIRE_OVERSIZED'],
  ['list items truncated', list(u16, 5), '0x02000100', 'WIRE_TRUNCATED'],
  ['union unknown tag', union({ a: [0, u8], b: [1, u8] }), '0x0200', 'WIRE_UNKNOWN_TAG'],
  ['struct trailing', struct({ a: u8 }), '0x0102', 'WIRE_TRAILING_BYTES'],
];

function codecVectors() {
  return {
    description: 'Canonical wire codec (docs/spec/wire.md §2). Values in JSON view: u64/u256 decimal strings, bytes 0x-hex, absent optional null.',
    valid: valid.map(([name, schema, value]) => {
      const ours = hex(encode(schema, value as never));
      const independent = hex(Uint8Array.from(spec(schema, value)));
      if (ours !== independent) throw new Error(`${name}: codec ${ours} != spec ${independent}`);
      return { name, schema, value: toJsonValue(schema, value as never), hex: ours };
    }),
    invalid: invalid.map(([name, schema, h, error]) => ({ name, schema, hex: h, error })),
  };
}

// ---------------------------------------------------------------------------------------------
// Envelope cases

const fixedRandom = (nonce: Uint8Array): Random => ({ bytes: (n) => nonce.slice(0, n) });
const TAG_PREFIX = Uint8Array.of(0x19, 0x48);

function domainPreimage(tag: string, payload: Uint8Array): Uint8Array {
  const t = Buffer.from(tag, 'ascii');
  return Uint8Array.from([...TAG_PREFIX, t.length, ...t, ...payload]);
}

async function envelopeVectors() {
  const secretKey = Uint8Array.from(Buffer.from('4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318', 'hex'));
  const signer = signerOf(secretKey);
  const address = privateKeyToAddress(hex(secretKey));
  const timestampMs = 1_717_171_717_171;
  const clock = new ManualClock(timestampMs);
  const entries = [];

  const weakCases = [
    { name: 'weak PING from IPv4', kind: PING, message: { token: seq(8) }, ip: '203.0.113.5', port: 4001 },
    { name: 'weak PONG from IPv6', kind: PONG, message: { token: seq(8), observedIp: ipToBytes('198.51.100.9'), observedPort: 51234 }, ip: '2001:db8::42', port: 443 },
    { name: 'weak JOIN', kind: JOIN, message: { multiaddrs: ['/ip4/203.0.113.5/tcp/4001', '/ip4/203.0.113.5/tcp/4002/ws'] }, ip: '203.0.113.5', port: 4001 },
  ] as const;
  for (const c of weakCases) {
    const envelope = sealWeak(c.kind as typeof PING, c.message as never, { signer, clock, ip: c.ip, port: c.port });
    const timeBucket = timeBucketOf(timestampMs);
    const payload = Uint8Array.from([...signer.nodeAddress, ...ipToBytes(c.ip), c.port >> 8, c.port & 0xff, ...Buffer.from(timeBucket.toString(16).padStart(8, '0'), 'hex')]);
    const digest = keccak_256(domainPreimage(c.kind.domain.tag, payload));
    const signature = envelope.subarray(envelope.length - 65);
    const recovered = await recoverAddress({ hash: hex(digest), signature: hex(signature) });
    if (recovered !== address) throw new Error(`${c.name}: signature does not recover to the key`);
    entries.push({
      name: c.name,
      scheme: 'weak',
      domain: c.kind.domain.tag,
      schema: c.kind.schema,
      message: toJsonValue(c.kind.schema as never, c.message as never),
      body: hex(encode(c.kind.schema as never, c.message as never)),
      secretKey: hex(secretKey),
      sender: hex(signer.nodeAddress),
      address,
      ip: c.ip,
      port: c.port,
      nowMs: timestampMs,
      timeBucket,
      signedPayload: hex(payload),
      signingDigest: hex(digest),
      signature: hex(signature),
      envelope: hex(envelope),
    });
  }

  const strongCases = [
    { name: 'strong ECHO', message: { text: 'hello, hyperspace' }, nonce: seq(16) },
    { name: 'strong ECHO with replyTo', message: { text: 'é€😀', replyTo: fill(32, 0xee) }, nonce: fill(16, 0xff) },
  ];
  for (const c of strongCases) {
    const envelope = sealStrong(ECHO, c.message, { signer, clock, random: fixedRandom(c.nonce) });
    const body = encode(ECHO.schema, c.message);
    const payload = Uint8Array.from([...signer.nodeAddress, ...c.nonce, ...Buffer.from(timestampMs.toString(16).padStart(16, '0'), 'hex'), ...leb128(body.length), ...body]);
    const digest = keccak_256(domainPreimage(ECHO.domain.tag, payload));
    const signature = envelope.subarray(envelope.length - 65);
    const recovered = await recoverAddress({ hash: hex(digest), signature: hex(signature) });
    if (recovered !== address) throw new Error(`${c.name}: signature does not recover to the key`);
    entries.push({
      name: c.name,
      scheme: 'strong',
      domain: ECHO.domain.tag,
      schema: ECHO.schema,
      message: toJsonValue(ECHO.schema, c.message),
      body: hex(body),
      secretKey: hex(secretKey),
      sender: hex(signer.nodeAddress),
      address,
      nonce: hex(c.nonce),
      timestampMs,
      nowMs: timestampMs,
      signedPayload: hex(payload),
      signingDigest: hex(digest),
      signature: hex(signature),
      envelope: hex(envelope),
    });
  }
  return {
    description:
      'Signed envelopes (docs/spec/wire.md §4). signingDigest = keccak256(0x19 0x48 len(domain) domain signedPayload); signature = r s v (v 27/28) over it by secretKey.',
    entries,
  };
}

const dir = new URL('./', import.meta.url);
writeFileSync(new URL('wire-codec.json', dir), JSON.stringify(codecVectors(), null, 2) + '\n');
writeFileSync(new URL('wire-envelopes.json', dir), JSON.stringify(await envelopeVectors(), null, 2) + '\n');
console.log('wrote wire-codec.json and wire-envelopes.json');
