/**
 * The dispute game end to end on the embedded EVM (EDR, Prague): real Staking + ModelRegistry (deploy.ts),
 * DisputeGame + OneStepVerifier, two agents playing from engine traces of the tiny MLP (45 elements: 8 vector
 * sources, fc1 matvec 8 links, requant, fc2 matvec 16 links, argmax).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { privateKeyToAccount } from 'viem/accounts';
import { parseEther, type Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { connectChain, type ChainClients } from '../chain/clients.ts';
import { deployContracts } from '../chain/deploy.ts';
import { stakingAbi } from '../chain/artifacts.ts';
import { DisputeClient, type GasRecord } from '../chain/dispute-client.ts';
import { fromHex, toHex } from '../common/bytes.ts';
import { hyperspaceDomain, signReceipt, type Receipt } from '../wire/query-receipt.ts';
import { tinyMlp } from '../engine/test-models.ts';
import { runModel } from '../engine/runner.ts';
import { prepareQuery } from '../engine/runner.ts';
import { DisputeAgent } from './agent.ts';
import { modelStepSource, TraceParty } from './trace-party.ts';
import { stateFromChain } from './state-machine.ts';

const model = tinyMlp();
const input = { vector: [1, -128, 127, 5, 0, -1, 64, -64] };
const honestTrace = runModel(model, input, { trace: true }).trace!;
const source = modelStepSource(model, prepareQuery(model, input).query);

let chain: EmbeddedChain;
let clients: ChainClients;
let staking: Hex;
let game: Hex;
const keys = [2, 3, 4, 5].map((i) => i); // dev account indexes used as operators

before(async () => {
  chain = await startEmbeddedChain();
  clients = await connectChain(chain.rpcUrl);
  const deployer = clients.wallet(chain.accounts[0]!.privateKey);
  const d = await deployContracts({ publicClient: clients.publicClient, wallet: deployer }, { staticDifficulty: 0, minimumStake: parseEther('1') });
  staking = d.contracts.staking as Hex;
  game = d.contracts.dispute as Hex;
  assert.ok(game, 'dispute contract deployed through deploy.ts');
  for (const i of keys) {
    const acct = privateKeyToAccount(chain.accounts[i]!.privateKey);
    const w = clients.wallet(chain.accounts[i]!.privateKey);
    const pub = `0x${acct.publicKey.slice(4)}` as Hex;
    const hash = await w.writeContract({ address: staking, abi: stakingAbi, functionName: 'registerOperator', args: [pub], value: parseEther('3') });
    await clients.publicClient.waitForTransactionReceipt({ hash });
  }
});

after(async () => {
  await chain?.close();
});

let nonce = 0;
function receiptFor(party: TraceParty, accountIndex: number): { receipt: Receipt; sig: Hex; abi: Record<string, unknown> } {
  const acct = chain.accounts[accountIndex]!;
  const r: Receipt = {
    queryHash: new Uint8Array(32).fill(7 + (nonce & 0xff)),
    modelHash: model.modelHash,
    outputHash: new Uint8Array(32).fill(9),
    traceRoot: party.commitment.root,
    node: fromHex(acct.address),
    fee: 1000n,
    issuedAt: 1n,
  };
  const sig = toHex(signReceipt(hyperspaceDomain(31337n, fromHex(game)), r, fromHex(acct.privateKey))) as Hex;
  return { receipt: r, sig, abi: { queryHash: toHex(r.queryHash), modelHash: toHex(r.modelHash), outputHash: toHex(r.outputHash), traceRoot: toHex(r.traceRoot), node: acct.address, fee: r.fee, issuedAt: r.issuedAt } };
}

interface Played {
  winner: string;
  bothLost: boolean;
  moves: string[];
  log: GasRecord[];
}

/** Opens a conflict between A (account ia) and B (account ib) and lets both agents play to the end. */
async function play(traceA: Int32Array, traceB: Int32Array, ia: number, ib: number, opts: { forgeA?: TraceParty['options']['forgeSums']; forgeB?: TraceParty['options']['forgeSums']; silent?: 'A' | 'B' } = {}): Promise<Played> {
  nonce++;
  const pa = new TraceParty(traceA, source, { arity: 16, forgeSums: opts.forgeA });
  const pb = new TraceParty(traceB, source, { arity: 16, forgeSums: opts.forgeB });
  const log: GasRecord[] = [];
  const ca = await DisputeClient.create({ publicClient: clients.publicClient, wallet: clients.wallet(chain.accounts[ia]!.privateKey), log }, game);
  const cb = await DisputeClient.create({ publicClient: clients.publicClient, wallet: clients.wallet(chain.accounts[ib]!.privateKey), log }, game);
  const ra = receiptFor(pa, ia);
  const rb = receiptFor(pb, ib);
  const opened = await ca.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, BigInt(traceA.length)]);
  const id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
  const agents = { A: new DisputeAgent({ chain: ca, party: pa }, { side: 'A' }), B: new DisputeAgent({ chain: cb, party: pb }, { side: 'B' }) };
  const moves: string[] = [];
  for (let i = 0; i < 60; i++) {
    let moved = false;
    for (const side of ['A', 'B'] as const) {
      if (opts.silent === side) continue;
      const r = await agents[side].act(id);
      if (r.action === 'moved') {
        moves.push(`${side}:${r.move}`);
        moved = true;
      }
    }
    const g = await ca.game(id);
    if (stateFromChain(g.phase, g.turn) === 'done') break;
    if (!moved) {
      // nobody can move: let the deadline pass (the silent party is on turn)
      await clients.publicClient.request({ method: 'evm_increaseTime' as never, params: [3601] as never });
      await clients.publicClient.request({ method: 'evm_mine' as never, params: [] as never });
    }
  }
  const logs = await clients.publicClient.getContractEvents({ address: game, abi: ca.abi, eventName: 'Resolved', args: { id } });
  const res = logs[0] as unknown as { args: { winner: string; bothLost: boolean } };
  assert.ok(res, `dispute ${id} resolved (moves ${moves.join(',')})`);
  return { winner: res.args.winner, bothLost: res.args.bothLost, moves, log };
}

