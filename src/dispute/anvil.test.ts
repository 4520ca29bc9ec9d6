/**
 * The same core dispute game against anvil started as a separate process (`@foundry-rs/anvil`, --hardfork prague,
 * src/chain/anvil.ts): a second, independent EVM implementation plays the scenarios of game-scenarios.test-helper.ts.
 */
import { after, before, describe, test } from 'node:test';
import type { Hex } from 'viem';
import { startAnvil, type AnvilChain } from '../chain/anvil.ts';
import { GAME_SCENARIOS, gameContext, type GameCtx } from './game-scenarios.test-helper.ts';

describe('dispute game on anvil (real process)', () => {
  let chain: AnvilChain;
  let ctx: GameCtx;
  before(async () => {
    chain = await startAnvil({ accounts: 12 });
    ctx = await gameContext(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex));
  });
  after(async () => {
    await chain?.close();
  });
  for (const s of GAME_SCENARIOS) test(`anvil (real process): ${s.name}`, () => s.run(ctx));
});
