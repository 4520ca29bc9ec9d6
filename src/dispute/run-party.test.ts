/** A dispute party built from an inference pipeline run stands behind the trace root its receipt signed. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { toHex } from '../common/bytes.ts';
import { decodeModelFile } from '../engine/model-file.ts';
import { InferencePipeline } from '../inference/pipeline.ts';
import { partyFromRun } from './run-party.ts';

const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/shipped-models.json', import.meta.url), 'utf8')) as {
  models: Array<{ name: string; file: string; runs: Array<{ query: { prompt?: string }; traceRoot: string }> }>;
};

test('pipeline → dispute: the party from a run (its trace re-run on demand) has the receipt’s traceRoot and the golden root', () => {
  const v = vectors.models.find((m) => m.name === 'sort-transformer')!;
  const model = decodeModelFile(new Uint8Array(readFileSync(new URL(`../../${v.file}`, import.meta.url))));
  const pipeline = new InferencePipeline({ model });
  const run = pipeline.run({ prompt: model.layout.tokenizer!.encode(v.runs[0]!.query.prompt!) });
  assert.equal(run.trace, null);
  const party = partyFromRun(pipeline, run);
  const receipt = pipeline.receipt(run, { queryHash: new Uint8Array(32), node: new Uint8Array(20), fee: 0n, issuedAt: 0n });
  assert.equal(toHex(party.receiptRoot), toHex(receipt.traceRoot));
  assert.equal(party.root, v.runs[0]!.traceRoot);
  assert.equal(party.input?.length, run.query.prompt.length, 'the party proves input elements of the query it ran');
  pipeline.close();
});
