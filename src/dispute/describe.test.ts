/**
 * The on-chain describe (OneStepVerifier, a port of src/engine/ops/*.ts describe) against the engine, element by
 * element: for a sample of every node of a tiny transformer run (token/position sources, gather, attention, row
 * reductions, scan, element-wise ops) and the shipped models' layouts, the contract — given only the node id and
 * Merkle proofs — recomputes the element (or partial sums 0, 1 and F of a reduction) equal to the honest trace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Abi, Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { connectChain, type ChainClients } from '../chain/clients.ts';
import { deployArtifact, disputeArtifact, registerLayout } from '../chain/dispute-deploy.ts';
import { runModel } from '../engine/runner.ts';
import { prepareQuery } from '../engine/run-query.ts';
import { tinyTransformer } from '../testnet/test-models.ts';
import { decodeModelFile, type LoadedModel } from '../engine/model-file.ts';
import { commitWeights } from '../commitment/weights.ts';
import { toHex } from '../common/bytes.ts';
import { meetingHeight, ProofPacker } from './proof-packer.ts';
import { modelStepSource } from './step-source.ts';
import { TraceParty } from './trace-party.ts';
import { GraphBuilder } from '../engine/builder.ts';
import { Tokenizer } from '../engine/tokenizer.ts';
import { SeededRandom } from '../common/clock.ts';

let chain: EmbeddedChain;
let clients: ChainClients;
let verifier: Hex;
let abi: Abi;

before(async () => {
  chain = await startEmbeddedChain();
  clients = await connectChain(chain.rpcUrl);
  const c = { publicClient: clients.publicClient, wallet: clients.wallet(chain.accounts[0]!.privateKey as Hex) };
  verifier = (await deployArtifact(c, 'OneStepVerifier')).address;
  abi = (await disputeArtifact('OneStepVerifier')).abi;
});
after(async () => chain?.close());

const read = (fn: string, args: unknown[]) => clients.publicClient.readContract({ address: verifier, abi, functionName: fn, args }) as Promise<unknown>;
const reg = (m: LoadedModel) => registerLayout({ publicClient: clients.publicClient, wallet: clients.wallet(chain.accounts[0]!.privateKey as Hex) }, verifier, m);

describe('OneStepVerifier describe = engine describe', () => {
  it('layouts of the shipped models: model hash recomputed, step elements and weights depth derived as the engine has them', async () => {
    for (const f of ['ffn-glyphs', 'sort-transformer']) {
      const m = decodeModelFile(readFileSync(new URL(`../../models/${f}.hsm`, import.meta.url)));
      const r = await reg(m);
      assert.equal(r.modelHash, toHex(m.modelHash), f);
      const L = (await read('layoutOf', [r.modelHash])) as { stepElements: bigint; weightsDepth: number; nodeCount: number; classify: boolean; contextLength: number; eosId: number; outputNode: number };
      assert.equal(L.stepElements, BigInt(m.layout.stepElements), f);
      assert.equal(L.weightsDepth, commitWeights(m.weights).depth, f);
      assert.equal(L.nodeCount, m.nodes.length, f);
      assert.equal(L.classify, m.meta.task === 'classify', f);
      assert.equal(L.contextLength, m.meta.contextLength, f);
      const eos = m.meta.vocab?.indexOf('<eos>') ?? -1;
      assert.equal(L.eosId, eos >= 0 ? eos : 2 ** 32 - 1, `${f}: <eos> id read from the metadata JSON`);
      if (m.meta.task === 'generate') assert.equal(L.outputNode, m.meta.outputNode, f);
    }
  });

  it('every node of a tiny transformer run: element-wise elements and reduction links replayed on chain equal the trace', async () => {
    const model = tinyTransformer();
    const { modelHash } = await reg(model);
    const input = { prompt: [1, 3, 4, 5], maxTokens: 4, seed: 0xfeedn }; // seeded: the sampler's random/seeded sources too
    const run = runModel(model, input, { trace: true });
    const trace = run.trace!;
    const party = new TraceParty(trace, modelStepSource(model, prepareQuery(model, input).query), { arity: 16 });
    const depth = BigInt(party.commitment.depth);
    const inputC = party.input!;
    const prefix = (e: number) => ({ root: party.root, depth, element: BigInt(e), leaf: party.leaf(Math.floor(e / 8)) });
    const { stepElements, offsets } = model.layout;
    const steps = trace.length / stepElements;
    let checked = 0;
    let reductions = 0;
    let sources = 0;
    for (let n = 0; n < model.nodes.length; n++) {
      const op = model.nodes[n]!.op;
      const size = model.nodes[n]!.size;
      for (const t of [0, steps - 1]) {
        for (const pos of new Set([0, size >> 1, size - 1])) {
          const e = t * stepElements + offsets[n]! + pos;
          const info = party.describe(e);
          if (op === 'random' || op === 'seeded') {
            sources++;
            assert.ok(trace[e] !== 0, `${op} is non-zero with a seed`);
          }
          if (info.description.kind !== 'reduction') {
            const s = party.elementStep(e);
            const got = await read('elementwise', [modelHash, s.node, prefix(e), { root: toHex(inputC.root), length: BigInt(inputC.length), seeded: true, seed: 0xfeedn }, s.proofs]);
            assert.equal(got, BigInt(trace[e]!), `${op} node ${n} step ${t} pos ${pos}`);
          } else {
            reductions++;
            const F = info.description.links.length;
            assert.equal(await read('reductionLinks', [modelHash, e, BigInt(n)]), BigInt(F), `${op} links`);
            const { sums } = party.sums(e);
            for (const s of new Set([0, 1, F])) {
              const l = party.linkStep(e, s);
              const got = await read('linkStep', [modelHash, l.node, BigInt(s), s === 0 ? 0n : BigInt(sums[s - 1]!), prefix(e), l.proofs]);
              assert.equal(got, BigInt(sums[s]!), `${op} node ${n} step ${t} pos ${pos} sum ${s}`);
            }
          }
          checked++;
        }
      }
    }
    assert.ok(checked > 50 && reductions > 10 && sources >= 4, `${checked} elements, ${reductions} reductions, ${sources} random/seeded`);
  });

  it('a wrong node id or a forged operand is refused', async () => {
    const model = tinyTransformer();
    const modelHash = toHex(model.modelHash);
    const input = { prompt: [1, 3], maxTokens: 2 };
    const trace = runModel(model, input, { trace: true }).trace!;
    const party = new TraceParty(trace, modelStepSource(model, prepareQuery(model, input).query), { arity: 16 });
    const e = model.layout.offsets[2]! + 1; // an element of node 2
    const s = party.elementStep(e);
    const pre = { root: party.root, depth: BigInt(party.commitment.depth), element: BigInt(e), leaf: party.leaf(Math.floor(e / 8)) };
    const inp = { root: toHex(party.input!.root), length: BigInt(party.input!.length), seeded: false, seed: 0n };
    await assert.rejects(read('elementwise', [modelHash, s.node + 1n, pre, inp, s.proofs]), /WrongNode|NotElementwise|NotReduction/);
    assert.ok(s.proofs.length > 2, 'node 2 reads at least one proven operand');
    const forged = `0x${'11'.repeat(32)}${s.proofs.slice(66)}` as Hex; // first proven leaf replaced
    await assert.rejects(read('elementwise', [modelHash, s.node, pre, inp, forged]), /Bad(Trace|Weight|Input)Proof/);
    await assert.rejects(read('elementwise', [modelHash, s.node, pre, inp, s.proofs.slice(0, -64) as Hex]), /ProofsLength/, 'truncated proofs');
    await assert.rejects(read('elementwise', [modelHash, s.node, pre, inp, `${s.proofs}${'00'.repeat(32)}` as Hex]), /ProofsLength/, 'trailing bytes');
  });

  it('multiproofs: a later operand proof stops where its path meets an earlier one; a forged short proof is refused; select proves only its taken branch', async () => {
    // token → two gathers (F = 64) → matvec → argmax → select(next, embed, embed2): select's last element has operands
    // in three leaves; it proves the condition, then the taken branch with only the siblings below their meeting
    const F = 64;
    const tk = Tokenizer.fromAlphabet('abcdefghijklm');
    const rng = new SeededRandom(7);
    const i8 = (n: number) => Int8Array.from({ length: n }, () => (rng.nextU32() % 256) - 128);
    const g = new GraphBuilder({ name: 'multiproof', description: 'select over two embeddings', task: 'generate', contextLength: 64, vocabSize: tk.size, vocab: tk.toJSON() });
    const tok = g.token();
    const emb = g.gather(tok, i8(tk.size * F), tk.size, F, 'embed');
    const emb2 = g.gather(tok, i8(tk.size * F), tk.size, F, 'embed2');
    const next = g.argmax(g.matvec(emb, i8(tk.size * F), tk.size, new Int32Array(tk.size), 'logits'), tk.size, 'next');
    g.output(next);
    const sel = g.select(next, emb, emb2, 'select');
    const model = g.build();
    const { modelHash } = await reg(model);
    const input = { prompt: [1, 2, 3, 4, 5, 6, 7, 8], maxTokens: 2 };
    const trace = runModel(model, input, { trace: true }).trace!;
    const party = new TraceParty(trace, modelStepSource(model, prepareQuery(model, input).query), { arity: 16 });
    const depth = party.commitment.depth;
    const t = Math.floor(trace.length / model.layout.stepElements) - 1;
    const e = t * model.layout.stepElements + model.layout.offsets[sel]! + F - 1;
    const leaves = party.describe(e).description;
    assert.ok(leaves.kind === 'elementwise');
    const idx = leaves.inputs.map((r) => Math.floor(('trace' in r ? r.trace : 0) / 8));
    assert.equal(new Set([...idx, Math.floor(e / 8)]).size, 4, 'three operand leaves and the disputed leaf, all different');
    const s = party.elementStep(e);
    // select reads its condition c[0] (input 2) first, then only the branch it takes
    const chosen = trace[model.layout.offsets[next]! + t * model.layout.stepElements]! !== 0 ? 0 : 1;
    const m2 = meetingHeight(idx[chosen]!, idx[2]!);
    assert.equal((s.proofs.length - 2) / 64, depth + 1 + m2, 'words: a full proof, then leaf + (m − 1) siblings');
    assert.ok(m2 < depth + 1, 'the second proof is shorter than a full one');
    const pre = { root: party.root, depth: BigInt(depth), element: BigInt(e), leaf: party.leaf(Math.floor(e / 8)) };
    const inp = { root: toHex(party.input!.root), length: BigInt(party.input!.length), seeded: false, seed: 0n };
    assert.equal(await read('elementwise', [modelHash, s.node, pre, inp, s.proofs]), BigInt(trace[e]!));
    // flip a byte in each word of the short proofs (their leaves and siblings): refused, never another value
    for (let w = depth + 1; w < (s.proofs.length - 2) / 64; w++) {
      const at = 2 + 64 * w + 62;
      const forged = `${s.proofs.slice(0, at)}${s.proofs.slice(at, at + 2) === 'ff' ? '00' : 'ff'}${s.proofs.slice(at + 2)}` as Hex;
      await assert.rejects(read('elementwise', [modelHash, s.node, pre, inp, forged]), /BadTraceProof/, `word ${w} forged`);
    }
    await assert.rejects(read('elementwise', [modelHash, s.node, pre, inp, s.proofs.slice(0, -64) as Hex]), /ProofsLength/, 'a short proof cut');
  });

  it('ProofPacker: each (tree, leaf) once, later leaves of a tree trimmed to their lowest meeting, trees apart', () => {
    assert.equal(meetingHeight(5, 4), 1);
    assert.equal(meetingHeight(2 ** 35, 2 ** 35 + 7), 3, 'indices beyond 2^32');
    assert.equal(meetingHeight(0, 2 ** 36), 37);
    const words = (leaf: number, depth: number) => Array.from({ length: depth + 1 }, (_, i) => `0x${(leaf * 100 + i).toString(16).padStart(64, '0')}` as Hex);
    const pk = new ProofPacker();
    pk.add(0, 100, () => words(100, 10)); // full: 11 words
    pk.add(0, 100, () => words(100, 10)); // again: nothing
    pk.add(0, 96, () => words(96, 10)); // 100 ^ 96 = 4 → meets at 3: leaf + 2 siblings
    pk.add(1, 96, () => words(96, 10)); // another tree: full
    pk.add(0, 97, () => words(97, 10)); // meets 96 at 1: the leaf only
    const got = pk.bytes().slice(2).match(/.{64}/g)!.map((x) => Number.parseInt(x, 16));
    assert.deepEqual(got, [...words(100, 10), ...words(96, 10).slice(0, 3), ...words(96, 10), ...words(97, 10).slice(0, 1)].map((x) => Number.parseInt(x.slice(2), 16)));
  });
});
