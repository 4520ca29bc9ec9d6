/**
 * EngineOps (contracts/lib/EngineOps.sol) against the engine's golden vectors (test/vectors/engine-ops.json):
 * the contract replays exactly the op semantics the engine runs (docs/spec/engine.md). Runs on the embedded chain
 * through DisputeOpsHarness.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Abi, Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { connectChain, type ChainClients } from '../chain/clients.ts';
import { deployArtifact, disputeArtifact } from '../chain/dispute-deploy.ts';
import { COMBINER_CODES } from './operand-proofs.ts';
import type { Combiner } from '../engine/graph.ts';
import { PrimitiveDomainError, roundShift } from '../engine/ops/arith.ts';

interface Vectors {
  primitives: Record<string, Record<string, number | string>[]>;
  elementwise: { op: string; code: number; params: number[]; inputs: number[]; hasWeight: boolean; output: number }[];
  reductions: { combiner: Combiner; init: number; links: number[][]; partialSums: number[]; output: number }[];
}
const V = JSON.parse(readFileSync(new URL('../../test/vectors/engine-ops.json', import.meta.url), 'utf8')) as Vectors;

let chain: EmbeddedChain;
let clients: ChainClients;
let harness: Hex;
let abi: Abi;
const call = async (fn: string, args: unknown[]) => clients.publicClient.readContract({ address: harness, abi, functionName: fn, args });

before(async () => {
  chain = await startEmbeddedChain();
  clients = await connectChain(chain.rpcUrl);
  const w = clients.wallet(chain.accounts[0]!.privateKey);
  harness = (await deployArtifact({ publicClient: clients.publicClient, wallet: w }, 'DisputeOpsHarness')).address;
  abi = (await disputeArtifact('DisputeOpsHarness')).abi;
});
after(async () => chain?.close());

describe('EngineOps.sol = engine golden vectors', () => {
  it('primitives: roundShift, roundDiv, isqrt, euclidMod', async () => {
    for (const v of V.primitives.roundShift!) assert.equal(await call('roundShift', [BigInt(v.v!), BigInt(v.s!)]), BigInt(v.out!), JSON.stringify(v));
    for (const v of V.primitives.roundDiv!) assert.equal(await call('roundDiv', [BigInt(v.n!), BigInt(v.d!)]), BigInt(v.out!), JSON.stringify(v));
    for (const v of V.primitives.isqrt!) assert.equal(await call('isqrt', [BigInt(v.v!)]), BigInt(v.out!), JSON.stringify(v));
    for (const v of V.primitives.euclidMod!) assert.equal(await call('euclidMod', [BigInt(v.a!), BigInt(v.m!)]), BigInt(v.out!), JSON.stringify(v));
  });

  it('roundShift has one domain on both sides: shifts 0..255 answer, −1 and 256 revert on chain and throw PrimitiveDomainError in the engine', async () => {
    for (const s of [0, 255]) assert.equal(await call('roundShift', [-7n, BigInt(s)]), BigInt(roundShift(-7, s)));
    for (const s of [-1, 256]) {
      await assert.rejects(call('roundShift', [-7n, BigInt(s)]));
      assert.throws(() => roundShift(-7, s), PrimitiveDomainError);
    }
  });

  it(`every element-wise vector (${V.elementwise.length})`, async () => {
    for (const v of V.elementwise) {
      const got = await call('elementwise', [BigInt(v.code), v.params.map(BigInt), v.inputs.map(BigInt), v.hasWeight]);
      assert.equal(got, BigInt(v.output), JSON.stringify(v));
    }
  });

  it(`every reduction vector, partial sum by partial sum (${V.reductions.length})`, async () => {
    for (const v of V.reductions) {
      const a = v.links.map((l) => BigInt(l[0]!));
      const b = v.links.map((l) => BigInt(l[1] ?? 0));
      const sums = (await call('reduce', [COMBINER_CODES[v.combiner], BigInt(v.init), a, b])) as bigint[];
      assert.deepEqual(sums, v.partialSums.map(BigInt), JSON.stringify(v));
    }
  });

  it('a wrong answer is detected: an off-by-one vector does not match', async () => {
    const v = V.elementwise[0]!;
    const got = await call('elementwise', [BigInt(v.code), v.params.map(BigInt), v.inputs.map(BigInt), v.hasWeight]);
    assert.notEqual(got, BigInt(v.output + 1));
  });
});
