/**
 * The inference pipeline gives the golden answers (test/vectors/shipped-models.json) on both kernels: the
 * outputHash of the happy path (wasm one-call, no trace) and the traceRoot committed on demand by a re-run; its
 * receipt recovers to the signer and carries those hashes. A Query for another model, prompt, seed or length is
 * refused before signing — what a client would send to frame a node with a receipt for a query it never ran.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromHex, toHex } from '../common/bytes.ts';
import { ethereumAddressOf, nodeAddressOf, publicKeyOf } from '../identity/node-address.ts';
import { decodeModelFile, type LoadedModel } from '../engine/model-file.ts';
import { referenceKernels } from '../engine/kernels/kernels.ts';
import { loadWasmKernels } from '../engine/kernels/wasm.ts';
import type { RunInput } from '../engine/run-query.ts';
import { hyperspaceDomain, queryDigest, recoverReceiptSigner, samplingParamsHash, type Query } from '../wire/query-receipt.ts';
import { InferenceMismatchError } from './errors.ts';
import { InferencePipeline } from './pipeline.ts';
import { commitQueryInput, queryInputValues } from './query-input.ts';

interface ShippedRun {
  query: { prompt?: string; vector?: number[]; maxTokens?: number; seed?: string | null };
  output: number[];
  outputHash: string;
  traceRoot: string;
}
const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/shipped-models.json', import.meta.url), 'utf8')) as {
  arity: number;
  models: Array<{ name: string; file: string; runs: ShippedRun[] }>;
};
const load = (file: string): LoadedModel => decodeModelFile(new Uint8Array(readFileSync(new URL(`../../${file}`, import.meta.url))));

function inputOf(model: LoadedModel, q: ShippedRun['query']): RunInput {
  const seed = q.seed === undefined || q.seed === null ? null : BigInt(q.seed);
  if (q.vector) return { vector: q.vector, seed };
  return { prompt: model.layout.tokenizer!.encode(q.prompt!), seed, ...(q.maxTokens === undefined ? {} : { maxTokens: q.maxTokens }) };
}

const SECRET = fromHex('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const NODE = fromHex(ethereumAddressOf(nodeAddressOf(publicKeyOf(SECRET))));
const DOMAIN = hyperspaceDomain(31337n, fromHex('0x5fbdb2315678afecb367f032d93f642f64180aa3'));

test('pipeline: golden outputHash without a trace and traceRoot on demand, with the wasm and the reference kernels', async () => {
  const wasm = await loadWasmKernels();
  for (const v of vectors.models) {
    const model = load(v.file);
    for (const kernels of [wasm, referenceKernels]) {
      const pipeline = new InferencePipeline({ model, kernels }, { arity: vectors.arity });
      try {
        for (const r of v.runs) {
          const run = pipeline.run(inputOf(model, r.query));
          assert.equal(run.trace, null, 'the happy path keeps no trace');
          assert.equal(toHex(run.result.outputHash), r.outputHash, `${v.name} ${kernels.name}`);
          assert.deepEqual(Array.from(run.result.output), r.output);
          assert.equal(toHex(pipeline.commitTrace(run).root), r.traceRoot, `${v.name} ${kernels.name} trace root on demand`);
          assert.equal(pipeline.commitTrace(run), run.commitment, 'committed once per run');
        }
      } finally {
        pipeline.close();
      }
    }
  }
});

test('pipeline: the receipt answers the checked query, carries the golden hashes and recovers to its signer', () => {
  const v = vectors.models.find((m) => m.name === 'sort-transformer')!;
  const model = load(v.file);
  const pipeline = new InferencePipeline({ model });
  const golden = v.runs[1]!; // maxTokens 3: the explicit length is what paramsHash signs
  const run = pipeline.run(inputOf(model, golden.query));
  const query: Query = {
    client: fromHex(`0x${'11'.repeat(20)}`),
    modelHash: model.modelHash,
    promptHash: commitQueryInput(queryInputValues(run.query)).promptHash,
    paramsHash: samplingParamsHash({ seed: null, maxTokens: 3 }),
    maxFee: 10n ** 15n,
    nonce: 7n,
    deadline: 2n ** 40n,
  };
  pipeline.checkQuery(query, run);
  const queryHash = queryDigest(DOMAIN, query);
  const { receipt, signature } = pipeline.signedReceipt(run, { queryHash, node: NODE, fee: 1000n, issuedAt: 1_700_000_000n }, DOMAIN, SECRET);
  assert.equal(toHex(receipt.outputHash), golden.outputHash);
  assert.equal(toHex(receipt.traceRoot), golden.traceRoot);
  assert.equal(toHex(receipt.queryHash), toHex(queryHash));
  assert.equal(toHex(receipt.modelHash), toHex(model.modelHash));
  assert.equal(toHex(recoverReceiptSigner(DOMAIN, receipt, signature)), toHex(NODE));

  // A dishonest client's correctly signed queries that name something else than what the node ran.
  const other = load(vectors.models.find((m) => m.name !== 'sort-transformer')!.file);
  const cases: Array<[Partial<Query>, string]> = [
    [{ modelHash: other.modelHash }, 'modelHash'],
    [{ promptHash: commitQueryInput(Int32Array.of(1, 2, 3)).promptHash }, 'promptHash'],
    [{ paramsHash: samplingParamsHash({ seed: 5n, maxTokens: 3 }) }, 'paramsHash'],
    [{ paramsHash: samplingParamsHash({ seed: null, maxTokens: 4 }) }, 'paramsHash'],
  ];
  for (const [change, field] of cases) {
    assert.throws(() => pipeline.checkQuery({ ...query, ...change }, run), (e: unknown) => e instanceof InferenceMismatchError && e.details.field === field);
  }
  pipeline.close();
});
