/**
 * Staking, ModelRegistry and FeeEscrow on the embedded chain (EDR in-process behind our JSON-RPC server):
 * every scenario of scenarios.test-helper.ts on a fresh deployment, with a dev EOA playing the dispute contract.
 */
import { after, before, describe, test } from 'node:test';
import { startEmbeddedChain, type EmbeddedChain } from './embedded-chain.ts';
import { CORE_SCENARIOS, setup } from './scenarios.test-helper.ts';

describe('contracts on the embedded chain (EDR)', () => {
  let chain: EmbeddedChain;
  before(async () => {
    chain = await startEmbeddedChain();
  });
  after(async () => {
    await chain?.close();
  });
  for (const scenario of CORE_SCENARIOS) {
    test(scenario.name, async () => {
      const env = await setup(chain.rpcUrl, chain.accounts.map((a) => a.privateKey));
      await scenario.run(env);
    });
  }
});
