/**
 * The dispute game end to end on the embedded EVM (EDR, Prague): real Staking + ModelRegistry + FeeEscrow
 * (deploy.ts), DisputeGame + OneStepVerifier with the model layout registered on chain; the shared scenarios
 * (game-scenarios.test-helper.ts, also run on anvil) plus the timeout of every state.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { GAME_SCENARIOS, gameContext, honestTrace, play, withWrong, type GameCtx } from './game-scenarios.test-helper.ts';

let chain: EmbeddedChain;
let ctx: GameCtx;

before(async () => {
  chain = await startEmbeddedChain({ accounts: 24 });
  ctx = await gameContext(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex));
});

after(async () => {
  await chain?.close();
});

describe('dispute game on the embedded chain (tiny MLP traces, descriptions derived on chain)', () => {
  for (const s of GAME_SCENARIOS) it(s.name, () => s.run(ctx));

  // The party on turn in each state stops moving; the deadline passes; the other wins even when the silent one is honest.
  const timeouts: { state: string; silent: 'A' | 'B'; a: Int32Array; b: Int32Array; winner: 'A' | 'B' }[] = [
    { state: 'trace-post', silent: 'A', a: honestTrace, b: withWrong(honestTrace, 10, 5), winner: 'B' },
    { state: 'trace-b', silent: 'B', a: withWrong(honestTrace, 30), b: honestTrace, winner: 'A' },
    { state: 'trace-a', silent: 'A', a: honestTrace, b: withWrong(honestTrace, 30), winner: 'B' },
    { state: 'trace-step', silent: 'A', a: honestTrace, b: withWrong(honestTrace, 30), winner: 'B' },
    { state: 'links-b', silent: 'B', a: withWrong(honestTrace, 10, 5), b: honestTrace, winner: 'A' },
    // fc2 (16 links, 17 partial sums: depth 2 at k = 2): B's root moves one level, then A's move
    { state: 'sums-a', silent: 'A', a: honestTrace, b: withWrong(honestTrace, 40, 5), winner: 'B' },
    { state: 'sums-step', silent: 'A', a: honestTrace, b: withWrong(honestTrace, 10, 5), winner: 'B' },
  ];
  let pair = 10;
  for (const t of timeouts) {
    it(`timeout in state ${t.state}: the silent ${t.silent} loses`, async () => {
      const ia = pair++;
      const ib = pair++;
      const r = await play(ctx, t.a, t.b, ia, ib, { silent: t.silent, silentFrom: t.state });
      assert.ok(r.moves.some((m) => m.endsWith(':timeout')), r.moves.join(','));
      assert.equal(r.winner.toLowerCase(), ctx.env.addresses[t.winner === 'A' ? ia : ib]!.toLowerCase(), r.moves.join(','));
    });
  }
});
