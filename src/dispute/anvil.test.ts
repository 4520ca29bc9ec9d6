/**
 * The dispute game against anvil started as a separate process (`@foundry-rs/anvil`, --hardfork prague,
 * src/chain/anvil.ts): a second, independent EVM implementation plays the core scenarios of
 * game-scenarios.test-helper.ts (tiny MLP, classify output check included) and the generate scenarios of
 * generate-scenarios.test-helper.ts (sources, the stop rule with its StopDisputed / StopChecked transitions, the
 * output check, the timeouts of sums-b, trace-stop and trace-output), each suite on its own deployment.
 */
import { after, before, describe, test } from 'node:test';
import type { Hex } from 'viem';
import { startAnvil, type AnvilChain } from '../chain/anvil.ts';
import { GAME_SCENARIOS, gameContext, type GameCtx } from './game-scenarios.test-helper.ts';
import { generateContext, OUTPUT_SCENARIOS, STOP_SCENARIOS, type GenCtx } from './generate-scenarios.test-helper.ts';

describe('dispute game on anvil (real process)', () => {
  let chain: AnvilChain;
  let ctx: GameCtx;
  let gen: GenCtx;
  before(async () => {
    chain = await startAnvil({ accounts: 44 });
    const keys = chain.accounts.map((a) => a.privateKey as Hex);
    ctx = await gameContext(chain.rpcUrl, keys.slice(0, 12));
    gen = await generateContext(chain.rpcUrl, keys);
  });
  after(async () => {
    await chain?.close();
  });
  for (const s of GAME_SCENARIOS) test(`anvil (real process): ${s.name}`, () => s.run(ctx));
  for (const s of [...STOP_SCENARIOS, ...OUTPUT_SCENARIOS]) test(`anvil (real process): ${s.name}`, () => s.run(gen));
});
