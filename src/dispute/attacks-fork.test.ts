/**
 * Issue 11, attack 7c: EIP-712 replay across a fork (whitepaper §2.2.5; docs/security.md §1). The game and the fee
 * escrow recompute their domain separators when block.chainid differs from the deployment's, so receipts signed
 * before a fork (for the old chain id) do not verify after it, and receipts signed for the new chain id do. A chain id
 * change needs `anvil_setChainId`, so this runs on anvil as a real process (src/chain/anvil.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { startAnvil, type AnvilChain } from '../chain/anvil.ts';
import { connectChain } from '../chain/clients.ts';
import { decodeRevert } from '../chain/revert.ts';
import { conflictReceipts, disputeClient, makeQuery, openingAbi, type DisputeEnv } from '../chain/dispute-env.ts';
import { gameContext, honestTrace, model, output, query, source, withWrong, type GameCtx } from './game-scenarios.test-helper.ts';
import { queryInputValues } from '../inference/query-input.ts';
import { TraceParty } from './trace-party.ts';

let chain: AnvilChain;
let ctx: GameCtx;
before(async () => {
  chain = await startAnvil({ accounts: 6 });
  ctx = await gameContext(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex));
});
after(async () => chain?.close());

const party = (t: Int32Array) => new TraceParty(t, source, { arity: 2 });

describe('issue 11: no EIP-712 replay on a fork (anvil (real process))', () => {
  it('attack 7c: receipts signed for the old chain id are refused after the chain id changes; ones for the new id open', async () => {
    const before = conflictReceipts(ctx.env, makeQuery(ctx.env, model.modelHash, queryInputValues(query), 1n), 2, party(honestTrace).receiptRoot, output, 3, party(withWrong(honestTrace, 30)).receiptRoot, output);
    const domain = async (env: DisputeEnv) => (await disputeClient(env, 2, [])).publicClient.readContract({ address: env.game, abi: (await disputeClient(env, 2, [])).abi, functionName: 'DOMAIN_SEPARATOR' });
    const old = await domain(ctx.env);
    await ctx.env.clients.publicClient.request({ method: 'anvil_setChainId' as never, params: [4242] as never });
    const forked: DisputeEnv = { ...ctx.env, clients: await connectChain(chain.rpcUrl), chainId: 4242n };
    assert.notEqual(await domain(forked), old, 'the domain follows block.chainid');
    const c = await disputeClient(forked, 4, []);
    let err: unknown;
    try {
      await c.send('openConflict', [before.ra.abi, before.ra.sig, before.rb.abi, before.rb.sig, openingAbi(before.q, output)]);
    } catch (e) {
      err = e;
    }
    assert.equal(decodeRevert(err)?.errorName, 'BadSignature', 'a pre-fork receipt recovers to another address');
    const after = conflictReceipts(forked, makeQuery(forked, model.modelHash, queryInputValues(query), 2n), 2, party(honestTrace).receiptRoot, output, 3, party(withWrong(honestTrace, 30)).receiptRoot, output);
    const opened = await c.send('openConflict', [after.ra.abi, after.ra.sig, after.rb.abi, after.rb.sig, openingAbi(after.q, output)]);
    assert.ok(opened.logs.some((l) => l.eventName === 'DisputeOpened'));
  });
});
