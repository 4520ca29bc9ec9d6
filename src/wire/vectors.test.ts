/**
 * Checks every entry of test/vectors/wire-codec.json, wire-envelopes.json and eip712.json
 * (written by test/vectors/generate-wire.ts and generate-eip712.ts) against src/wire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decode, encode } from './codec.ts';
import { assertSchema, type Schema } from './schema.ts';
import { fromJsonValue, toJsonValue } from './json.ts';
import { WireDecodeError } from './errors.ts';
import { decodeEnvelope, signerOf } from './envelope.ts';
import { openStrong, sealStrong } from './strong-envelope.ts';
import { openWeak, sealWeak } from './weak-envelope.ts';
import { ECHO, JOIN, PING, PONG } from './messages.ts';
import { ReplayGuard } from './replay-guard.ts';
import { domainSeparator, encodeType, typeHash, EIP712_DOMAIN_TYPES } from './eip712.ts';
import {
  hyperspaceDomain,
  queryDigest,
  queryStructHash,
  QUERY_TYPES,
  QuerySchema,
  receiptDigest,
  receiptsConflict,
  receiptStructHash,
  RECEIPT_TYPES,
  ReceiptSchema,
  recoverQuerySigner,
  recoverReceiptSigner,
  signQuery,
  signReceipt,
} from './query-receipt.ts';
import { domainDigest, lookupDomain } from '../crypto/domains.ts';
import { signDigest } from '../crypto/signature.ts';
import { fromHex, toHex } from '../common/bytes.ts';
import { ManualClock } from '../common/clock.ts';

const read = (name: string) => JSON.parse(readFileSync(new URL(`../../test/vectors/${name}`, import.meta.url), 'utf8'));

test('wire-codec.json: every valid entry encodes to its hex, decodes back, and round-trips through JSON', () => {
  const { valid } = read('wire-codec.json') as { valid: Array<{ name: string; schema: unknown; value: unknown; hex: string }> };
  assert.ok(valid.length >= 30);
  for (const v of valid) {
    assertSchema(v.schema);
    const schema = v.schema as Schema;
    const value = fromJsonValue(schema, v.value);
    assert.equal(toHex(encode(schema, value)), v.hex, v.name);
    const decoded = decode(schema, fromHex(v.hex));
    assert.deepStrictEqual(decoded, value, v.name);
    assert.deepStrictEqual(toJsonValue(schema, decoded), v.value, v.name);
  }
});

test('wire-codec.json: every invalid entry is refused with the listed error code', () => {
  const { invalid } = read('wire-codec.json') as { invalid: Array<{ name: string; schema: unknown; hex: string; error: string }> };
  assert.ok(invalid.length >= 15);
  for (const v of invalid) {
    assertSchema(v.schema);
    assert.throws(() => decode(v.schema as Schema, fromHex(v.hex)), (e: unknown) => e instanceof WireDecodeError && e.code === v.error, v.name);
  }
});

test('wire-envelopes.json: digests, signatures and envelopes are reproduced and open to the listed message', () => {
  const { entries } = read('wire-envelopes.json') as { entries: Array<Record<string, any>> };
  const kinds = { [PING.domain.tag]: PING, [PONG.domain.tag]: PONG, [JOIN.domain.tag]: JOIN, [ECHO.domain.tag]: ECHO };
  assert.equal(entries.length, 5);
  for (const e of entries) {
    const kind = kinds[e.domain]!;
    const signer = signerOf(fromHex(e.secretKey));
    assert.equal(toHex(signer.nodeAddress), e.sender, e.name);
    const digest = domainDigest(lookupDomain(e.domain)!, fromHex(e.signedPayload));
    assert.equal(toHex(digest), e.signingDigest, e.name);
    assert.equal(toHex(signDigest(digest, signer.secretKey)), e.signature, e.name);
    const message = fromJsonValue(kind.schema as Schema, e.message);
    assert.equal(toHex(encode(kind.schema as Schema, message)), e.body, e.name);
    const clock = new ManualClock(e.nowMs);
    const env = decodeEnvelope(fromHex(e.envelope));
    assert.equal(env.kind, e.scheme);
    assert.equal(toHex(env.value.signature), e.signature);
    if (e.scheme === 'weak') {
      const bytes = sealWeak(kind as typeof PING, message as never, { signer, clock, ip: e.ip, port: e.port });
      assert.equal(toHex(bytes), e.envelope, e.name);
      const opened = openWeak(bytes, { kind: kind as typeof PING, clock, observed: { ip: e.ip, port: e.port } });
      assert.deepStrictEqual(toJsonValue(kind.schema as Schema, opened.message), e.message);
      assert.equal(opened.timeBucket, e.timeBucket);
    } else {
      const nonce = fromHex(e.nonce);
      const bytes = sealStrong(ECHO, message as never, { signer, clock, random: { bytes: (n) => nonce.slice(0, n) } });
      assert.equal(toHex(bytes), e.envelope, e.name);
      const opened = openStrong(bytes, { kind: ECHO, clock, replayGuard: new ReplayGuard() });
      assert.deepStrictEqual(toJsonValue(ECHO.schema, opened.message), e.message);
      assert.equal(opened.timestampMs, e.timestampMs);
    }
  }
});

test('eip712.json: type strings, type hashes, struct hashes, domain separators, digests and signatures match', () => {
  const v = read('eip712.json');
  assert.equal(encodeType('Query', QUERY_TYPES), v.types.Query.encodeType);
  assert.equal(encodeType('Receipt', RECEIPT_TYPES), v.types.Receipt.encodeType);
  assert.equal(toHex(typeHash('Query', QUERY_TYPES)), v.types.Query.typeHash);
  assert.equal(toHex(typeHash('Receipt', RECEIPT_TYPES)), v.types.Receipt.typeHash);
  assert.equal(toHex(typeHash('EIP712Domain', EIP712_DOMAIN_TYPES)), v.types.EIP712Domain.typeHash);
  const nodeKey = fromHex(v.keys.node);
  const clientKey = fromHex(v.keys.client);
  for (const entry of v.entries) {
    const domain = hyperspaceDomain(BigInt(entry.domain.chainId), fromHex(entry.domain.verifyingContract));
    assert.equal(toHex(domainSeparator(domain)), entry.domainSeparator);
    const query = fromJsonValue(QuerySchema, { ...entry.query.message, client: entry.query.message.client.toLowerCase() });
    assert.equal(toHex(queryStructHash(query)), entry.query.structHash);
    assert.equal(toHex(queryDigest(domain, query)), entry.query.digest);
    assert.equal(toHex(signQuery(domain, query, clientKey)), entry.query.signature);
    assert.deepEqual(recoverQuerySigner(domain, query, fromHex(entry.query.signature)), fromHex(entry.query.signer));
    const receipts = entry.receipts.map((rc: any) => {
      const receipt = fromJsonValue(ReceiptSchema, { ...rc.message, node: rc.message.node.toLowerCase() });
      assert.equal(toHex(receipt.queryHash), entry.query.digest, 'queryHash is the Query digest');
      assert.equal(toHex(receiptStructHash(receipt)), rc.structHash);
      assert.equal(toHex(receiptDigest(domain, receipt)), rc.digest);
      assert.equal(toHex(signReceipt(domain, receipt, nodeKey)), rc.signature);
      assert.deepEqual(recoverReceiptSigner(domain, receipt, fromHex(rc.signature)), fromHex(rc.signer));
      return receipt;
    });
    assert.equal(receiptsConflict(receipts[0], receipts[1]), true);
  }
});
