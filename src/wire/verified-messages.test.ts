import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../common/clock.ts';
import { bigIntToBytes, bytesToBigInt } from '../common/bytes.ts';
import { isVerifiedSignature } from '../crypto/fast-verify.ts';
import { publicKeyOf } from '../identity/node-address.ts';
import { ethereumAddressOfSecret, seededSecretKey } from '../testnet/seeded-keys.ts';
import { arbitrary } from './arbitrary.ts';
import { ForgedSignatureError } from './errors.ts';
import { hyperspaceDomain, queryDigest, QuerySchema, ReceiptSchema, signQuery, signReceipt } from './query-receipt.ts';
import { verifyQuery, verifyReceipt } from './verified-messages.ts';

const rng = new SeededRandom(4);
const domain = hyperspaceDomain(31337n, rng.bytes(20));
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const key = (): Uint8Array => seededSecretKey(rng);
const addressOf = ethereumAddressOfSecret;

test('a query signed by its client verifies once and carries its queryHash and signer', () => {
  const sk = key();
  const query = { ...arbitrary(QuerySchema, rng), client: addressOf(sk) };
  const v = verifyQuery(domain, query, signQuery(domain, query, sk));
  assert.deepEqual(v.queryHash, queryDigest(domain, query));
  assert.ok(isVerifiedSignature(v.signature));
  assert.deepEqual(v.signature.publicKey, publicKeyOf(sk));
});

test('attacker: a query naming another client (framing it), or a malleated high-s twin, is refused as forged', () => {
  const victim = key();
  const attacker = key();
  const framed = { ...arbitrary(QuerySchema, rng), client: addressOf(victim) };
  assert.throws(() => verifyQuery(domain, framed, signQuery(domain, framed, attacker)), ForgedSignatureError);
  const own = { ...framed, client: addressOf(attacker) };
  const sig = signQuery(domain, own, attacker);
  const twin = sig.slice();
  twin.set(bigIntToBytes(N - bytesToBigInt(sig.subarray(32, 64)), 32), 32);
  twin[64] = 55 - sig[64]!;
  assert.throws(() => verifyQuery(domain, own, twin), (e) => e instanceof ForgedSignatureError && e.details.reason === 'high-s');
  // The same signature under another deployment's domain (another chain) recovers to another address.
  assert.throws(() => verifyQuery(hyperspaceDomain(1n, domain.verifyingContract), own, sig), ForgedSignatureError);
});

test('a receipt verifies only for the node it names', () => {
  const node = key();
  const receipt = { ...arbitrary(ReceiptSchema, rng), node: addressOf(node) };
  const sig = signReceipt(domain, receipt, node);
  assert.deepEqual(verifyReceipt(domain, receipt, sig).signature.publicKey, publicKeyOf(node));
  // A server inventing a receipt for an honest node with its own key, or changing the output after signing.
  assert.throws(() => verifyReceipt(domain, receipt, signReceipt(domain, receipt, key())), ForgedSignatureError);
  assert.throws(() => verifyReceipt(domain, { ...receipt, outputHash: rng.bytes(32) }, sig), ForgedSignatureError);
  assert.throws(() => verifyReceipt(domain, receipt, sig.subarray(0, 64)), ForgedSignatureError);
});
