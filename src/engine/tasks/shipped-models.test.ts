/**
 * The shipped models give the recorded hashes, outputs and trace roots (test/vectors/shipped-models.json): the
 * same root on any machine (issue 4 item 4). The vector was made once by test/vectors/generate-shipped-models.ts;
 * a failure here means either the engine's semantics or a model file changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { toHex } from '../../common/bytes.ts';
import { decodeModelFile } from '../model-file.ts';
import { DEFAULTS as TRACE_DEFAULTS } from '../../commitment/trace.ts';
import { answer, QUERIES, type ShippedQuery } from '../../../test/vectors/generate-shipped-models.ts';
import { buildManifest } from '../../../models/write-manifest.ts';
import { MANIFEST_FILE, parseManifest } from '../shipped-manifest.ts';

interface Vectors {
  arity: number;
  models: Array<{ name: string; file: string; modelHash: string; graphHash: string; weightsRoot: string; stepElements: number; runs: Array<{ query: ShippedQuery } & ReturnType<typeof answer>> }>;
}
const vectors = JSON.parse(readFileSync(new URL('../../../test/vectors/shipped-models.json', import.meta.url), 'utf8')) as Vectors;

test('shipped models: recorded model hashes, outputs, trace roots and partial-sums roots are recomputed exactly', () => {
  assert.equal(vectors.arity, TRACE_DEFAULTS.arity);
  assert.deepEqual(vectors.models.map((m) => m.name).sort(), Object.keys(QUERIES).sort());
  for (const v of vectors.models) {
    const model = decodeModelFile(new Uint8Array(readFileSync(new URL(`../../../${v.file}`, import.meta.url))));
    assert.equal(toHex(model.modelHash), v.modelHash, v.name);
    assert.equal(toHex(model.graphHash), v.graphHash, v.name);
    assert.equal(toHex(model.weightsRoot), v.weightsRoot, v.name);
    assert.equal(model.layout.stepElements, v.stepElements, v.name);
    assert.ok(v.runs.length >= 2);
    for (const run of v.runs) {
      const { query, ...expected } = run;
      assert.deepEqual(answer(model, query), expected, `${v.name} ${JSON.stringify(query).slice(0, 60)}`);
    }
  }
  // The runs differ from each other (a vector of identical answers would check nothing).
  const roots = vectors.models.flatMap((m) => m.runs.map((r) => r.traceRoot));
  assert.equal(new Set(roots).size, roots.length);
});

test('models/manifest.json pins exactly the shipped files, at the hashes of the golden vector', () => {
  const dir = new URL('../../../models/', import.meta.url);
  const manifest = parseManifest(new Uint8Array(readFileSync(new URL(MANIFEST_FILE, dir))), MANIFEST_FILE);
  assert.deepEqual(manifest, buildManifest(dir)); // regenerate with models/write-manifest.ts after rebuilding a model
  for (const v of vectors.models) assert.equal(manifest.models.find((m) => m.name === v.name)?.modelHash, v.modelHash, v.name);
});
