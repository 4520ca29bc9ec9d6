/**
 * The account that deploys the contracts for `hyperspace chain deploy|start` (docs/contracts.md): its key,
 * and a check before each of its transactions that it can pay for it, so an unfunded key fails with whose
 * balance is short and by how much instead of a node's "insufficient funds" wrapped in a request dump.
 */
import { encodeDeployData, formatEther, formatGwei, type Abi, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from 'viem';
import { BaseError } from '../common/errors.ts';
import * as artifacts from '../chain/artifacts.ts';
import { devAccount } from '../chain/dev-accounts.ts';
import { UsageError, type CliIo } from './io.ts';

export const DEPLOYER_KEY_ENV = 'HYPERSPACE_DEPLOYER_KEY';

/** The deployer's key: HYPERSPACE_DEPLOYER_KEY, or dev account 0 on the dev chain id 31337 only. */
export function deployerKey(io: CliIo, chainId: number): Hex {
  const fromEnv = io.env[DEPLOYER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^0x[0-9a-fA-F]{64}$/.test(fromEnv)) throw new UsageError(`${DEPLOYER_KEY_ENV} must be 0x followed by 64 hex digits`);
    return fromEnv as Hex;
  }
  if (chainId !== 31337) throw new UsageError(`set ${DEPLOYER_KEY_ENV}: dev account 0 is only used on chain id 31337 (this chain is ${chainId})`);
  return devAccount(0).privateKey;
}

/** The deployer cannot pay for the next transaction (gas × max fee per gas + value). */
export class DeployerFundsError extends BaseError<{ deployer: Address; step: string; balance: bigint; needed: bigint; gas: bigint; maxFeePerGas: bigint }> {
  constructor(details: { deployer: Address; step: string; balance: bigint; needed: bigint; gas: bigint; maxFeePerGas: bigint }) {
    const { deployer, step, balance, needed, gas, maxFeePerGas } = details;
    super(
      'DEPLOYER_UNFUNDED',
      `deployer ${deployer} has ${formatEther(balance)} ETH but ${step} needs up to ${formatEther(needed)} ETH ` +
        `(${gas} gas at ${formatGwei(maxFeePerGas)} gwei): short by ${formatEther(needed - balance)} ETH; ` +
        `fund it, or set ${DEPLOYER_KEY_ENV} to a funded key (later steps need more)`,
      { details },
    );
  }
}

/** The contract a creation bytecode belongs to (the generated artifacts' `<name>Bytecode` exports), for messages. */
function contractNameOf(bytecode: Hex): string {
  for (const [key, value] of Object.entries(artifacts)) {
    if (key.endsWith('Bytecode') && value === bytecode) return key.charAt(0).toUpperCase() + key.slice(1, -'Bytecode'.length);
  }
  return 'a contract';
}

type Wallet = WalletClient<Transport, Chain, Account>;
type DeployArgs = { abi: Abi; bytecode: Hex; args?: readonly unknown[]; value?: bigint };
type WriteArgs = { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint };

/**
 * `wallet` with `deployContract` and `writeContract` that first estimate the transaction's gas and the
 * chain's max fee per gas and refuse it, with a DeployerFundsError, when the balance cannot cover it.
 * Costs two or three extra RPC calls per transaction, which a one-off deployment can afford.
 */
export function fundsCheckedWallet(publicClient: PublicClient<Transport, Chain>, wallet: Wallet): Wallet {
  const account = wallet.account;
  const check = async (step: string, gasOf: () => Promise<bigint>, value = 0n): Promise<void> => {
    const balance = await publicClient.getBalance({ address: account.address });
    const fees = await publicClient.estimateFeesPerGas().catch(() => null);
    const maxFeePerGas = fees?.maxFeePerGas ?? (await publicClient.getGasPrice());
    const gas = await gasOf().catch(() => null); // a node may refuse to estimate for an empty account
    if (gas === null) {
      if (balance === 0n) throw new DeployerFundsError({ deployer: account.address, step, balance, needed: maxFeePerGas * 21_000n + value, gas: 21_000n, maxFeePerGas });
      return; // the estimate failed for another reason: let the transaction report it
    }
    const needed = gas * maxFeePerGas + value;
    if (balance < needed) throw new DeployerFundsError({ deployer: account.address, step, balance, needed, gas, maxFeePerGas });
  };
  const deployContract = (async (args: DeployArgs) => {
    const data = encodeDeployData({ abi: args.abi, bytecode: args.bytecode, args: args.args ?? [] } as Parameters<typeof encodeDeployData>[0]);
    await check(`deploying ${contractNameOf(args.bytecode)}`, () => publicClient.estimateGas({ account, data, value: args.value ?? 0n }), args.value);
    return wallet.deployContract(args as never);
  }) as Wallet['deployContract'];
  const writeContract = (async (args: WriteArgs) => {
    await check(`calling ${args.functionName}`, () => publicClient.estimateContractGas({ ...args, account } as never), args.value);
    return wallet.writeContract(args as never);
  }) as Wallet['writeContract'];
  return { ...wallet, deployContract, writeContract };
}
