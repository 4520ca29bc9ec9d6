/**
 * The contract scenarios both chain suites run (embedded EDR and anvil as a real process): each builds a fresh
 * deployment with a test EOA wired as the dispute contract, then drives Staking, ModelRegistry and FeeEscrow
 * through viem and checks state, events and custom errors with their data.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { encodeFunctionData, keccak256, toFunctionSelector, parseEther, parseEventLogs, type Address, type Hex } from 'viem';
import { hashTypedData as ourHashTypedData } from '../wire/eip712.ts';
import { QUERY_TYPES, hyperspaceDomain } from '../wire/query-receipt.ts';
import { fromHex } from '../common/bytes.ts';
import { feeEscrowAbi, modelRegistryAbi, reentrancyAttackerAbi, reentrancyAttackerBytecode, stakingAbi } from './artifacts.ts';
import { connectChain, type ChainClients } from './clients.ts';
import { deployContracts, type DeployResult } from './deploy.ts';
import { decodeRevert } from './revert.ts';

const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/identity.json', import.meta.url), 'utf8')) as {
  keys: { name: string; secretKey: Hex; publicKey: Hex; staticBits: number }[];
  solutions: { static: { secretKey: Hex; publicKey: Hex; nodeAddress: Hex; staticBits: number } };
};

export const C1 = 8; // bits: the vector solution has 13, 'secret 2' has 5
export const DELAY = 3_600n; // s
export const WINDOW = 600n; // s
export const MIN_STAKE = parseEther('1');

export interface Env {
  clients: ChainClients;
  deployment: DeployResult;
  rpcUrl: string;
  deployer: ReturnType<ChainClients['wallet']>;
  dispute: ReturnType<ChainClients['wallet']>;
  other: ReturnType<ChainClients['wallet']>;
  operator: ReturnType<ChainClients['wallet']>;
  operatorPublicKey: Hex; // 64 bytes X‖Y
  weak: ReturnType<ChainClients['wallet']>;
  weakPublicKey: Hex;
}

export async function expectRevert(promise: Promise<unknown>, errorName: string, args?: readonly unknown[]): Promise<readonly unknown[]> {
  try {
    await promise;
  } catch (error) {
    const decoded = decodeRevert(error);
    assert.ok(decoded, `expected revert ${errorName}, got ${(error as Error).message.slice(0, 300)}`);
    assert.equal(decoded.errorName, errorName);
    if (args) assert.deepEqual(decoded.args, args);
    return decoded.args;
  }
  assert.fail(`expected revert ${errorName}, but the call succeeded`);
}

/** Connects, funds the test identities and deploys with dev account 2 as the dispute contract. */
export async function setup(rpcUrl: string, devKeys: Hex[]): Promise<Env> {
  const clients = await connectChain(rpcUrl);
  const deployer = clients.wallet(devKeys[0]!);
  const other = clients.wallet(devKeys[1]!);
  const dispute = clients.wallet(devKeys[2]!);
  const strong = vectors.solutions.static;
  const weakKey = vectors.keys.find((k) => k.name === 'secret 2')!;
  const operator = clients.wallet(strong.secretKey);
  const weak = clients.wallet(weakKey.secretKey);
  for (const w of [operator, weak]) {
    const hash = await deployer.sendTransaction({ to: w.account.address, value: parseEther('100') });
    await clients.publicClient.waitForTransactionReceipt({ hash });
  }
  const deployment = await deployContracts(
    { publicClient: clients.publicClient, wallet: deployer },
    { staticDifficulty: C1, withdrawalDelay: DELAY, minimumStake: MIN_STAKE, bondChallengeWindow: WINDOW, dispute: dispute.account.address },
  );
  return {
    clients, deployment, rpcUrl, deployer, dispute, other, operator, weak,
    operatorPublicKey: `0x${strong.publicKey.slice(4)}`,
    weakPublicKey: `0x${weakKey.publicKey.slice(4)}`,
  };
}

async function mined(env: Env, hash: Hex) {
  const receipt = await env.clients.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success');
  return receipt;
}

async function increaseTime(env: Env, seconds: bigint): Promise<void> {
  await env.clients.publicClient.request({ method: 'evm_increaseTime' as never, params: [Number(seconds)] as never });
  await env.clients.publicClient.request({ method: 'evm_mine' as never, params: [] as never });
}

export type Scenario = { name: string; run: (env: Env) => Promise<void> };

export const gasSeen: Record<string, bigint> = {};

