/**
 * Deploys the Hyperspace contracts in dependency order (DESIGN.md §1.8, §2) and wires them:
 *
 *   ModelRegistry → Staking(c1, withdrawalDelay, minimumStake, dispute) → FeeEscrow(bondChallengeWindow, dispute)
 *   → the dispute contracts, when `src/chain/dispute-deploy.ts` exists (owned by the dispute engine), which
 *     receive the three addresses; the deployer then calls setDisputeContract (once) on Staking and FeeEscrow
 *   → CommitteeRegistry (threshold committees' group keys, certificates; no wiring).
 *
 * `options.dispute` short-cuts the last step with a fixed address (tests use an EOA to play the dispute contract).
 */
import { existsSync } from 'node:fs';
import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem';
import { BaseError } from '../common/errors.ts';
import { committeeRegistryAbi, committeeRegistryBytecode, feeEscrowAbi, feeEscrowBytecode, modelRegistryAbi, modelRegistryBytecode, stakingAbi, stakingBytecode } from './artifacts.ts';

export interface DeployOptions {
  /** c1: static puzzle bits an operator's NodeAddress needs (docs/identity.md: 16 on the network). */
  staticDifficulty: number;
  /** Seconds a queued withdrawal waits. */
  withdrawalDelay: bigint;
  /** Wei an operator needs to count as active. */
  minimumStake: bigint;
  /** Seconds a verify-inference bond stays forfeitable. */
  bondChallengeWindow: bigint;
  /** Address to wire as the dispute contract instead of deploying one (tests: an EOA). */
  dispute?: Address;
  /** Skip the dispute contracts even when their deployer exists. */
  skipDispute?: boolean;
  /** Options passed to the dispute deployer (src/chain/dispute-deploy.ts DisputeDeployOptions), e.g. `logArity`. */
  disputeOptions?: Record<string, unknown>;
}

export const DEFAULTS: DeployOptions = {
  staticDifficulty: 16, // bits; docs/identity.md: ~65k key generations, well under a second with the grinder
  withdrawalDelay: 7n * 24n * 3600n, // s; 7 days ≥ dispute window (1 d) + the longest game (≤ 4.3 d at k = 2), shorter than EigenLayer's 14
  minimumStake: 10n ** 18n, // wei; 1 ETH on the devnet, a placeholder until the economics issue sets it
  bondChallengeWindow: 2n * 24n * 3600n, // s; 2 days > the receipt dispute window (1 d): no release while a challenge can open
};

export interface DeployedContracts {
  modelRegistry: Address;
  staking: Address;
  feeEscrow: Address;
  /** The dispute contract wired into Staking and FeeEscrow, if any. */
  dispute?: Address;
  /** Further contracts the dispute deployer created (e.g. the one-step verifier). */
  [name: string]: Address | undefined;
}

export interface DeployResult {
  contracts: DeployedContracts;
  /** Gas used per deployment / wiring transaction. */
  gas: Record<string, bigint>;
  blockNumber: bigint;
}

/** The signature `src/chain/dispute-deploy.ts` exports as `deployDispute`. */
export type DisputeDeployer = (
  clients: { publicClient: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> },
  core: { modelRegistry: Address; staking: Address; feeEscrow: Address },
  options?: Record<string, unknown>,
) => Promise<{ dispute: Address; gas?: Record<string, bigint>; [name: string]: Address | Record<string, bigint> | undefined }>;

export class DeployError extends BaseError<{ step: string; txHash?: string }> {
  constructor(step: string, txHash?: Hex, cause?: unknown) {
    super('DEPLOY', `deployment failed at ${step}`, { cause, details: txHash ? { step, txHash } : { step } });
  }
}

async function loadDisputeDeployer(): Promise<DisputeDeployer | undefined> {
  // .ts in a source checkout, .js in the compiled package
  const url = [new URL('./dispute-deploy.ts', import.meta.url), new URL('./dispute-deploy.js', import.meta.url)].find((u) => existsSync(u));
  if (!url) return undefined;
  const mod = (await import(url.href)) as { deployDispute?: DisputeDeployer };
  return mod.deployDispute;
}

export async function deployContracts(
  clients: { publicClient: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> },
  options: Partial<DeployOptions> = {},
): Promise<DeployResult> {
  const opts = { ...DEFAULTS, ...options };
  const { publicClient, wallet } = clients;
  const gas: Record<string, bigint> = {};

  const confirm = async (step: string, hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new DeployError(step, hash);
    gas[step] = receipt.gasUsed;
    return receipt;
  };
  const deploy = async (step: string, hash: Hex): Promise<Address> => {
    const receipt = await confirm(step, hash);
    if (!receipt.contractAddress) throw new DeployError(step, hash);
    return receipt.contractAddress;
  };

  const modelRegistry = await deploy('ModelRegistry', await wallet.deployContract({ abi: modelRegistryAbi, bytecode: modelRegistryBytecode }));
  const preset = opts.dispute ?? '0x0000000000000000000000000000000000000000';
  const staking = await deploy(
    'Staking',
    await wallet.deployContract({
      abi: stakingAbi,
      bytecode: stakingBytecode,
      args: [BigInt(opts.staticDifficulty), opts.withdrawalDelay, opts.minimumStake, preset],
    }),
  );
  const feeEscrow = await deploy(
    'FeeEscrow',
    await wallet.deployContract({ abi: feeEscrowAbi, bytecode: feeEscrowBytecode, args: [opts.bondChallengeWindow, preset] }),
  );
  const contracts: DeployedContracts = { modelRegistry, staking, feeEscrow };
  if (opts.dispute) contracts.dispute = opts.dispute;

  if (!opts.dispute && !opts.skipDispute) {
    const deployer = await loadDisputeDeployer();
    if (deployer) {
      const out = await deployer(clients, { modelRegistry, staking, feeEscrow }, opts.disputeOptions);
      for (const [name, value] of Object.entries(out)) {
        if (name === 'gas') Object.assign(gas, value);
        else if (typeof value === 'string') contracts[name] = value as Address;
      }
      const dispute = out.dispute;
      await confirm('Staking.setDisputeContract', await wallet.writeContract({ address: staking, abi: stakingAbi, functionName: 'setDisputeContract', args: [dispute] }));
      await confirm('FeeEscrow.setDisputeContract', await wallet.writeContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'setDisputeContract', args: [dispute] }));
    }
  }
  // Last, so the addresses above do not move: the threshold committees' keys and the certificate check (docs/threshold.md §4).
  contracts.committeeRegistry = await deploy('CommitteeRegistry', await wallet.deployContract({ abi: committeeRegistryAbi, bytecode: committeeRegistryBytecode }));
  return { contracts, gas, blockNumber: await publicClient.getBlockNumber() };
}
