/**
 * The dev accounts are anvil's and Hardhat's (the public mnemonic's m/44'/60'/0'/0/i), derived from one seed per
 * process: anvil's published keys, and viem's own mnemonic derivation, agree with ours.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mnemonicToAccount } from 'viem/accounts';
import { toHex } from 'viem';
import { DEV_MNEMONIC, devAccount, devAccounts } from './dev-accounts.ts';

test('accounts 0 and 9 are the keys anvil prints at start', () => {
  assert.deepEqual(devAccount(0), {
    address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  });
  assert.deepEqual(devAccount(9), {
    address: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
    privateKey: '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
  });
});

test('every account equals viem\'s mnemonicToAccount at the same index, and devAccounts(n) lists them in order', () => {
  const listed = devAccounts(12);
  assert.equal(listed.length, 12);
  for (const i of [0, 1, 5, 11, 55]) {
    const hd = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i });
    assert.deepEqual(devAccount(i), { address: hd.address, privateKey: toHex(hd.getHdKey().privateKey!) }, `index ${i}`);
    if (i < 12) assert.deepEqual(listed[i], devAccount(i));
  }
  assert.equal(new Set(listed.map((a) => a.address)).size, 12);
});
