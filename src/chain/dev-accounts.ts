/**
 * The development accounts of the local chains (DESIGN.md §2): the well-known mnemonic that anvil and Hardhat
 * use by default, so the embedded chain and anvil fund the very same addresses and a test written for one runs
 * on the other. These keys are public knowledge: never use them on a real network.
 */
import { pbkdf2Sync } from 'node:crypto';
import { HDKey, privateKeyToAccount } from 'viem/accounts';
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
let parent: HDKey | undefined;

/**
 * m/44'/60'/0'/0 of DEV_MNEMONIC, derived once per process: the BIP-39 seed is PBKDF2-HMAC-SHA512 over 2,048
 * rounds (native here), and viem's mnemonicToAccount redid it in JavaScript for every account: 56 accounts (the
 * largest test chain) took 1.2 s of CPU that way, 0.08 s this way.
 */
function devParent(): HDKey {
  parent ??= HDKey.fromMasterSeed(pbkdf2Sync(DEV_MNEMONIC.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512')).derive("m/44'/60'/0'/0");
  return parent;
}

/** Account `index` of m/44'/60'/0'/0/index of DEV_MNEMONIC. */
export function devAccount(index: number): DevAccount {
  let account = cache.get(index);
  if (!account) {
    const key = devParent().deriveChild(index).privateKey;
    if (!key) throw new Error('unreachable: HD key without private key');
    const privateKey = toHex(key);
    account = { address: privateKeyToAccount(privateKey).address, privateKey };
    cache.set(index, account);
  }
  return account;
}

export function devAccounts(count = DEFAULTS.count): DevAccount[] {
  return Array.from({ length: count }, (_, i) => devAccount(i));
}
