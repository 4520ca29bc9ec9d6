/**
 * Generate-model disputes on the embedded EVM (docs/dispute.md §2–3): the shared generate scenarios
 * (generate-scenarios.test-helper.ts, also run on anvil: the sampler's sources, the stop rule, impossible outputs,
 * the output check, the timeouts of sums-b, trace-stop and trace-output), and the opening / output-check refusals.
 * The model is the tiny transformer (663 elements per step), registered at k = 2.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { conflictReceipts, disputeClient, makeQuery, makeReceipt, openingAbi, registerModel } from '../chain/dispute-env.ts';
import { disputeArtifact } from '../chain/dispute-deploy.ts';
import { decodeRevert } from '../chain/revert.ts';
import { GraphBuilder } from '../engine/builder.ts';
import { outputBytes } from '../engine/run-result.ts';
import { prepareQuery } from '../engine/run-query.ts';
import { toHex } from '../common/bytes.ts';
import { modelStepSource } from './step-source.ts';
import { TraceParty } from './trace-party.ts';
import { queryInputValues } from '../inference/query-input.ts';
import { E, generateContext, honest, MARK_SCENARIOS, model, nodeId, OUTPUT_SCENARIOS, playWatched, STOP_SCENARIOS, withOutput, wrongAt, type GenCtx, type Watch } from './generate-scenarios.test-helper.ts';

let chain: EmbeddedChain;
let ctx: GenCtx;

before(async () => {
  chain = await startEmbeddedChain({ accounts: 56 });
  ctx = await generateContext(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex));
});
after(async () => chain?.close());

describe('generate-model disputes (tiny transformer, k = 2)', () => {
  for (const s of STOP_SCENARIOS) it(s.name, () => s.run(ctx));
});

describe('the output check: the same trace, different signed outputs', () => {
  for (const s of OUTPUT_SCENARIOS) it(s.name, () => s.run(ctx));
});

/** Awaits a call expected to revert with custom error `name`. */
async function reverts(p: Promise<unknown>, name: string): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name}, but the call succeeded`);
  assert.equal(decodeRevert(err)?.errorName, name, String(err).slice(0, 300));
}

describe('output check refusals', () => {
  it('same trace and same output is no claim (conflict: ReceiptsDoNotConflict; challenge: SameTraceRoot); in Output, agreeing tokens, wrong outputs and a bad proof are refused', async () => {
    const h = honest({ prompt: [1, 3, 4], maxTokens: 2 });
    const { query } = prepareQuery(model, h.input);
    const q = makeQuery(ctx.env, model.modelHash, queryInputValues(query), ++ctx.nonce, { seed: null, maxTokens: 2 });
    const p = new TraceParty(h.trace, modelStepSource(model, query), { arity: 16 });
    const out = outputBytes(h.output);
    const bad = outputBytes(Int32Array.of(h.output[0]!, (h.output[1]! + 1) % model.meta.vocabSize));
    const ia = ctx.pair++;
    const ib = ctx.pair++;
    const ra = makeReceipt(ctx.env, q, ia, p.receiptRoot, out);
    const c = await disputeClient(ctx.env, ib, []);
    await reverts(c.send('openChallenge', [ra.abi, ra.sig, toHex(p.receiptRoot), openingAbi(q, out), `0x${'00'.repeat(32)}`]), 'SameTraceRoot');
    await reverts(c.send('openChallenge', [ra.abi, ra.sig, toHex(p.receiptRoot), openingAbi(q, out, new Uint8Array(0)), `0x${'00'.repeat(32)}`]), 'SameTraceRoot');
    await reverts(c.send('openConflict', [ra.abi, ra.sig, makeReceipt(ctx.env, q, ib, p.receiptRoot, out).abi, makeReceipt(ctx.env, q, ib, p.receiptRoot, out).sig, openingAbi(q, out)]), 'ReceiptsDoNotConflict');
    const pair = conflictReceipts(ctx.env, q, ia, p.receiptRoot, out, ib, p.receiptRoot, bad);
    const opened = await c.send('openConflict', [pair.ra.abi, pair.ra.sig, pair.rb.abi, pair.rb.sig, openingAbi(pair.q, out, bad)]);
    assert.ok(opened.logs.some((l) => l.eventName === 'OutputDisputed'), 'equal roots: the game opens in Output');
    const id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
    const outs = await c.outputs(id);
    assert.equal(outs.a, toHex(out));
    assert.equal(outs.b, toHex(bad));
    const move = p.outputMove(h.output, Int32Array.of(h.output[0]!, (h.output[1]! + 1) % model.meta.vocabSize), h.trace.length);
    assert.equal(move.kind, 'token');
    if (move.kind !== 'token') return;
    assert.equal(move.j, 1);
    const proof0 = p.outputMove(h.output, Int32Array.of(h.output[0]! + 1), h.trace.length);
    await reverts(c.resolveOutput(id, 0n, outs.a, outs.b, proof0.kind === 'token' ? proof0.proof : '0x'), 'OutputsAgree');
    await reverts(c.resolveOutput(id, 1n, outs.b, outs.a, move.proof), 'BadOutputs');
    await reverts(c.resolveOutput(id, 1n, outs.a, outs.b, `0x${'11'.repeat(32)}${move.proof.slice(66)}` as Hex), 'BadOutputProof');
    await reverts(c.resolveOutput(id, 1n, outs.a, outs.b, move.proof.slice(0, -64) as Hex), 'BadOutputProof');
    await reverts(c.resolveStop(id, '0x'), 'WrongPhase'); // same lengths: the stop rule has nothing to say
    await c.resolveOutput(id, 1n, outs.a, outs.b, move.proof);
    const g = await c.game(id);
    assert.equal(g.turn, 1, 'decided: A right, B wrong');
  });
});

describe('the output mark: a right trace with a wrong signed output, against a wrong trace', () => {
  for (const s of MARK_SCENARIOS) it(s.name, () => s.run(ctx));

  it('an honest party cannot be marked at any token; bad outputs or proofs are refused; a party is marked once; nothing after settlement', async () => {
    const h = honest({ prompt: [1, 3, 4], maxTokens: 3 });
    const bad = Array.from(h.output);
    bad[1] = (bad[1]! + 1) % model.meta.vocabSize;
    // A honest; B a wrong trace (elsewhere than the output elements) AND a wrong second token
    let checked = false;
    const r = await playWatched(ctx, h.input, h, withOutput(wrongAt(h, E + model.layout.offsets[nodeId('mlp.out')]! + 3, 9), bad), async (w: Watch) => {
      if (checked || w.state !== 'trace-step') return;
      checked = true;
      const n = h.output.length;
      for (let j = 0; j < n; j++) await reverts(w.watcher.markOutput(w.id, false, BigInt(j), w.outA, w.outB, w.pa.outputProof(j)), 'OutputMatchesTrace');
      await reverts(w.watcher.markOutput(w.id, false, BigInt(n), w.outA, w.outB, w.pa.outputProof(0)), 'OutputMatchesTrace'); // past its end
      for (const j of [0, 2]) await reverts(w.watcher.markOutput(w.id, true, BigInt(j), w.outA, w.outB, w.pb.outputProof(j)), 'OutputMatchesTrace');
      // A's honest token 1 against B's trace proof, or a forged leaf: not A's trace
      await reverts(w.watcher.markOutput(w.id, false, 1n, w.outA, w.outB, w.pb.outputProof(0)), 'BadOutputProof');
      const p1 = w.pb.outputProof(1);
      await reverts(w.watcher.markOutput(w.id, true, 1n, w.outA, w.outB, `0x${'11'.repeat(32)}${p1.slice(66)}` as Hex), 'BadOutputProof');
      await reverts(w.watcher.markOutput(w.id, true, 1n, w.outA, w.outB, p1.slice(0, -64) as Hex), 'BadOutputProof');
      await reverts(w.watcher.markOutput(w.id, true, 1n, w.outA, w.outA, p1), 'BadOutputs');
      await w.watcher.markOutput(w.id, true, 1n, w.outA, w.outB, p1);
      await reverts(w.watcher.markOutput(w.id, true, 1n, w.outA, w.outB, p1), 'AlreadyWrong');
      const g = await w.watcher.game(w.id);
      assert.equal(g.wrong, 2, 'B marked, A not');
    });
    assert.ok(checked);
    assert.equal(r.winner, 'A', r.moves.join(','));
    const w = r.watch;
    assert.equal((await w.watcher.game(w.id)).phase, 8, 'settled (Done)');
    await reverts(w.watcher.markOutput(w.id, true, 1n, w.outA, w.outB, w.pb.outputProof(1)), 'WrongPhase');
    await reverts(w.watcher.markOutput(w.id, false, 1n, w.outA, w.outB, w.pa.outputProof(1)), 'WrongPhase');
  });

  it('a challenger that names no output (empty outputB) claims no token and cannot be marked; the receipt signer can', async () => {
    const h = honest({ prompt: [1, 3, 4], maxTokens: 3 });
    const bad = Array.from(h.output);
    bad[1] = (bad[1]! + 1) % model.meta.vocabSize;
    let checked = false;
    const r = await playWatched(ctx, h.input, withOutput(wrongAt(h, E + model.layout.offsets[nodeId('mlp.out')]! + 3, 9), bad), { trace: h.trace, output: Int32Array.of() }, async (w: Watch) => {
      if (checked || w.state !== 'trace-b') return;
      checked = true;
      assert.equal(w.outB, '0x');
      await reverts(w.watcher.markOutput(w.id, true, 1n, w.outA, w.outB, w.pb.outputProof(1)), 'OutputMatchesTrace');
      await reverts(w.watcher.markOutput(w.id, true, 1n, w.outA, w.outA, w.pb.outputProof(1)), 'BadOutputs'); // B's effective output is A's, but it did not claim it
      await w.watcher.markOutput(w.id, false, 1n, w.outA, w.outB, w.pa.outputProof(1));
    }, true);
    assert.ok(checked);
    assert.equal(r.winner, 'B', r.moves.join(','));
  });
});

describe('opening checks of the params preimage and the metadata scan', () => {
  it('a params preimage that does not hash to Query.paramsHash is refused (BadParams)', async () => {
    const h = honest({ prompt: [1, 3, 4], maxTokens: 2, seed: 9n });
    const { query } = prepareQuery(model, h.input);
    const q = makeQuery(ctx.env, model.modelHash, queryInputValues(query), ++ctx.nonce, { seed: 9n, maxTokens: 2 });
    const pa = new TraceParty(h.trace, modelStepSource(model, query), { arity: 16 });
    const pb = new TraceParty(wrongAt(h, 5).trace, modelStepSource(model, query), { arity: 16 });
    const out = outputBytes(h.output);
    const ia = ctx.pair++;
    const ib = ctx.pair++;
    const { q: qo, ra, rb } = conflictReceipts(ctx.env, q, ia, pa.receiptRoot, out, ib, pb.receiptRoot, out);
    const c = await disputeClient(ctx.env, ia, []);
    for (const params of [{ seeded: true, seed: 10n, maxTokens: 2 }, { seeded: false, seed: 9n, maxTokens: 2 }, { seeded: true, seed: 9n, maxTokens: 3 }]) {
      await assert.rejects(c.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, { ...openingAbi(qo, out), params }]), /BadParams|reverted/);
    }
    const ok = await c.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, openingAbi(qo, out)]);
    assert.ok(ok.logs.some((l) => l.eventName === 'DisputeOpened'));
  });

  it('the <eos> id and contextLength come from the top-level fields only (look-alikes in the description are strings)', async () => {
    const vocab = ['<pad>', 'a', '<bos>', 'b', 'c', '<eos>', 'd'];
    const g = new GraphBuilder({ name: 'eos-scan', description: '"vocab":["<eos>"],"contextLength":99 \\ "', task: 'generate', contextLength: 6, vocabSize: vocab.length, vocab });
    const t = g.token();
    const x = g.gather(t, new Int8Array(vocab.length * 4).fill(3), vocab.length, 4, 'emb');
    g.output(g.argmax(g.matvec(x, new Int8Array(vocab.length * 4).fill(1), vocab.length, undefined, 'logits'), vocab.length, 'next'));
    const m = g.build();
    const reg = await registerModel(ctx.env, m);
    assert.equal(reg.modelHash, toHex(m.modelHash));
    const L = (await ctx.env.clients.publicClient.readContract({ address: ctx.env.oneStep, abi: (await disputeArtifact('OneStepVerifier')).abi, functionName: 'layoutOf', args: [reg.modelHash] })) as { eosId: number; contextLength: number; outputNode: number };
    assert.equal(L.eosId, 5);
    assert.equal(L.contextLength, 6);
    assert.equal(L.outputNode, m.meta.outputNode);
  });
});
