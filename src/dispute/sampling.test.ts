/**
 * Generate-model disputes on the embedded EVM (docs/dispute.md §2–3): the sampler's `random` / `seeded` sources
 * replayed from the opened params preimage (Query.paramsHash), conflicts whose outputs differ in length settled by
 * the stop rule (eos, maxTokens), an output no honest run can give, and the timeout of `sums-b`. The model is the
 * tiny transformer (663 elements per step, a 32-link MLP projection, a seeded sampler), registered at k = 2.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { disputeClient, makeQuery, makeReceipt, openingAbi, playConflict, registerModel, setupDisputeEnv, type DisputeEnv, type PlayOptions } from '../chain/dispute-env.ts';
import { disputeArtifact } from '../chain/dispute-deploy.ts';
import { GraphBuilder } from '../engine/builder.ts';
import { outputBytes, prepareQuery, runModel, type RunInput } from '../engine/runner.ts';
import { tinyTransformer } from '../engine/test-models.ts';
import { toHex } from '../common/bytes.ts';
import { modelStepSource, TraceParty } from './trace-party.ts';
import { queryInputValues } from './query-input.ts';

const model = tinyTransformer();
const E = model.layout.stepElements;
const nodeId = (name: string) => model.meta.nodeNames!.indexOf(name);
const EOS = model.meta.vocab!.indexOf('<eos>');

let chain: EmbeddedChain;
let env: DisputeEnv;
let nonce = 0n;
let pair = 2;

before(async () => {
  chain = await startEmbeddedChain({ accounts: 24 });
  const keys = chain.accounts.map((a) => a.privateKey as Hex);
  env = await setupDisputeEnv(chain.rpcUrl, keys, keys.map((_, i) => i).slice(2));
  const reg = await registerModel(env, model, 2);
  assert.equal(reg.modelHash, toHex(model.modelHash));
});
after(async () => chain?.close());

interface Side {
  trace: Int32Array;
  output: Int32Array;
}

function honest(input: RunInput): Side & { input: RunInput } {
  const r = runModel(model, input, { trace: true });
  return { trace: r.trace!, output: r.output, input };
}

/** Plays a conflict over `input` between A and B (each its own trace and output); returns the winner's side. */
async function play(input: RunInput, a: Side, b: Side, opts: PlayOptions = {}): Promise<{ winner: 'A' | 'B' | 'none'; moves: string[] }> {
  const { query, maxTokens } = prepareQuery(model, input);
  const q = makeQuery(env, model.modelHash, queryInputValues(query), ++nonce, { seed: query.seed, maxTokens });
  const source = modelStepSource(model, query);
  const len = Math.max(a.trace.length, b.trace.length);
  const pa = new TraceParty(a.trace, source, { arity: 16, padTo: len });
  const pb = new TraceParty(b.trace, source, { arity: 16, padTo: len });
  const ia = pair++;
  const ib = pair++;
  const r = await playConflict(env, q, pa, pb, ia, ib, { a: outputBytes(a.output), b: outputBytes(b.output) }, opts);
  const w = r.winner.toLowerCase();
  const winner = r.bothLost ? 'none' : w === env.addresses[ia]!.toLowerCase() ? 'A' : w === env.addresses[ib]!.toLowerCase() ? 'B' : 'none';
  return { winner, moves: r.moves };
}

function wrongAt(s: Side, index: number, delta = 1): Side {
  const t = Int32Array.from(s.trace);
  t[index] = t[index]! + delta;
  return { trace: t, output: s.output };
}

/** The first `tokens` generated tokens of a run of prompt length P: its trace cut after step P − 2 + tokens. */
function truncated(s: Side, P: number, tokens: number): Side {
  return { trace: s.trace.slice(0, (P - 1 + tokens) * E), output: s.output.slice(0, tokens) };
}

/** A run that goes on for one more (made-up) step after its last: the last step's values again, one more token. */
function extended(s: Side, extraToken: number): Side {
  const t = new Int32Array(s.trace.length + E);
  t.set(s.trace);
  t.set(s.trace.subarray(s.trace.length - E), s.trace.length);
  return { trace: t, output: Int32Array.from([...s.output, extraToken]) };
}

