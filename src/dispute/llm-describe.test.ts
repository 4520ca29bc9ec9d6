/**
 * The language-model ops on chain (engine.md §3.6; whitepaper §2.2.5): for a quantized Llama run, OneStepVerifier —
 * given only the node id and Merkle proofs — recomputes rope and mul elements (and the registered layout's weights
 * depth, which must cover the rotary table's contextLength rows) equal to the honest trace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Abi, Hex } from 'viem';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importModel } from '../engine/llm/import-model.ts';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { connectChain, type ChainClients } from '../chain/clients.ts';
import { deployArtifact, disputeArtifact, registerLayout } from '../chain/dispute-deploy.ts';
import { prepareModel } from '../engine/model-file.ts';
import { runModel } from '../engine/runner.ts';
import { prepareQuery } from '../engine/run-query.ts';
import { commitWeights } from '../commitment/weights.ts';
import { toHex } from '../common/bytes.ts';
import { tinyLlamaGguf, tinyQuantizedLlama } from '../testnet/llm-fixtures.ts';
import { modelStepSource } from './step-source.ts';
import { TraceParty } from './trace-party.ts';

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

describe('OneStepVerifier on a quantized Llama', () => {
  it('an imported model (tokenizer blob in the weights) registers with the eosId its metadata names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-llm-layout-'));
    try {
      const tiny = tinyLlamaGguf('F32', 6, { contextLength: 16 }, 'bpe-gpt-2');
      writeFileSync(join(dir, 'tiny.gguf'), tiny.gguf);
      const model = importModel(join(dir, 'tiny.gguf'), { name: 'tiny', contextLength: 16, calibrationSequences: 2 }).model;
      const r = await registerLayout({ publicClient: clients.publicClient, wallet: clients.wallet(chain.accounts[0]!.privateKey as Hex) }, verifier, model);
      assert.equal(r.modelHash, toHex(model.modelHash));
      const L = (await read('layoutOf', [r.modelHash])) as { eosId: number; contextLength: number; outputNode: number };
      assert.equal(L.eosId, model.meta.eosId);
      assert.equal(L.eosId, tiny.tokens.length - 1);
      assert.equal(L.contextLength, 16);
      assert.equal(L.outputNode, model.meta.outputNode);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rope and mul elements replayed on chain equal the trace; a forged table entry is refused', async () => {
    const model = prepareModel(tinyQuantizedLlama().model);
    const r = await registerLayout({ publicClient: clients.publicClient, wallet: clients.wallet(chain.accounts[0]!.privateKey as Hex) }, verifier, model);
    assert.equal(r.modelHash, toHex(model.modelHash));
    const L = (await read('layoutOf', [r.modelHash])) as { weightsDepth: number; stepElements: bigint };
    assert.equal(L.weightsDepth, commitWeights(model.weights).depth);
    assert.equal(L.stepElements, BigInt(model.layout.stepElements));
    const input = { prompt: [1, 40, 7, 250], maxTokens: 3 };
    const trace = runModel(model, input, { trace: true }).trace!;
    const party = new TraceParty(trace, modelStepSource(model, prepareQuery(model, input).query), { arity: 16 });
    const inputC = party.input!;
    const inp = { root: toHex(inputC.root), length: BigInt(inputC.length), seeded: false, seed: 0n };
    const prefix = (e: number) => ({ root: party.root, depth: BigInt(party.commitment.depth), element: BigInt(e), leaf: party.leaf(Math.floor(e / 8)) });
    const { stepElements, offsets } = model.layout;
    const steps = trace.length / stepElements;
    let checked = 0;
    for (let n = 0; n < model.nodes.length; n++) {
      const { op, size } = model.nodes[n]!;
      if (op !== 'rope' && op !== 'mul') continue;
      for (const t of [0, steps - 1]) {
        for (const pos of [1, size - 1]) {
          const e = t * stepElements + offsets[n]! + pos;
          const s = party.elementStep(e);
          assert.equal(await read('elementwise', [r.modelHash, s.node, prefix(e), inp, s.proofs]), BigInt(trace[e]!), `${op} node ${n} step ${t} pos ${pos}`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 20, `${checked} elements`);
    // A rope element at the last step proves table entries of row t: a forged proof (first leaf replaced) is refused.
    const rope = model.nodes.findIndex((x) => x.op === 'rope');
    const e = (steps - 1) * stepElements + offsets[rope]! + 3;
    const s = party.elementStep(e);
    const forged = `0x${'11'.repeat(32)}${s.proofs.slice(66)}` as Hex;
    await assert.rejects(read('elementwise', [r.modelHash, s.node, prefix(e), inp, forged]), /Bad(Trace|Weight|Input)Proof/);
  });
});
