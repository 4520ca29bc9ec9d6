/**
 * Bindings for contracts/CommitteeRegistry.sol (whitepaper §2.2.1; docs/threshold.md §4): deploy it, create a
 * committee, register a DKG's group key, read a registered key back, and check a certificate on chain.
 */
import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem';
import { BaseError } from '../common/errors.ts';
import { fromHex, toHex } from '../common/bytes.ts';
import { committeeRegistryAbi, committeeRegistryBytecode } from './artifacts.ts';
import type { GroupKeyInfo } from '../crypto/certificate.ts';

type Clients = { publicClient: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> };

export class CommitteeRegistryError extends BaseError<{ step: string; txHash?: string }> {
  constructor(step: string, txHash?: Hex, cause?: unknown) {
    super('COMMITTEE_REGISTRY', `committee registry: ${step} failed`, { cause, details: txHash ? { step, txHash } : { step } });
  }
}

async function confirm(publicClient: PublicClient<Transport, Chain>, step: string, hash: Hex) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new CommitteeRegistryError(step, hash);
  return receipt;
}

export async function deployCommitteeRegistry({ publicClient, wallet }: Clients): Promise<{ address: Address; gas: bigint }> {
  const receipt = await confirm(publicClient, 'deploy', await wallet.deployContract({ abi: committeeRegistryAbi, bytecode: committeeRegistryBytecode }));
  if (!receipt.contractAddress) throw new CommitteeRegistryError('deploy', receipt.transactionHash);
  return { address: receipt.contractAddress, gas: receipt.gasUsed };
}

/** Creates the caller's committee keccak256(abi.encode(caller, label)); returns its id. */
export async function createCommittee({ publicClient, wallet }: Clients, registry: Address, label: Hex): Promise<Hex> {
  const { result, request } = await publicClient.simulateContract({ account: wallet.account, address: registry, abi: committeeRegistryAbi, functionName: 'createCommittee', args: [label] });
  await confirm(publicClient, 'createCommittee', await wallet.writeContract(request));
  return result;
}

/** Registers a group key (256-byte EIP-2537 G2) under the committee's next key id; returns the key id and gas. */
export async function registerGroupKey(
  { publicClient, wallet }: Clients,
  registry: Address,
  committeeId: Hex,
  key: { groupKey: Uint8Array; threshold: number; size: number },
): Promise<{ keyId: number; gas: bigint }> {
  const { result, request } = await publicClient.simulateContract({
    account: wallet.account,
    address: registry,
    abi: committeeRegistryAbi,
    functionName: 'registerGroupKey',
    args: [committeeId, toHex(key.groupKey), key.threshold, key.size],
  });
  const receipt = await confirm(publicClient, 'registerGroupKey', await wallet.writeContract(request));
  return { keyId: result, gas: receipt.gasUsed };
}

/** The registered key for (committeeId, keyId); reverts UnknownGroupKey (a viem ContractFunctionExecutionError) when absent. */
export async function readGroupKey(publicClient: PublicClient<Transport, Chain>, registry: Address, committeeId: Hex, keyId: number): Promise<GroupKeyInfo & { groupKey: Uint8Array }> {
  const [groupKey, threshold, size] = await publicClient.readContract({ address: registry, abi: committeeRegistryAbi, functionName: 'groupKeyOf', args: [committeeId, keyId] });
  return { groupKey: fromHex(groupKey), threshold, size };
}

/** eth_call of verifyCertificate: true / false, or a revert with the contract's typed error. */
export async function verifyCertificateOnChain(publicClient: PublicClient<Transport, Chain>, registry: Address, certificate: Uint8Array, groupKey: Uint8Array): Promise<boolean> {
  return publicClient.readContract({ address: registry, abi: committeeRegistryAbi, functionName: 'verifyCertificate', args: [toHex(certificate), toHex(groupKey)] });
}