describe('generate-model disputes (tiny transformer, k = 2)', () => {
  it('random source: a cheater wrong at prng(seed, t) loses; the seed comes from the params preimage', async () => {
    const h = honest({ prompt: [1, 3, 4], maxTokens: 3, seed: 5n });
    const e = 2 * E + model.layout.offsets[nodeId('next.random')]!; // step P − 1: the first sampled token
    assert.ok(h.trace[e]! > 0);
    const r = await play(h.input, wrongAt(h, e, 7), h);
    assert.equal(r.winner, 'B', r.moves.join(','));
    assert.ok(r.moves.includes('A:resolveElement'), r.moves.join(','));
  });

  it('seeded source: honest A wins against a B that claims a greedy query is seeded', async () => {
    const h = honest({ prompt: [1, 3, 4], maxTokens: 2 }); // greedy: seeded = 0, random = 0
    const e = E + model.layout.offsets[nodeId('next.seeded')]!;
    assert.equal(h.trace[e], 0);
    const r = await play(h.input, h, wrongAt(h, e, 1));
    assert.equal(r.winner, 'A', r.moves.join(','));
  });

  it('stopped too early: A drops the last token before <eos>; the stop rule says go on and honest B wins at the next token', async () => {
    const h = honest({ prompt: [1, 3, 3], maxTokens: 5 });
    assert.deepEqual(Array.from(h.output), [10, 6, EOS], 'this prompt ends with <eos> after 3 tokens');
    const r = await play(h.input, truncated(h, 3, 2), h);
    assert.equal(r.winner, 'B', r.moves.join(','));
    assert.ok(r.moves.includes('A:resolveStop') && r.moves.includes('A:resolveElement'), r.moves.join(','));
  });

  it('did not stop at <eos>: B goes on after <eos>; the stop rule reads the agreed <eos> and honest A wins', async () => {
    const h = honest({ prompt: [1, 3, 3], maxTokens: 5 });
    const r = await play(h.input, h, extended(h, 6));
    assert.equal(r.winner, 'A', r.moves.join(','));
    assert.ok(r.moves.includes('A:resolveStop'), r.moves.join(','));
  });

  it('did not stop at maxTokens: A runs a real third token with maxTokens = 2; its output is impossible and it loses at opening', async () => {
    const h = honest({ prompt: [1, 3, 4], maxTokens: 2 });
    const longer = honest({ prompt: [1, 3, 4], maxTokens: 3 });
    assert.equal(longer.output.length, 3);
    const r = await play(h.input, longer, h);
    assert.equal(r.winner, 'B', r.moves.join(','));
    assert.ok(!r.moves.some((m) => m.endsWith(':bisect') || m.endsWith(':postChildren')), r.moves.join(','));
  });

  it('an output longer than maxTokens (B, made-up extra step) is decided at opening: its signer loses without a bisection', async () => {
    const h = honest({ prompt: [1, 3, 4], maxTokens: 2 });
    const r = await play(h.input, h, extended(h, 4));
    assert.equal(r.winner, 'A', r.moves.join(','));
    assert.ok(!r.moves.some((m) => m.endsWith(':bisect') || m.endsWith(':postChildren')), r.moves.join(','));
  });

  it('timeout in state sums-b (a 32-link reduction: 33 partial sums, three sums levels at k = 2): the silent B loses', async () => {
    const h = honest({ prompt: [1, 3, 4], maxTokens: 2 });
    const e = E + model.layout.offsets[nodeId('mlp.out')]! + 3;
    const r = await play(h.input, wrongAt(h, e, 9), h, { silent: 'B', silentFrom: 'sums-b' });
    assert.ok(r.moves.includes('A:timeout'), r.moves.join(','));
    assert.equal(r.winner, 'A', r.moves.join(','));
  });
});

describe('opening checks of the params preimage and the metadata scan', () => {
  it('a params preimage that does not hash to Query.paramsHash is refused (BadParams)', async () => {
    const h = honest({ prompt: [1, 3, 4], maxTokens: 2, seed: 9n });
    const { query } = prepareQuery(model, h.input);
    const q = makeQuery(env, model.modelHash, queryInputValues(query), ++nonce, { seed: 9n, maxTokens: 2 });
    const pa = new TraceParty(h.trace, modelStepSource(model, query), { arity: 16 });
    const pb = new TraceParty(wrongAt(h, 5).trace, modelStepSource(model, query), { arity: 16 });
    const out = outputBytes(h.output);
    const ra = makeReceipt(env, q, 20, pa.receiptRoot, out);
    const rb = makeReceipt(env, q, 21, pb.receiptRoot, out);
    const c = await disputeClient(env, 20, []);
    for (const params of [{ seeded: true, seed: 10n, maxTokens: 2 }, { seeded: false, seed: 9n, maxTokens: 2 }, { seeded: true, seed: 9n, maxTokens: 3 }]) {
      await assert.rejects(c.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, { ...openingAbi(q, out), params }]), /BadParams|reverted/);
    }
    const ok = await c.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, openingAbi(q, out)]);
    assert.ok(ok.logs.some((l) => l.eventName === 'DisputeOpened'));
  });

  it('the <eos> id and contextLength come from the top-level fields only (look-alikes in the description are strings)', async () => {
    const vocab = ['<pad>', 'a', '<bos>', 'b', 'c', '<eos>', 'd'];
    const g = new GraphBuilder({ name: 'eos-scan', description: '"vocab":["<eos>"],"contextLength":99 \\ "', task: 'generate', contextLength: 6, vocabSize: vocab.length, vocab });
    const t = g.token();
    const x = g.gather(t, new Int8Array(vocab.length * 4).fill(3), vocab.length, 4, 'emb');
    g.output(g.argmax(g.matvec(x, new Int8Array(vocab.length * 4).fill(1), vocab.length, undefined, 'logits'), vocab.length, 'next'));
    const m = g.build();
    const reg = await registerModel(env, m);
    assert.equal(reg.modelHash, toHex(m.modelHash));
    const L = (await env.clients.publicClient.readContract({ address: env.oneStep, abi: (await disputeArtifact('OneStepVerifier')).abi, functionName: 'layoutOf', args: [reg.modelHash] })) as { eosId: number; contextLength: number; outputNode: number };
    assert.equal(L.eosId, 5);
    assert.equal(L.contextLength, 6);
    assert.equal(L.outputNode, m.meta.outputNode);
  });
});
