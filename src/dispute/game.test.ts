/**
 * The dispute game end to end on the embedded EVM (EDR, Prague): real Staking + ModelRegistry + FeeEscrow
 * (deploy.ts), DisputeGame + OneStepVerifier with the model layout registered on chain; the shared scenarios
 * (game-scenarios.test-helper.ts, also run on anvil) plus the timeout of every state.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { GAME_SCENARIOS, gameContext, honestTrace, model, output, play, query, source, withWrong, type GameCtx } from './game-scenarios.test-helper.ts';
import { TraceParty } from './trace-party.ts';
import type { SumsLinks } from './partial-sums.ts';
import { makeQuery, playConflict } from '../chain/dispute-env.ts';
import { queryInputValues } from '../inference/query-input.ts';

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

  // fc2 (element 40, 16 links, sums leaves 0..2): sums forged from link 8 on put the first difference at s = 8, word 0
  // of sums leaf 1, so the isolating move must prove the agreed previous leaf (sums[7]) for the game to keep
  const forge8 = (_e: number, sums: Int32Array, claimed: number) => Int32Array.from(sums, (v, i) => (i >= 8 ? v + (claimed - sums[sums.length - 1]!) : v));
  it('a disputed partial sum at word 0 of its leaf: the isolating move proves sums[s−1], the link step needs no sums proof', async () => {
    const r = await play(ctx, withWrong(honestTrace, 40, 7), honestTrace, 22, 23, { forgeA: forge8 });
    assert.equal(r.winner.toLowerCase(), ctx.env.addresses[23]!.toLowerCase(), r.moves.join(','));
    assert.ok(r.moves.includes('A:resolveLink'), r.moves.join(','));
  });

  it('the isolating sums move is refused with a forged previous sums leaf (BadSumProof) or forged Links (BadLinks)', async () => {
    for (const [tamper, err] of [
      ['prev', /BadSumProof/],
      ['links', /BadLinks/],
    ] as const) {
      class Tampering extends TraceParty {
        override sumsTail(element: number, links: SumsLinks, leafA: `0x${string}`, leafB: `0x${string}`, leafIndex: number): `0x${string}` {
          const t = super.sumsTail(element, links, leafA, leafB, leafIndex);
          // prev: flip a bit of the previous leaf's last word (sums[s−1]); links: of sumsRootB
          const at = tamper === 'prev' ? 2 + 2 * (96 + 31) : 2 + 2 * 95;
          return `${t.slice(0, at)}${(parseInt(t.slice(at, at + 2), 16) ^ 1).toString(16).padStart(2, '0')}${t.slice(at + 2)}` as `0x${string}`;
        }
      }
      const q = makeQuery(ctx.env, model.modelHash, queryInputValues(query), ++ctx.nonce);
      const pa = new Tampering(withWrong(honestTrace, 40, 7), source, { arity: 16, forgeSums: forge8 });
      const pb = new Tampering(honestTrace, source, { arity: 16 });
      await assert.rejects(playConflict(ctx.env, q, pa, pb, 20, 21, { a: output, b: output }), err);
    }
  });

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
