import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashTypedData as viemHashTypedData, recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  hyperspaceDomain,
  queryDigest,
  QUERY_TYPES,
  QuerySchema,
  receiptDigest,
  RECEIPT_TYPES,
  ReceiptSchema,
  receiptsConflict,
  recoverQuerySigner,
  recoverReceiptSigner,
  signQuery,
  signReceipt,
  type Query,
  type Receipt,
} from './query-receipt.ts';
import type { Eip712Domain } from './eip712.ts';
import { arbitrary } from './arbitrary.ts';
import { decode, encode } from './codec.ts';
import { fromHex, toHex } from '../common/bytes.ts';
import { SeededRandom } from '../common/clock.ts';
import { SignatureError } from '../crypto/signature.ts';

const r = new SeededRandom(2024);

function viemDomain(d: Eip712Domain) {
  return { name: d.name, version: d.version, chainId: d.chainId, verifyingContract: toHex(d.verifyingContract) };
}

function viemMessage<T extends Record<string, unknown>>(m: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v instanceof Uint8Array ? toHex(v) : v]));
}

test('Query and Receipt digests equal viem hashTypedData over random values and domains', () => {
  for (let i = 0; i < 150; i++) {
    const domain = hyperspaceDomain(arbitrary(QuerySchema.fields.deadline, r), r.bytes(20));
    const q = arbitrary(QuerySchema, r);
    const rc = arbitrary(ReceiptSchema, r);
    assert.equal(
      toHex(queryDigest(domain, q)),
      viemHashTypedData({ domain: viemDomain(domain), types: QUERY_TYPES, primaryType: 'Query', message: viemMessage(q) as never }),
    );
    assert.equal(
      toHex(receiptDigest(domain, rc)),
      viemHashTypedData({ domain: viemDomain(domain), types: RECEIPT_TYPES, primaryType: 'Receipt', message: viemMessage(rc) as never }),
    );
  }
});

test('signed receipts and queries recover to the signer address, also through viem', async () => {
  const key = fromHex('0x8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f');
  const account = privateKeyToAccount(toHex(key));
  const domain = hyperspaceDomain(31337n, fromHex('0x5FbDB2315678afecb367f032d93F642f64180aa3'));
  const receipt: Receipt = { ...arbitrary(ReceiptSchema, r), node: fromHex(account.address) };
  const sig = signReceipt(domain, receipt, key);
  assert.equal(toHex(recoverReceiptSigner(domain, receipt, sig)), account.address.toLowerCase());
  const viaViem = await recoverTypedDataAddress({
    domain: viemDomain(domain),
    types: RECEIPT_TYPES,
    primaryType: 'Receipt',
    message: viemMessage(receipt) as never,
    signature: toHex(sig),
  });
  assert.equal(viaViem, account.address);
  // viem's own signature is byte-identical (RFC 6979 on both sides).
  const viemSig = await account.signTypedData({ domain: viemDomain(domain), types: RECEIPT_TYPES, primaryType: 'Receipt', message: viemMessage(receipt) as never });
  assert.equal(toHex(sig), viemSig);

  const query: Query = { ...arbitrary(QuerySchema, r), client: fromHex(account.address) };
  assert.deepEqual(recoverQuerySigner(domain, query, signQuery(domain, query, key)), query.client);
  // A receipt for another chain, or with any field changed, recovers to someone else.
  const otherChain = hyperspaceDomain(1n, domain.verifyingContract);
  assert.notDeepEqual(recoverReceiptSigner(otherChain, receipt, sig), receipt.node);
  assert.notDeepEqual(recoverReceiptSigner(domain, { ...receipt, fee: receipt.fee ^ 1n }, sig), receipt.node);
  const highV = sig.slice();
  highV[64] = 30;
  assert.throws(() => recoverReceiptSigner(domain, receipt, highV), SignatureError);
});

test('receipts conflict exactly when they answer the same query and model with a different output or trace', () => {
  const a = arbitrary(ReceiptSchema, r);
  const same = { ...a, node: r.bytes(20), fee: 1n };
  assert.equal(receiptsConflict(a, same), false);
  assert.equal(receiptsConflict(a, { ...a, outputHash: r.bytes(32) }), true);
  assert.equal(receiptsConflict(a, { ...a, traceRoot: r.bytes(32) }), true);
  assert.equal(receiptsConflict(a, { ...a, outputHash: r.bytes(32), queryHash: r.bytes(32) }), false);
  assert.equal(receiptsConflict(a, { ...a, outputHash: r.bytes(32), modelHash: r.bytes(32) }), false);
});

test('Query and Receipt travel in the canonical codec and keep their digests', () => {
  const domain = hyperspaceDomain(5n, r.bytes(20));
  const rc = arbitrary(ReceiptSchema, r);
  const back = decode(ReceiptSchema, encode(ReceiptSchema, rc));
  assert.deepEqual(receiptDigest(domain, back), receiptDigest(domain, rc));
  assert.equal(encode(QuerySchema, arbitrary(QuerySchema, r)).length, 20 + 32 * 3 + 32 * 2 + 8);
});
