/**
 * Certificates against the golden vectors of test/vectors/threshold.json (the same file the contract tests read):
 * the TypeScript forms the same certificate from the same partials, verifies it, gives each golden refusal, and
 * refuses every single-bit flip of the certificate.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '../common/bytes.ts';
import { decodeG2, encodeG1, encodeG2 } from './bls/points.ts';
import { hashToG1 } from './bls/hash-to-g1.ts';
import { commitPolynomial, evaluateCommitments } from './bls/polynomial.ts';
import { CertificateError } from './bls/errors.ts';
import {
  certificateMessage,
  certificateToJson,
  decodeCertificate,
  encodeCertificate,
  formCertificate,
  parseCertificateText,
  signCertificate,
  verifyCertificate,
  type Certificate,
} from './certificate.ts';
import { bytesToBigInt } from '../common/bytes.ts';

const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/threshold.json', import.meta.url), 'utf8'));
const groupKey = decodeG2(fromHex(vectors.committee.groupKey));
const key = { groupKey, threshold: vectors.committee.threshold as number, size: vectors.committee.size as number };
const golden = fromHex(vectors.certificate.encoded);

function verdict(bytes: Uint8Array): string {
  let certificate: Certificate;
  try {
    certificate = decodeCertificate(bytes);
  } catch (error) {
    if (error instanceof CertificateError) return error.details.reason;
    throw error;
  }
  const v = verifyCertificate(certificate, key);
  return v.valid ? 'valid' : v.reason;
}

describe('certificates: golden vectors shared with the contract', () => {
  test('hash to G1 gives the golden points', () => {
    for (const v of vectors.hashToG1) assert.equal(toHex(encodeG1(hashToG1(fromHex(v.message)))), v.point);
  });

  test('the dealt committee, its partials and the combined certificate match the vectors', () => {
    const coefficients = vectors.committee.coefficients.map((c: string) => bytesToBigInt(fromHex(c)));
    const commitments = commitPolynomial(coefficients);
    assert.equal(toHex(encodeG2(commitments[0]!)), vectors.committee.groupKey);
    const header = { receiptDigest: fromHex(vectors.certificate.receiptDigest), committeeId: fromHex(vectors.certificate.committeeId), keyId: vectors.certificate.keyId, signers: vectors.certificate.signers };
    assert.equal(toHex(certificateMessage(header)), vectors.certificate.message);
    for (const s of vectors.committee.shares) {
      assert.equal(toHex(encodeG2(evaluateCommitments(commitments, s.index))), s.publicShare);
      const partial = signCertificate({ index: s.index, secret: bytesToBigInt(fromHex(s.secret)) }, header);
      assert.equal(toHex(partial.signature), vectors.certificate.partials[s.index - 1].signature);
    }
    const partials = vectors.certificate.partials.map((p: { index: number; signature: string }) => ({ index: p.index, signature: fromHex(p.signature) }));
    const publicShare = (i: number) => decodeG2(fromHex(vectors.committee.shares[i - 1].publicShare));
    const { certificate, refused } = formCertificate(header, partials, { threshold: key.threshold, publicShare });
    assert.deepEqual(refused, [{ index: 3, reason: 'non-member' }]); // member 3 is not among the named signers
    assert.equal(toHex(encodeCertificate(certificate)), vectors.certificate.encoded);
    assert.equal(verdict(golden), 'valid');
  });

  test('each golden refusal gives its reason', () => {
    for (const r of vectors.refusals) assert.equal(verdict(fromHex(r.certificate)), r.ts, r.name);
  });

  test('flipping any single bit of the certificate makes verification fail', () => {
    for (let bit = 0; bit < golden.length * 8; bit++) {
      // Every bit of the signature (cheap: almost all land off the curve), one bit per byte of the header (each costs a pairing).
      if (bit < 101 * 8 && bit % 8 !== (bit >> 3) % 8) continue;
      const flipped = golden.slice();
      flipped[bit >> 3]! ^= 1 << (bit % 8);
      assert.notEqual(verdict(flipped), 'valid', `bit ${bit}`);
    }
  });

  test('the text forms (hex, JSON object, JSON with `encoded`, infer --json output) parse to the same certificate; junk is refused', () => {
    const certificate = decodeCertificate(golden);
    const json = certificateToJson(certificate);
    const forms = [vectors.certificate.encoded, JSON.stringify(vectors.certificate.encoded), JSON.stringify(json), JSON.stringify({ ...json, encoded: undefined }), JSON.stringify({ certificate: json })];
    for (const f of forms) assert.deepEqual(encodeCertificate(parseCertificateText(f)), golden);
    for (const junk of ['', 'nope', '{}', '[1]', JSON.stringify({ ...json, signature: toHex(new Uint8Array(128)) }), JSON.stringify({ ...json, encoded: undefined, signers: [1, 1, 2] })]) {
      assert.throws(() => parseCertificateText(junk), CertificateError, junk);
    }
  });
});
