/**
 * The dispute game end to end on the embedded EVM (EDR, Prague): real Staking + ModelRegistry + FeeEscrow
 * (deploy.ts), DisputeGame + OneStepVerifier with the model's layout registered on chain, two agents playing from
 * engine traces of the tiny MLP (45 elements: 8 vector sources, fc1 matvec 8 links, requant, fc2 matvec 16 links,
 * argmax). The contract derives every element's description from the layout; the agents only supply proofs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { runModel, outputBytes, prepareQuery } from '../engine/runner.ts';
import { tinyMlp } from '../engine/test-models.ts';
import { modelStepSource, TraceParty } from './trace-party.ts';
import { queryInputValues } from './query-input.ts';
import { makeQuery, playConflict, registerModel, setupDisputeEnv, type DisputeEnv, type PlayOptions } from '../chain/dispute-env.ts';
import type { Hex } from 'viem';

const model = tinyMlp();
const input = { vector: [1, -128, 127, 5, 0, -1, 64, -64] };
const run = runModel(model, input, { trace: true });
const honestTrace = run.trace!;
const query = prepareQuery(model, input).query;
const source = modelStepSource(model, query);
const output = outputBytes(run.output);

let chain: EmbeddedChain;
let env: DisputeEnv;
let nonce = 0n;

before(async () => {
  chain = await startEmbeddedChain();
  env = await setupDisputeEnv(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex), [2, 3, 4, 5, 6, 7, 8, 9]);
  const reg = await registerModel(env, model);
  assert.equal(reg.modelHash, `0x${Buffer.from(model.modelHash).toString('hex')}`, 'the contract recomputes the engine model hash from the node table');
});

after(async () => {
  await chain?.close();
});

async function play(traceA: Int32Array, traceB: Int32Array, ia: number, ib: number, opts: PlayOptions & { forgeA?: TraceParty['options']['forgeSums'] } = {}) {
  const q = makeQuery(env, model.modelHash, queryInputValues(query), ++nonce);
  const pa = new TraceParty(traceA, source, { arity: 16, forgeSums: opts.forgeA });
  const pb = new TraceParty(traceB, source, { arity: 16 });
  return playConflict(env, q, pa, pb, ia, ib, { a: output, b: output }, opts);
}

function withWrong(trace: Int32Array, index: number, delta = 1): Int32Array {
  const t = Int32Array.from(trace);
  t[index] = t[index]! + delta;
  return t;
}

const addr = (i: number) => env.addresses[i]!.toLowerCase();

describe('dispute game on the embedded chain (tiny MLP traces, descriptions derived on chain)', () => {
  it('honest A beats a B that is wrong in an element-wise op (requant, element 30)', async () => {
    const r = await play(honestTrace, withWrong(honestTrace, 30), 2, 3);
    assert.equal(r.winner.toLowerCase(), addr(2));
    assert.ok(r.moves.includes('A:resolveElement'));
  });

  it('a wrong FIRST element (query vector source 0) loses: the input is proven against the Query promptHash', async () => {
    const r = await play(withWrong(honestTrace, 0, 3), honestTrace, 2, 3);
    assert.equal(r.winner.toLowerCase(), addr(3));
    assert.ok(r.moves.includes('A:resolveElement'), r.moves.join(','));
  });

  it('honest B beats an A that is wrong in the middle of a reduction (fc1 element 10): link phase then one multiply-add', async () => {
    const r = await play(withWrong(honestTrace, 10, 5), honestTrace, 2, 3);
    assert.equal(r.winner.toLowerCase(), addr(3));
    assert.ok(r.moves.includes('B:postSumsRoot') && r.moves.includes('A:resolveLink'), r.moves.join(','));
  });

  it('a cheater whose forged partial sums go wrong inside the links (from link 3 on) loses at that link', async () => {
    const forge = (_e: number, sums: Int32Array, claimed: number) => Int32Array.from(sums, (v, i) => (i >= 3 ? v + (claimed - sums[sums.length - 1]!) : v));
    const r = await play(withWrong(honestTrace, 12, 7), honestTrace, 2, 3, { forgeA: forge });
    assert.equal(r.winner.toLowerCase(), addr(3));
  });

  it('the last element (argmax reduction, element 44) wrong: the cheater loses', async () => {
    const r = await play(honestTrace, withWrong(honestTrace, 44, 1), 4, 5);
    assert.equal(r.winner.toLowerCase(), addr(4));
  });

  it('both wrong at the same element: both are slashed', async () => {
    const r = await play(withWrong(honestTrace, 30, 1), withWrong(honestTrace, 30, 2), 6, 7);
    assert.equal(r.bothLost, true);
  });

  it('a party that stops moving loses on timeout (B silent after opening)', async () => {
    const r = await play(withWrong(honestTrace, 30), honestTrace, 3, 5, { silent: 'B' });
    assert.equal(r.winner.toLowerCase(), addr(3), 'the silent honest B still loses: deadlines rule');
  });
});
