/**
 * Writes test/vectors/threshold.json (run once: `node_modules/.bin/node test/vectors/generate-threshold.ts`).
 *
 * Golden vectors for BLS12-381 threshold signatures and certificates (docs/threshold.md), read by the TypeScript
 * tests (src/crypto/bls/vectors.test.ts) and by the contract tests (src/chain/committee-registry.test.ts), so both
 * sides are held to the same answers: hash to G1 under our DST, a 3-of-5 committee dealt from a fixed seed, the
 * certificate message, every member's partial, the combined certificate, and malformed certificates with the
 * refusal each side must give. Points are 0x-hex EIP-2537 encodings.
 */
import { writeFileSync } from 'node:fs';
import { encodeAbiParameters, keccak256, type Hex } from 'viem';
import { SeededRandom } from '../../src/common/clock.ts';
import { toHex } from '../../src/common/bytes.ts';
import { devAccount } from '../../src/chain/dev-accounts.ts';
import { HASH_TO_G1_DST, hashToG1 } from '../../src/crypto/bls/hash-to-g1.ts';
import { encodeG1, encodeG2, encodeScalar } from '../../src/crypto/bls/points.ts';
import { commitPolynomial, evaluateCommitments, evaluatePolynomial, randomPolynomial } from '../../src/crypto/bls/polynomial.ts';
import { certificateMessage, encodeCertificate, formCertificate, signCertificate, type CertificateHeader } from '../../src/crypto/certificate.ts';
import { g1OffCurve, g1OffSubgroup, withDirtyPadding } from '../../src/testnet/bls-bad-points.ts';

const enc = new TextEncoder();
const messages = [new Uint8Array(0), enc.encode('abc'), new Uint8Array(32).fill(0x42), enc.encode('a'.repeat(200))];
const hashToG1Vectors = messages.map((m) => ({ message: toHex(m), point: toHex(encodeG1(hashToG1(m))) }));

const threshold = 3;
const size = 5;
const coefficients = randomPolynomial(threshold, new SeededRandom(20261208));
const commitments = commitPolynomial(coefficients);
const shares = Array.from({ length: size }, (_, k) => ({ index: k + 1, secret: evaluatePolynomial(coefficients, k + 1) }));
const publicShares = shares.map((s) => evaluateCommitments(commitments, s.index));
const owner = devAccount(0).address as Hex;
const label = keccak256(enc.encode('model: tiny-stories int8'));
const committeeId = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'bytes32' }], [owner, label]));

const header: CertificateHeader = {
  receiptDigest: new Uint8Array(32).fill(0xab),
  committeeId: Buffer.from(committeeId.slice(2), 'hex'),
  keyId: 1,
  signers: [1, 2, 4, 5],
};
const partials = shares.map((s) => signCertificate(s, header));
// Member 2's partial is replaced by member 3's: well-formed, wrong signer; the certificate still forms.
const tampered = partials.map((p) => (p.index === 2 ? { index: 2, signature: partials[2]!.signature } : p));
const { certificate, refused } = formCertificate(header, tampered, { threshold, publicShare: (i) => publicShares[i - 1] });
if (refused.length !== 2) throw new Error(`expected members 2 (bad) and 3 (not named) refused, got ${JSON.stringify(refused)}`);
const encoded = encodeCertificate(certificate);

const flip = (bytes: Uint8Array, index: number, bit = 0): Uint8Array => {
  const out = bytes.slice();
  out[index]! ^= 1 << bit;
  return out;
};
const withSignature = (signature: Uint8Array): Uint8Array => {
  const out = encoded.slice();
  out.set(signature, 101);
  return out;
};
const keyId2 = encoded.slice();
keyId2[68] = 2;
const refusals = [
  { name: 'truncated', certificate: toHex(encoded.subarray(0, 228)), ts: 'wrong-length', solidity: 'BadCertificateLength' },
  { name: 'version 2', certificate: toHex(flip(encoded, 0, 1)), ts: 'bad-version', solidity: 'BadCertificateVersion' },
  { name: 'unregistered key id', certificate: toHex(keyId2), ts: 'bad-signature', solidity: 'UnknownGroupKey' },
  { name: 'signer 6 of 5', certificate: toHex(flip(encoded, 100, 5)), ts: 'signers-out-of-range', solidity: 'SignersOutOfRange' },
  { name: 'two signers of threshold 3', certificate: toHex(flip(flip(encoded, 100, 0), 100, 1)), ts: 'too-few-signers', solidity: 'TooFewSigners' },
  { name: 'receipt digest changed', certificate: toHex(flip(encoded, 1)), ts: 'bad-signature', solidity: 'false' },
  { name: 'signature padding', certificate: toHex(withSignature(withDirtyPadding(certificate.signature))), ts: 'malformed-signature', solidity: 'BadPointPadding' },
  { name: 'signature at infinity', certificate: toHex(withSignature(new Uint8Array(128))), ts: 'malformed-signature', solidity: 'PointAtInfinity' },
  { name: 'signature off the curve', certificate: toHex(withSignature(g1OffCurve())), ts: 'malformed-signature', solidity: 'InvalidPoint' },
  { name: 'signature outside the subgroup', certificate: toHex(withSignature(g1OffSubgroup())), ts: 'malformed-signature', solidity: 'InvalidPoint' },
];

const vectors = {
  description: 'BLS12-381 threshold signatures and certificates; see test/vectors/generate-threshold.ts',
  dst: HASH_TO_G1_DST,
  hashToG1: hashToG1Vectors,
  committee: {
    owner,
    label,
    committeeId,
    threshold,
    size,
    coefficients: coefficients.map((c) => toHex(encodeScalar(c))),
    groupKey: toHex(encodeG2(commitments[0]!)),
    shares: shares.map((s) => ({ index: s.index, secret: toHex(encodeScalar(s.secret)), publicShare: toHex(encodeG2(publicShares[s.index - 1]!)) })),
  },
  certificate: {
    receiptDigest: toHex(header.receiptDigest),
    committeeId,
    keyId: header.keyId,
    signers: header.signers,
    message: toHex(certificateMessage(header)),
    partials: partials.map((p) => ({ index: p.index, signature: toHex(p.signature) })),
    encoded: toHex(encoded),
  },
  refusals,
};
const path = new URL('./threshold.json', import.meta.url);
writeFileSync(path, JSON.stringify(vectors, null, 2) + '\n');
process.stdout.write(`wrote ${path.pathname}\n`);
