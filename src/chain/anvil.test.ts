/**
 * The same contract scenarios against anvil (real process): `@foundry-rs/anvil` spawned on a free loopback
 * port with --hardfork prague, so the contracts are checked on a second, independent EVM implementation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAnvil, type AnvilChain } from './anvil.ts';
import { CORE_SCENARIOS, setup } from './scenarios.test-helper.ts';

describe('contracts on anvil (real process)', () => {
  let chain: AnvilChain;
  before(async () => {
    chain = await startAnvil();
  });
  after(async () => {
    await chain?.close();
  });
  test('anvil (real process) runs Prague with the dev accounts funded', async () => {
    const res = await fetch(chain.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: [chain.accounts[0]!.address, 'latest'] }) });
    const body = (await res.json()) as { result: string };
    assert.equal(BigInt(body.result), 10_000n * 10n ** 18n);
    assert.ok(chain.pid > 0);
  });
  for (const scenario of CORE_SCENARIOS) {
    test(`anvil (real process): ${scenario.name}`, async () => {
      const env = await setup(chain.rpcUrl, chain.accounts.map((a) => a.privateKey));
      await scenario.run(env);
    });
  }
});
