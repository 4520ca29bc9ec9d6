/**
 * DisputeGameCold (contracts/DisputeGameCold.sol; docs/dispute.md §5): the opening and settlement code the game
 * runs by DELEGATECALL to keep its runtime code under EIP-170. The game creates it in its constructor (the game's
 * first CREATE: nonce 1); called directly, not through the game, every entry point reverts NotDelegated, so nobody can
 * open or settle against the cold contract's own (empty) storage or use its address as a dispute contract.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getContractAddress, type Address, type Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from './embedded-chain.ts';
import { disputeGameAbi, disputeGameColdAbi } from './artifacts.ts';
import { decodeRevert } from './revert.ts';
import { setupDisputeEnv, type DisputeEnv } from './dispute-env.ts';

let chain: EmbeddedChain;
let env: DisputeEnv;

before(async () => {
  chain = await startEmbeddedChain({ accounts: 3 });
  env = await setupDisputeEnv(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex), [1, 2]);
});
after(async () => chain?.close());

const ZERO32 = `0x${'00'.repeat(32)}` as Hex;
const config = { modelHash: ZERO32, rootA: ZERO32, rootB: ZERO32, inputRoot: ZERO32, inputLength: 0n, claimant: '0x0000000000000000000000000000000000000000' as Address, bondId: ZERO32, params: { seeded: false, seed: 0n, maxTokens: 1 } };

async function revertName(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return decodeRevert(e)?.errorName ?? String(e).slice(0, 200);
  }
  return undefined;
}

describe('DisputeGameCold', () => {
  it('is deployed by the game and refuses direct calls (NotDelegated)', async () => {
    const cold = getContractAddress({ from: env.game, nonce: 1n });
    const code = await env.clients.publicClient.getCode({ address: cold });
    assert.ok(code && code.length > 2, 'the game created its cold contract');
    const account = env.addresses[1]!;
    const direct = await revertName(env.clients.publicClient.simulateContract({ address: cold, abi: disputeGameColdAbi, functionName: 'settle', args: [ZERO32, config], account }));
    assert.equal(direct, 'NotDelegated');
    // through the game the same call reaches the cold code over the game's storage: no game → NoGame
    const viaGame = await revertName(env.clients.publicClient.simulateContract({ address: env.game, abi: disputeGameAbi, functionName: 'settle', args: [ZERO32, config], account }));
    assert.equal(viaGame, 'NoGame');
  });

  it('keeps the game domain: the cold contract signs receipts under the game address', async () => {
    const cold = getContractAddress({ from: env.game, nonce: 1n });
    const read = (address: Address) => env.clients.publicClient.readContract({ address, abi: disputeGameAbi, functionName: 'DOMAIN_SEPARATOR' });
    assert.equal(await read(cold), await read(env.game));
  });
});
