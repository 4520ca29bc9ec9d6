import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.ts';
import type { CliIo } from './io.ts';
import { encodeModelFile } from '../engine/model-file.ts';
import { tinyMlp, tinyTransformer } from '../testnet/test-models.ts';
import { verifyElementProof, elementProofFromJson } from '../commitment/trace.ts';
import { fromHex } from '../common/bytes.ts';

const dir = mkdtempSync(join(tmpdir(), 'hs-model-'));
writeFileSync(join(dir, 'tiny-transformer.hsm'), encodeModelFile(tinyTransformer()));
writeFileSync(join(dir, 'tiny-mlp.hsm'), encodeModelFile(tinyMlp()));
writeFileSync(join(dir, 'broken.hsm'), new Uint8Array(40));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; json: any }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: { HYPERSPACE_MODELS_DIR: dir }, interactive: false };
  const code = await main(['model', ...argv], io);
  let json: any = null;
  try {
    json = JSON.parse(out);
  } catch {}
  return { code, out, err, json };
}

test('model list shows shipped models, marking a broken file', async () => {
  const r = await cli('list', '--json');
  assert.equal(r.code, 0);
  const names = r.json.models.map((m: { name: string }) => m.name);
  assert.deepEqual(names, ['broken', 'tiny-mlp', 'tiny-transformer']);
  assert.equal(r.json.models[0].error, 'MODEL_BAD_MAGIC');
});

test('model run by name gives output, hashes and tokens; same seed same output', async () => {
  const a = await cli('run', 'tiny-transformer', '--prompt', 'abc', '--max-tokens', '4', '--seed', '7', '--json', '--kernels', 'reference');
  const b = await cli('run', 'tiny-transformer', '--prompt', 'abc', '--max-tokens', '4', '--seed', '7', '--json');
  assert.equal(a.code, 0, a.err);
  assert.equal(a.json.outputHash, b.json.outputHash);
  assert.match(a.json.modelHash, /^0x[0-9a-f]{64}$/);
  assert.ok(a.json.tokens.length >= 1 && a.json.tokens.length <= 4);
  const h = await cli('hash', join(dir, 'tiny-transformer.hsm'));
  assert.equal(h.out.trim(), a.json.modelHash);
  const c = await cli('run', 'tiny-mlp', '--prompt', '1,2,3,4,5,6,7,8', '--json');
  assert.equal(c.code, 0, c.err);
  assert.equal(c.json.tokens.length, 1);
});

test('model trace and prove: the proof verifies against the trace root', async () => {
  const t = await cli('trace', 'tiny-transformer', '--prompt', 'ab', '--max-tokens', '2', '--json');
  assert.equal(t.code, 0, t.err);
  assert.equal(t.json.elements, t.json.steps * t.json.stepElements);
  const p = await cli('prove', 'tiny-transformer', '--prompt', 'ab', '--max-tokens', '2', '--element', String(t.json.elements - 1), '--json');
  assert.equal(p.code, 0, p.err);
  assert.equal(p.json.traceRoot, t.json.traceRoot);
  assert.equal(p.json.op, 'select');
  assert.ok(verifyElementProof(fromHex(p.json.traceRoot), elementProofFromJson(p.json.proof), t.json.elements));
  const info = await cli('info', 'tiny-transformer', '--json');
  assert.equal(info.json.stepElements, t.json.stepElements);
});

test('bad inputs: unknown model, too-long prompt, out-of-range element, bad flags', async () => {
  assert.equal((await cli('info', 'nope')).code, 1);
  assert.equal((await cli('info', 'broken')).code, 1);
  const long = await cli('run', 'tiny-transformer', '--prompt', 'abcdefghabcdefgh', '--json');
  assert.equal(long.code, 1);
  assert.equal(long.json.error.code, 'ENGINE_BAD_INPUT');
  assert.equal((await cli('run', 'tiny-transformer', '--prompt', 'xyz')).code, 1);
  assert.equal((await cli('prove', 'tiny-transformer', '--prompt', 'ab', '--element', '999999', '--json')).code, 1);
  assert.equal((await cli('run', 'tiny-transformer')).code, 2);
  assert.equal((await cli('run', 'tiny-transformer', '--prompt', 'a', '--seed', '-1')).code, 2);
  assert.equal((await cli('frobnicate')).code, 2);
  // A directory (not named like a shipped model) is named as such, not as "no model".
  const d = await cli('info', dir, '--json');
  assert.equal(d.code, 1);
  assert.equal(d.json.error.code, 'MODEL_FILE_UNREADABLE');
  assert.match(d.err, /is a directory/);
  assert.equal((await cli('info', join(dir, 'missing.hsm'), '--json')).json.error.code, 'MODEL_NOT_FOUND');
});
