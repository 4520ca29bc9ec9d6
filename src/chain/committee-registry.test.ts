/**
 * CommitteeRegistry on the embedded chain (EDR, Prague, real EIP-2537 precompiles) against the golden vectors of
 * test/vectors/threshold.json: hash to G1 agrees with the TypeScript, the golden certificate verifies, every
 * refusal the vectors list gives the named typed error, and flipping a bit anywhere in the certificate fails.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { encodeFunctionData, type Address, type Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from './embedded-chain.ts';
import { connectChain } from './clients.ts';
import { committeeRegistryAbi } from './artifacts.ts';
import { createCommittee, deployCommitteeRegistry, readGroupKey, registerGroupKey, verifyCertificateOnChain } from './committee-registry.ts';
import { decodeRevert } from './revert.ts';
import { deployContracts } from './deploy.ts';
import { bytesToBigInt, fromHex, toHex } from '../common/bytes.ts';
import { encodeCertificate, formCertificate, signCertificate } from '../crypto/certificate.ts';
import { decodeG2 } from '../crypto/bls/points.ts';
import type { KeyShare } from '../crypto/bls/threshold.ts';
import { g2OffSubgroup, G2_INFINITY, withDirtyPadding } from '../testnet/bls-bad-points.ts';

const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/threshold.json', import.meta.url), 'utf8'));
const groupKey = fromHex(vectors.committee.groupKey);
const certificate = fromHex(vectors.certificate.encoded);

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    return String(await p);
  } catch (error) {
    const revert = decodeRevert(error);
    if (revert) return revert.errorName;
    throw error;
  }
}

describe('CommitteeRegistry on the embedded chain (EDR, EIP-2537)', () => {
  let chain: EmbeddedChain;
  let clients: Awaited<ReturnType<typeof connectChain>>;
  let registry: Address;
  let owner: Parameters<typeof createCommittee>[0];
  before(async () => {
    chain = await startEmbeddedChain();
    clients = await connectChain(chain.rpcUrl);
    owner = { publicClient: clients.publicClient, wallet: clients.wallet(chain.accounts[0]!.privateKey as Hex) };
    registry = (await deployCommitteeRegistry(owner)).address;
  });
  after(async () => {
    await chain?.close();
  });

  test('hash to G1 in Solidity equals the TypeScript on every golden message', async () => {
    for (const v of vectors.hashToG1) {
      const point = await clients.publicClient.readContract({ address: registry, abi: committeeRegistryAbi, functionName: 'hashToG1', args: [v.message] });
      assert.equal(point, v.point, `message ${v.message}`);
    }
  });

  test('the committee id is derived from owner and label; the group key registers as key 1 and reads back', async () => {
    const committeeId = await createCommittee(owner, registry, vectors.committee.label);
    assert.equal(committeeId, vectors.committee.committeeId);
    const { keyId } = await registerGroupKey(owner, registry, committeeId, { groupKey, threshold: vectors.committee.threshold, size: vectors.committee.size });
    assert.equal(keyId, 1);
    const read = await readGroupKey(clients.publicClient, registry, committeeId, 1);
    assert.deepEqual(read, { groupKey, threshold: 3, size: 5 });
    assert.equal(await clients.publicClient.readContract({ address: registry, abi: committeeRegistryAbi, functionName: 'certificateMessage', args: [vectors.certificate.encoded] }), vectors.certificate.message);
  });

  test('bad keys and strangers are refused at registration with typed errors', async () => {
    const committeeId = vectors.committee.committeeId as Hex;
    const stranger = { publicClient: clients.publicClient, wallet: clients.wallet(chain.accounts[1]!.privateKey as Hex) };
    const key = (bytes: Uint8Array, threshold = 3, size = 5) => ({ groupKey: bytes, threshold, size });
    assert.equal(await outcome(registerGroupKey(stranger, registry, committeeId, key(groupKey))), 'NotCommitteeOwner');
    assert.equal(await outcome(registerGroupKey(owner, registry, committeeId, key(groupKey, 6, 5))), 'BadThreshold');
    assert.equal(await outcome(registerGroupKey(owner, registry, committeeId, key(groupKey, 0, 5))), 'BadThreshold');
    assert.equal(await outcome(registerGroupKey(owner, registry, committeeId, key(groupKey.subarray(1)))), 'BadPointLength');
    assert.equal(await outcome(registerGroupKey(owner, registry, committeeId, key(withDirtyPadding(groupKey)))), 'BadPointPadding');
    assert.equal(await outcome(registerGroupKey(owner, registry, committeeId, key(G2_INFINITY))), 'PointAtInfinity');
    assert.equal(await outcome(registerGroupKey(owner, registry, committeeId, key(g2OffSubgroup()))), 'InvalidPoint');
    assert.equal(await outcome(createCommittee(owner, registry, vectors.committee.label)), 'CommitteeExists');
  });

  test('the golden certificate verifies; each golden refusal gives its typed error', async () => {
    assert.equal(await verifyCertificateOnChain(clients.publicClient, registry, certificate, groupKey), true);
    for (const r of vectors.refusals) {
      assert.equal(await outcome(verifyCertificateOnChain(clients.publicClient, registry, fromHex(r.certificate), groupKey)), r.solidity, r.name);
    }
    const otherKey = fromHex(vectors.committee.shares[0].publicShare);
    assert.equal(await outcome(verifyCertificateOnChain(clients.publicClient, registry, certificate, otherKey)), 'WrongGroupKey');
  });

  test('flipping a bit in any byte of the certificate makes the contract refuse it (false or a typed error)', async () => {
    for (let i = 0; i < certificate.length; i++) {
      const flipped = certificate.slice();
      flipped[i]! ^= 1 << (i % 8);
      const result = await outcome(verifyCertificateOnChain(clients.publicClient, registry, flipped, groupKey));
      assert.notEqual(result, 'true', `byte ${i} bit ${i % 8}: ${toHex(flipped)}`);
    }
  });

  test('deployContracts deploys a CommitteeRegistry (last, so no other address moves) that takes committees', async () => {
    const { contracts } = await deployContracts({ publicClient: clients.publicClient, wallet: owner.wallet }, { skipDispute: true, staticDifficulty: 0 });
    const deployed = contracts.committeeRegistry!;
    assert.ok(deployed);
    const committeeId = await createCommittee(owner, deployed, vectors.committee.label);
    assert.equal(committeeId, vectors.committee.committeeId, 'same creator and label, same id on any registry');
  });

  test('a verification sent as a transaction costs ≤ 135,000 gas above the 21,000 base, the same for any signer set', async () => {
    const gasOf = async (cert: Uint8Array) => {
      const data = encodeFunctionData({ abi: committeeRegistryAbi, functionName: 'verifyCertificate', args: [toHex(cert), toHex(groupKey)] });
      const hash = await owner.wallet.sendTransaction({ to: registry, data });
      const used = (await clients.publicClient.waitForTransactionReceipt({ hash })).gasUsed;
      // Calldata is priced per byte (4 zero, 16 non-zero): signatures differ in how many zero bytes they hold.
      const calldata = fromHex(data).reduce((sum, b) => sum + (b === 0 ? 4n : 16n), 0n);
      return { used, execution: used - 21_000n - calldata };
    };
    // A second certificate over the same receipt, signed by all five members instead of four.
    const shares = vectors.committee.shares.map((s: { index: number; secret: string }) => ({ index: s.index, secret: bytesToBigInt(fromHex(s.secret)) }));
    const header = { receiptDigest: fromHex(vectors.certificate.receiptDigest), committeeId: fromHex(vectors.certificate.committeeId), keyId: 1, signers: [1, 2, 3, 4, 5] };
    const all = formCertificate(header, shares.map((s: KeyShare) => signCertificate(s, header)), {
      threshold: 3,
      publicShare: (i) => decodeG2(fromHex(vectors.committee.shares[i - 1].publicShare)),
    }).certificate;
    const four = await gasOf(certificate);
    const five = await gasOf(encodeCertificate(all));
    assert.ok(four.used - 21_000n <= 135_000n, `certificate check ${four.used - 21_000n} gas above the base`);
    assert.equal(five.execution, four.execution, 'execution gas does not depend on who signed');
  });
});
