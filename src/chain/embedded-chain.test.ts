/**
 * The embedded chain: EDR behind our JSON-RPC server runs Prague (the EIP-2537 BLS12-381 precompiles answer),
 * chain id 31337, the dev accounts funded, automine, and reverts in the geth shape viem decodes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseEther } from 'viem';
import { connectChain } from './clients.ts';
import { DEV_MNEMONIC, devAccount } from './dev-accounts.ts';
import { normaliseError, startEmbeddedChain, type EmbeddedChain } from './embedded-chain.ts';

describe('embedded chain (EDR in-process, our JSON-RPC over a loopback socket)', () => {
  let chain: EmbeddedChain;
  before(async () => {
    chain = await startEmbeddedChain();
  });
  after(() => chain.close());

  test('chain id 31337, dev accounts of the public mnemonic funded with 10,000 ETH', async () => {
    const { publicClient, chain: c } = await connectChain(chain.rpcUrl);
    assert.equal(c.id, 31337);
    assert.equal(DEV_MNEMONIC.split(' ').length, 12);
    assert.equal(devAccount(0).address, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'); // anvil's account 0
    for (const a of chain.accounts) assert.equal(await publicClient.getBalance({ address: a.address }), parseEther('10000'));
  });

  test('Prague: the EIP-2537 G1ADD precompile (0x0b) adds two points at infinity', async () => {
    const { publicClient } = await connectChain(chain.rpcUrl);
    const out = await publicClient.call({ to: '0x000000000000000000000000000000000000000b', data: `0x${'00'.repeat(256)}` });
    assert.equal(out.data, `0x${'00'.repeat(128)}`);
  });

  test('automine: a transfer is in a block at once; evm_increaseTime moves the next block time', async () => {
    const { publicClient, wallet } = await connectChain(chain.rpcUrl);
    const w = wallet(chain.accounts[0]!.privateKey);
    const before = await publicClient.getBlockNumber();
    const hash = await w.sendTransaction({ to: chain.accounts[1]!.address, value: 1n });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.blockNumber, before + 1n);
    const t0 = (await publicClient.getBlock()).timestamp;
    await publicClient.request({ method: 'evm_increaseTime' as never, params: [1_000] as never });
    await publicClient.request({ method: 'evm_mine' as never, params: [] as never });
    assert.ok((await publicClient.getBlock()).timestamp >= t0 + 1_000n);
  });

  test('EDR revert errors are rewritten to { code: 3, data: hex }; others pass unchanged', () => {
    const edr = { code: -32000, message: 'VM Exception', data: { reason: { Revert: '0xab' }, data: '0x245aecd3', transactionHash: null } };
    assert.deepEqual(normaliseError(edr), { code: 3, message: 'VM Exception', data: '0x245aecd3' });
    const other = { code: -32004, message: 'Method nope is not supported', data: { method: 'nope' } };
    assert.equal(normaliseError(other), other);
    assert.deepEqual(normaliseError({ code: -32000, message: 'x', data: { data: 'not hex' } }).code, -32000);
  });
});
