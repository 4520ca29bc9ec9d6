/**
 * The development accounts of the local chains (DESIGN.md §2): the well-known mnemonic that anvil and Hardhat
 * use by default, so the embedded chain and anvil fund the very same addresses and a test written for one runs
 * on the other. These keys are public knowledge: never use them on a real network.
 */
import { mnemonicToAccount } from 'viem/accounts';
import { toHex } from 'viem';

export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export interface DevAccountsOptions {
  /** How many accounts (anvil's default is 10). */
  count: number;
  /** Genesis balance of each, in wei: 10,000 ETH, anvil's default. */
  balance: bigint;
}

export const DEFAULTS: DevAccountsOptions = {
  count: 10, // anvil's default account count
  balance: 10_000n * 10n ** 18n, // 10,000 ETH: anvil's default genesis balance
};

export interface DevAccount {
  address: `0x${string}`;
  privateKey: `0x${string}`;
}

const cache = new Map<number, DevAccount>();

/** Account `index` of m/44'/60'/0'/0/index of DEV_MNEMONIC. */
export function devAccount(index: number): DevAccount {
  let account = cache.get(index);
  if (!account) {
    const hd = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
    const key = hd.getHdKey().privateKey;
    if (!key) throw new Error('unreachable: HD key without private key');
    account = { address: hd.address, privateKey: toHex(key) };
    cache.set(index, account);
  }
  return account;
}

export function devAccounts(count = DEFAULTS.count): DevAccount[] {
  return Array.from({ length: count }, (_, i) => devAccount(i));
}
