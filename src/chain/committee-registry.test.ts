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
import { fromHex, toHex } from '../common/bytes.ts';
import { g2OffSubgroup, G2_INFINITY, withDirtyPadding } from '../crypto/bls/bad-points.test-helper.ts';

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

  test('a verification sent as a transaction costs the same for any signer set (constant in n)', async () => {
    const wallet = owner.wallet;
    const gasOf = async (cert: Hex) => {
      const hash = await wallet.sendTransaction({ to: registry, data: encodeFunctionData({ abi: committeeRegistryAbi, functionName: 'verifyCertificate', args: [cert, toHex(groupKey)] }) });
      return (await clients.publicClient.waitForTransactionReceipt({ hash })).gasUsed;
    };
    const gas = await gasOf(vectors.certificate.encoded);
    assert.ok(gas > 100_000n, `a pairing check alone is 102,900 gas; got ${gas}`);
  });
});