async function register(env: Env): Promise<void> {
  const { staking } = env.deployment.contracts;
  const receipt = await mined(env, await env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'registerOperator', args: [env.operatorPublicKey], value: parseEther('5') }));
  gasSeen.registerOperator = receipt.gasUsed;
}

export const CORE_SCENARIOS: Scenario[] = [
  {
    name: 'registerOperator checks the static puzzle and the public key on chain, with errors carrying data',
    async run(env) {
      const { staking } = env.deployment.contracts;
      const weakArgs = await expectRevert(
        env.weak.writeContract({ address: staking, abi: stakingAbi, functionName: 'registerOperator', args: [env.weakPublicKey] }),
        'PuzzleTooWeak',
      );
      assert.equal(weakArgs[0], keccak256(env.weakPublicKey));
      assert.deepEqual(weakArgs.slice(1), [BigInt(C1), 5n]);
      await expectRevert(
        env.other.writeContract({ address: staking, abi: stakingAbi, functionName: 'registerOperator', args: [env.operatorPublicKey] }),
        'PublicKeyNotSender',
        [env.operator.account.address, env.other.account.address],
      );
      await expectRevert(
        env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'registerOperator', args: [`0x04${env.operatorPublicKey.slice(2)}`] }),
        'InvalidPublicKeyLength',
        [65n],
      );
      const receipt = await mined(env, await env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'registerOperator', args: [env.operatorPublicKey], value: parseEther('5') }));
      gasSeen.registerOperator = receipt.gasUsed;
      const events = parseEventLogs({ abi: stakingAbi, logs: receipt.logs });
      assert.deepEqual(events.map((e) => e.eventName), ['OperatorRegistered', 'Staked']);
      const reg = events[0]!;
      assert.equal(reg.eventName === 'OperatorRegistered' && reg.args.puzzleBits, BigInt(vectors.solutions.static.staticBits));
      const op = await env.clients.publicClient.readContract({ address: staking, abi: stakingAbi, functionName: 'getOperator', args: [env.operator.account.address] });
      assert.equal(op.registered, true);
      assert.equal(op.nodeAddress, vectors.solutions.static.nodeAddress);
      assert.equal(op.stake, parseEther('5'));
      assert.equal(await env.clients.publicClient.readContract({ address: staking, abi: stakingAbi, functionName: 'isActiveOperator', args: [env.operator.account.address] }), true);
      await expectRevert(
        env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'registerOperator', args: [env.operatorPublicKey] }),
        'AlreadyRegistered',
        [env.operator.account.address],
      );
    },
  },
  {
    name: 'a withdrawal waits the delay and is refused while a dispute locks the operator',
    async run(env) {
      const { staking } = env.deployment.contracts;
      const pc = env.clients.publicClient;
      const me = env.operator.account.address;
      await register(env);
      gasSeen.stake = (await mined(env, await env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'stake', value: parseEther('1') }))).gasUsed;
      await expectRevert(env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'queueWithdrawal', args: [parseEther('7')] }), 'InsufficientStake', [me, parseEther('6'), parseEther('7')]);
      gasSeen.queueWithdrawal = (await mined(env, await env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'queueWithdrawal', args: [parseEther('2')] }))).gasUsed;
      const early = await expectRevert(env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'completeWithdrawal' }), 'WithdrawalNotReady');
      assert.equal(early[0], me);
      await increaseTime(env, DELAY + 1n);
      const disputeId = keccak256('0x01');
      await expectRevert(env.other.writeContract({ address: staking, abi: stakingAbi, functionName: 'lock', args: [me, disputeId, 0n] }), 'NotDisputeContract', [env.other.account.address]);
      // a reservation (a challenger's stake for its game) cannot exceed the free stake: 4 active + 2 queued = 6 ETH
      await expectRevert(env.dispute.writeContract({ address: staking, abi: stakingAbi, functionName: 'lock', args: [me, disputeId, parseEther('7')] }), 'InsufficientStake', [me, parseEther('6'), parseEther('7')]);
      gasSeen.lock = (await mined(env, await env.dispute.writeContract({ address: staking, abi: stakingAbi, functionName: 'lock', args: [me, disputeId, parseEther('5')] }))).gasUsed;
      assert.equal(await pc.readContract({ address: staking, abi: stakingAbi, functionName: 'reservedStake', args: [me] }), parseEther('5'));
      assert.equal(await pc.readContract({ address: staking, abi: stakingAbi, functionName: 'freeStake', args: [me] }), parseEther('1'));
      await expectRevert(env.dispute.writeContract({ address: staking, abi: stakingAbi, functionName: 'lock', args: [me, keccak256('0x09'), parseEther('2')] }), 'InsufficientStake', [me, parseEther('1'), parseEther('2')]);
      await expectRevert(env.dispute.writeContract({ address: staking, abi: stakingAbi, functionName: 'lock', args: [me, disputeId, 0n] }), 'AlreadyLocked', [me, disputeId]);
      await expectRevert(env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'completeWithdrawal' }), 'OperatorLocked', [me, 1n]);
      await expectRevert(env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'deregisterOperator' }), 'OperatorLocked', [me, 1n]);
      gasSeen.unlock = (await mined(env, await env.dispute.writeContract({ address: staking, abi: stakingAbi, functionName: 'unlock', args: [me, disputeId] }))).gasUsed;
      assert.equal(await pc.readContract({ address: staking, abi: stakingAbi, functionName: 'reservedStake', args: [me] }), 0n, 'unlock releases the reservation');
      const before = await pc.getBalance({ address: me });
      const receipt = await mined(env, await env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'completeWithdrawal' }));
      gasSeen.completeWithdrawal = receipt.gasUsed;
      const after = await pc.getBalance({ address: me });
      assert.equal(after - before + receipt.gasUsed * receipt.effectiveGasPrice, parseEther('2'));
      const op = await pc.readContract({ address: staking, abi: stakingAbi, functionName: 'getOperator', args: [me] });
      assert.equal(op.stake, parseEther('4'));
      assert.equal(op.queued, 0n);
      await expectRevert(env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'completeWithdrawal' }), 'NoWithdrawalQueued', [me]);
    },
  },
  {
    name: 'only the dispute contract slashes, queued stake is slashable, and a dispute cannot slash twice',
    async run(env) {
      const { staking } = env.deployment.contracts;
      const pc = env.clients.publicClient;
      const me = env.operator.account.address;
      await register(env); // 5 ETH
      await mined(env, await env.operator.writeContract({ address: staking, abi: stakingAbi, functionName: 'queueWithdrawal', args: [parseEther('3')] }));
      const disputeId = keccak256('0x02');
      const winner = env.other.account.address;
      const claimant = env.deployer.account.address;
      const args = [me, disputeId, parseEther('4'), [winner, claimant], [5_000, 2_500]] as const;
      await expectRevert(env.other.writeContract({ address: staking, abi: stakingAbi, functionName: 'slash', args }), 'NotDisputeContract', [winner]);
      await expectRevert(
        env.dispute.writeContract({ address: staking, abi: stakingAbi, functionName: 'slash', args: [me, disputeId, 1n, [winner], [6_000, 5_000]] }),
        'InvalidSlashSplit',
        [1n, 2n, 11_000n],
      );
      await mined(env, await env.dispute.writeContract({ address: staking, abi: stakingAbi, functionName: 'lock', args: [me, disputeId, parseEther('1')] }));
      const receipt = await mined(env, await env.dispute.writeContract({ address: staking, abi: stakingAbi, functionName: 'slash', args }));
      assert.equal(await pc.readContract({ address: staking, abi: stakingAbi, functionName: 'reservedStake', args: [me] }), 0n, 'slash releases the reservation');
      gasSeen.slash = receipt.gasUsed;
      const names = parseEventLogs({ abi: stakingAbi, logs: receipt.logs }).map((e) => e.eventName);
      assert.deepEqual(names, ['SlashRewardCredited', 'SlashRewardCredited', 'OperatorSlashed', 'OperatorUnlocked']);
      const op = await pc.readContract({ address: staking, abi: stakingAbi, functionName: 'getOperator', args: [me] });
      assert.equal(op.stake, 0n); // 2 active taken first
      assert.equal(op.queued, parseEther('1')); // then 2 of the 3 queued
      assert.equal(op.activeLocks, 0);
      assert.equal(await pc.readContract({ address: staking, abi: stakingAbi, functionName: 'claimable', args: [winner] }), parseEther('2'));
      assert.equal(await pc.readContract({ address: staking, abi: stakingAbi, functionName: 'claimable', args: [claimant] }), parseEther('1'));
      assert.equal(await pc.readContract({ address: staking, abi: stakingAbi, functionName: 'totalBurned' }), parseEther('1'));
      await expectRevert(env.dispute.writeContract({ address: staking, abi: stakingAbi, functionName: 'slash', args }), 'AlreadySlashed', [me, disputeId]);
      const before = await pc.getBalance({ address: winner });
      const claim = await mined(env, await env.other.writeContract({ address: staking, abi: stakingAbi, functionName: 'claim' }));
      gasSeen.claim = claim.gasUsed;
      assert.equal((await pc.getBalance({ address: winner })) - before + claim.gasUsed * claim.effectiveGasPrice, parseEther('2'));
      await expectRevert(env.other.writeContract({ address: staking, abi: stakingAbi, functionName: 'claim' }), 'NothingToClaim', [winner]);
    },
  },
  {
    name: 'FeeEscrow: escrow a query under its EIP-712 hash, settle to nodes with the rest refunded, refund after the deadline',
    async run(env) {
      const { feeEscrow } = env.deployment.contracts;
      const pc = env.clients.publicClient;
      const client = env.other;
      const hcs = env.deployer.account.address;
      const nodeA = env.operator.account.address;
      const nodeB = env.weak.account.address;
      const now = (await pc.getBlock()).timestamp;
      const query = {
        client: client.account.address,
        modelHash: keccak256('0xaa'),
        promptHash: keccak256('0xbb'),
        paramsHash: keccak256('0xcc'),
        maxFee: parseEther('0.3'),
        nonce: 1n,
        deadline: now + 1_000n,
      };
      const onChain = await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'hashQuery', args: [query] });
      const ours = ourHashTypedData(hyperspaceDomain(BigInt(env.clients.chain.id), fromHex(feeEscrow)), QUERY_TYPES, 'Query', { ...query, client: fromHex(query.client), modelHash: fromHex(query.modelHash), promptHash: fromHex(query.promptHash), paramsHash: fromHex(query.paramsHash) });
      assert.equal(onChain, `0x${Buffer.from(ours).toString('hex')}`);
      gasSeen.deposit = (await mined(env, await client.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'deposit', value: parseEther('0.1') }))).gasUsed;
      await expectRevert(env.deployer.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'escrowQuery', args: [query, hcs] }), 'NotQueryClient', [hcs, query.client]);
      await expectRevert(client.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'escrowQuery', args: [query, hcs] }), 'InsufficientBalance', [query.client, parseEther('0.1'), parseEther('0.3')]);
      gasSeen.escrowQuery = (await mined(env, await client.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'escrowQuery', args: [query, hcs], value: parseEther('0.25') }))).gasUsed;
      assert.equal(await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'balanceOf', args: [query.client] }), parseEther('0.05'));
      await expectRevert(client.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'escrowQuery', args: [query, hcs] }), 'QueryAlreadyEscrowed', [onChain]);
      await expectRevert(env.weak.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'settleQuery', args: [onChain, [nodeA], [1n]] }), 'NotSettler', [onChain, nodeB]);
      await expectRevert(env.deployer.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'settleQuery', args: [onChain, [nodeA, nodeB], [parseEther('0.2'), parseEther('0.2')]] }), 'PayoutTooLarge', [onChain, parseEther('0.4'), parseEther('0.3')]);
      await expectRevert(env.deployer.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'refundQuery', args: [onChain] }), 'QueryNotExpired');
      const settle = await mined(env, await env.deployer.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'settleQuery', args: [onChain, [nodeA, nodeB], [parseEther('0.1'), parseEther('0.1')]] }));
      gasSeen.settleQuery2 = settle.gasUsed;
      assert.deepEqual(parseEventLogs({ abi: feeEscrowAbi, logs: settle.logs }).map((e) => e.eventName), ['Deposited', 'QueryFeePaid', 'Deposited', 'QueryFeePaid', 'Deposited', 'QuerySettled']);
      for (const [who, amount] of [[nodeA, parseEther('0.1')], [nodeB, parseEther('0.1')], [query.client, parseEther('0.15')]] as const) {
        assert.equal(await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'balanceOf', args: [who] }), amount);
      }
      await expectRevert(env.deployer.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'settleQuery', args: [onChain, [], []] }), 'QueryNotEscrowed', [onChain, 2]);
      // a second query expires unsettled and is refunded by anyone
      const q2 = { ...query, nonce: 2n, maxFee: parseEther('0.15') };
      const h2 = await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'hashQuery', args: [q2] });
      assert.notEqual(h2, onChain);
      await mined(env, await client.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'escrowQuery', args: [q2, hcs] }));
      await increaseTime(env, 1_001n);
      gasSeen.refundQuery = (await mined(env, await env.weak.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'refundQuery', args: [h2] }))).gasUsed;
      assert.equal(await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'balanceOf', args: [query.client] }), parseEther('0.15'));
      const q3 = { ...query, nonce: 3n };
      const stale = await expectRevert(client.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'escrowQuery', args: [q3, hcs] }), 'QueryExpired');
      assert.equal(stale[1], q3.deadline);
      const before = await pc.getBalance({ address: nodeA });
      const w = await mined(env, await env.operator.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'withdraw', args: [parseEther('0.1')] }));
      gasSeen.withdraw = w.gasUsed;
      assert.equal((await pc.getBalance({ address: nodeA })) - before + w.gasUsed * w.effectiveGasPrice, parseEther('0.1'));
    },
  },
  {
    name: 'FeeEscrow: a fortification bond is released after the window or forfeited to a challenger by the dispute contract only',
    async run(env) {
      const { feeEscrow } = env.deployment.contracts;
      const pc = env.clients.publicClient;
      const node = env.operator;
      const hcs = env.deployer.account.address;
      const challenger = env.other.account.address;
      const post = async (challengeId: Hex) => {
        const r = await mined(env, await node.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'postBond', args: [hcs, challengeId, keccak256('0x1234')], value: parseEther('0.5') }));
        gasSeen.postBond = r.gasUsed;
        return pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'bondIdOf', args: [node.account.address, hcs, challengeId] });
      };
      const b1 = await post(keccak256('0x01'));
      const b2 = await post(keccak256('0x02'));
      await expectRevert(node.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'postBond', args: [hcs, keccak256('0x01'), keccak256('0x1234')], value: 1n }), 'BondAlreadyExists', [b1]);
      await expectRevert(env.other.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'releaseBond', args: [b1] }), 'BondWindowOpen');
      const disputeId = keccak256('0x03');
      await expectRevert(env.other.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'forfeitBond', args: [b1, disputeId, challenger] }), 'NotDisputeContract', [challenger]);
      gasSeen.holdBond = (await mined(env, await env.dispute.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'holdBond', args: [b1, disputeId] }))).gasUsed;
      // a second game over the same receipt holds it too; one failing drops only its own hold
      await mined(env, await env.dispute.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'holdBond', args: [b1, keccak256('0x04')] }));
      await mined(env, await env.dispute.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'returnBond', args: [b1] }));
      assert.deepEqual([(await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'getBond', args: [b1] })).status, (await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'getBond', args: [b1] })).holds], [2, 1]);
      await increaseTime(env, WINDOW + 1n);
      await expectRevert(env.other.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'releaseBond', args: [b1] }), 'BondNotActive', [b1, 2]);
      gasSeen.forfeitBond = (await mined(env, await env.dispute.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'forfeitBond', args: [b1, disputeId, challenger] }))).gasUsed;
      assert.equal(await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'balanceOf', args: [challenger] }), parseEther('0.5'));
      // a later settlement of another holder finds it forfeited: a no-op, never a revert that would block settlement
      await mined(env, await env.dispute.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'forfeitBond', args: [b1, disputeId, challenger] }));
      await mined(env, await env.dispute.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'returnBond', args: [b1] }));
      assert.equal(await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'balanceOf', args: [challenger] }), parseEther('0.5'), 'paid once');
      gasSeen.releaseBond = (await mined(env, await env.other.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'releaseBond', args: [b2] }))).gasUsed;
      assert.equal(await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'balanceOf', args: [node.account.address] }), parseEther('0.5'));
      const bond = await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'getBond', args: [b2] });
      assert.equal(bond.status, 3);
      assert.equal(bond.amount, 0n);
    },
  },
  {
    name: 'reentrancy: an attacker re-entering FeeEscrow.withdraw and Staking.claim from receive() is refused and gets paid once',
    async run(env) {
      const { feeEscrow, staking } = env.deployment.contracts;
      const pc = env.clients.publicClient;
      const deployTx = await env.other.deployContract({ abi: reentrancyAttackerAbi, bytecode: reentrancyAttackerBytecode });
      const attacker = (await mined(env, deployTx)).contractAddress as Address;
      const call = (data: Hex, value = 0n) => env.other.writeContract({ address: attacker, abi: reentrancyAttackerAbi, functionName: 'execute', args: [data], value });
      const withdrawData = encodeFunctionData({ abi: feeEscrowAbi, functionName: 'withdraw', args: [parseEther('1')] });
      await mined(env, await env.other.writeContract({ address: attacker, abi: reentrancyAttackerAbi, functionName: 'setTarget', args: [feeEscrow, withdrawData] }));
      await mined(env, await call(encodeFunctionData({ abi: feeEscrowAbi, functionName: 'deposit' }), parseEther('2')));
      await mined(env, await call(withdrawData));
      const read = <F extends 'reentrySucceeded' | 'reentryReturnData' | 'received'>(functionName: F) =>
        pc.readContract({ address: attacker, abi: reentrancyAttackerAbi, functionName } as never) as Promise<F extends 'reentrySucceeded' ? boolean : F extends 'received' ? bigint : Hex>;
      assert.equal(await read('reentrySucceeded'), false);
      assert.equal(await read('reentryReturnData'), toFunctionSelector('Reentrancy()'));
      assert.equal(await read('received'), parseEther('1'));
      assert.equal(await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'balanceOf', args: [attacker] }), parseEther('1'));
      // Staking: the attacker is credited a slash reward, then claims and re-enters claim
      await register(env);
      await mined(env, await env.dispute.writeContract({ address: staking, abi: stakingAbi, functionName: 'slash', args: [env.operator.account.address, keccak256('0x04'), parseEther('1'), [attacker], [10_000]] }));
      const claimData = encodeFunctionData({ abi: stakingAbi, functionName: 'claim' });
      await mined(env, await env.other.writeContract({ address: attacker, abi: reentrancyAttackerAbi, functionName: 'setTarget', args: [staking, claimData] }));
      await mined(env, await call(claimData));
      assert.equal(await read('reentrySucceeded'), false);
      assert.equal(await read('received'), parseEther('2'));
      assert.equal(await pc.getBalance({ address: staking }), parseEther('4'));
    },
  },
  {
    name: 'ModelRegistry records hash, arity, URI, registrant and time; a hash registers once',
    async run(env) {
      const { modelRegistry } = env.deployment.contracts;
      const pc = env.clients.publicClient;
      const h = keccak256('0xdeadbeef');
      await expectRevert(pc.readContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: 'getModel', args: [h] }), 'ModelNotRegistered', [h]);
      await expectRevert(env.other.writeContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: 'register', args: [h, 1, ''] }), 'InvalidTraceArity', [1n]);
      await expectRevert(env.other.writeContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: 'register', args: [h, 16, 'x'.repeat(513)] }), 'MetadataURITooLong', [513n, 512n]);
      const r = await mined(env, await env.other.writeContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: 'register', args: [h, 16, 'ipfs://model'] }));
      gasSeen.registerModel = r.gasUsed;
      const block = await pc.getBlock({ blockNumber: r.blockNumber });
      const m = await pc.readContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: 'getModel', args: [h] });
      assert.deepEqual(m, { registrant: env.other.account.address, registeredAt: block.timestamp, traceArity: 16, metadataURI: 'ipfs://model' });
      assert.equal(await pc.readContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: 'modelAt', args: [0n] }), h);
      await expectRevert(env.deployer.writeContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: 'register', args: [h, 4, ''] }), 'ModelAlreadyRegistered', [h, env.other.account.address]);
    },
  },
  {
    name: 'the dispute address is settable once, by the owner only',
    async run(env) {
      const pc = env.clients.publicClient;
      const dev = env.dispute.account.address;
      // a deployment without a dispute contract
      const bare = await deployContracts({ publicClient: pc, wallet: env.deployer }, { staticDifficulty: C1, skipDispute: true });
      const { staking, feeEscrow } = bare.contracts;
      assert.equal(await pc.readContract({ address: staking, abi: stakingAbi, functionName: 'disputeContract' }), '0x0000000000000000000000000000000000000000');
      await expectRevert(env.other.writeContract({ address: staking, abi: stakingAbi, functionName: 'setDisputeContract', args: [dev] }), 'NotOwner', [env.other.account.address]);
      await mined(env, await env.deployer.writeContract({ address: staking, abi: stakingAbi, functionName: 'setDisputeContract', args: [dev] }));
      await expectRevert(env.deployer.writeContract({ address: staking, abi: stakingAbi, functionName: 'setDisputeContract', args: [env.other.account.address] }), 'DisputeContractAlreadySet', [dev]);
      await expectRevert(env.deployer.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'setDisputeContract', args: ['0x0000000000000000000000000000000000000000'] }), 'ZeroAddress', []);
      await mined(env, await env.deployer.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'setDisputeContract', args: [dev] }));
      assert.equal(await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'disputeContract' }), dev);
    },
  },
];