function withWrong(trace: Int32Array, index: number, delta = 1): Int32Array {
  const t = Int32Array.from(trace);
  t[index] = t[index]! + delta;
  return t;
}

const addr = (i: number) => chain.accounts[i]!.address;

describe('dispute game on the embedded chain (tiny MLP traces)', () => {
  it('honest A beats a B that is wrong in an element-wise op (requant, element 30)', async () => {
    const r = await play(honestTrace, withWrong(honestTrace, 30), 2, 3);
    assert.equal(r.winner.toLowerCase(), addr(2).toLowerCase());
    assert.ok(r.moves.includes('A:resolveElement'));
  });

  it('honest B beats an A that is wrong in the middle of a reduction (fc1 element 10): link phase then one multiply-add', async () => {
    const r = await play(withWrong(honestTrace, 10, 5), honestTrace, 2, 3);
    assert.equal(r.winner.toLowerCase(), addr(3).toLowerCase());
    assert.ok(r.moves.includes('B:postSumsRoot') && r.moves.includes('A:resolveLink'), r.moves.join(','));
  });

  it('a cheater whose forged partial sums go wrong inside the links (from link 3 on) loses at that link', async () => {
    const forge = (_e: number, sums: Int32Array, claimed: number) => Int32Array.from(sums, (v, i) => (i >= 3 ? v + (claimed - sums[sums.length - 1]!) : v));
    const r = await play(withWrong(honestTrace, 12, 7), honestTrace, 2, 3, { forgeA: forge });
    assert.equal(r.winner.toLowerCase(), addr(3).toLowerCase());
  });

  it('the last element (argmax reduction, element 44) wrong: the cheater loses', async () => {
    const r = await play(honestTrace, withWrong(honestTrace, 44, 1), 4, 5);
    assert.equal(r.winner.toLowerCase(), addr(4).toLowerCase());
  });

  it('both wrong at the same element: both are slashed', async () => {
    const r = await play(withWrong(honestTrace, 30, 1), withWrong(honestTrace, 30, 2), 2, 4);
    assert.equal(r.bothLost, true);
  });

  it('a party that stops moving loses on timeout (B silent after opening)', async () => {
    const r = await play(withWrong(honestTrace, 30), honestTrace, 3, 5, { silent: 'B' });
    assert.equal(r.winner.toLowerCase(), addr(3).toLowerCase(), 'the silent honest B still loses: deadlines rule');
  });
});
