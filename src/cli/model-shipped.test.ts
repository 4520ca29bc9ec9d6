/**
 * `hyperspace model` against a modified shipped model and off-task prompts (issue 10 §5): a shipped name is pinned
 * to its model hash in models/manifest.json, and a model that declares its task refuses prompts outside it.
 * Uses copies of the real shipped files and manifest in a temporary models folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './main.ts';
import type { CliIo } from './io.ts';
import { decodeModelFile } from '../engine/model-file.ts';

const shippedDir = fileURLToPath(new URL('../../models/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(shippedDir, 'manifest.json'), 'utf8')) as { models: { name: string; modelHash: string }[] };
const pinned = (name: string) => manifest.models.find((m) => m.name === name)!.modelHash;

/** A models folder holding copies of the shipped files and manifest; `tamper` edits sort-transformer.hsm's bytes. */
function modelsFolder(tamper?: (bytes: Uint8Array) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'hs-shipped-'));
  for (const f of ['sort-transformer.hsm', 'ffn-glyphs.hsm', 'manifest.json']) copyFileSync(join(shippedDir, f), join(dir, f));
  if (tamper) {
    const bytes = new Uint8Array(readFileSync(join(dir, 'sort-transformer.hsm')));
    tamper(bytes);
    writeFileSync(join(dir, 'sort-transformer.hsm'), bytes);
  }
  return dir;
}

/** Flips one bit of a byte in the middle of the weights blob (the file's last section; its length is header word 20). */
function flipWeightByte(bytes: Uint8Array): void {
  const weightsLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(20, true);
  bytes[bytes.length - Math.floor(weightsLength / 2)]! ^= 0x01;
}

async function cli(dir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string; json: any }> {
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

const intact = modelsFolder();
const flipped = modelsFolder(flipWeightByte);

test('the shipped models match their pins: run reports shipped.matches = true, list shows the pins', async () => {
  const r = await cli(intact, 'run', 'sort-transformer', '--prompt', 'hcafbd=', '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.output, 'abcdfh');
  assert.deepEqual(r.json.shipped, { name: 'sort-transformer', pinnedModelHash: pinned('sort-transformer'), matches: true });
  assert.equal(r.json.modelHash, pinned('sort-transformer'));
  const list = await cli(intact, 'list', '--json');
  assert.deepEqual(list.json.models.map((m: { name: string; matches: boolean }) => [m.name, m.matches]), [['ffn-glyphs', true], ['sort-transformer', true]]);
});

test('a flipped weight byte in a shipped file: run, trace and prove by its shipped name are refused (exit 1, MODEL_SHIPPED_MISMATCH)', async () => {
  const model = decodeModelFile(new Uint8Array(readFileSync(join(flipped, 'sort-transformer.hsm'))));
  assert.equal(model.meta.name, 'sort-transformer'); // still a valid model file: only the hash tells
  for (const argv of [['run'], ['trace'], ['prove', '--element', '0']]) {
    const r = await cli(flipped, argv[0]!, 'sort-transformer', '--prompt', 'hcafbd=', ...argv.slice(1), '--json');
    assert.equal(r.code, 1, argv[0]);
    assert.equal(r.json.error.code, 'MODEL_SHIPPED_MISMATCH');
    assert.equal(r.json.error.details.pinnedModelHash, pinned('sort-transformer'));
    assert.notEqual(r.json.error.details.actualModelHash, pinned('sort-transformer'));
    assert.match(r.err, /is not the shipped sort-transformer.*--allow-modified/);
    assert.equal(r.err.trim().split('\n').length, 1); // one line, no stack
  }
  // The untouched model beside it is unaffected.
  assert.equal((await cli(flipped, 'run', 'ffn-glyphs', '--prompt', Array(64).fill('0').join(','))).code, 0);
});

test('--allow-modified runs the modified file, flagged loudly on stderr and in the JSON', async () => {
  const r = await cli(flipped, 'run', 'sort-transformer', '--prompt', 'hcafbd=', '--allow-modified', '--json');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /WARNING: .*is not the shipped sort-transformer.*running it anyway/);
  assert.equal(r.json.shipped.matches, false);
  assert.equal(r.json.shipped.pinnedModelHash, pinned('sort-transformer'));
  assert.notEqual(r.json.modelHash, pinned('sort-transformer'));
  // info and hash inspect the file: they answer, flagged, rather than refuse.
  const info = await cli(flipped, 'info', 'sort-transformer', '--json');
  assert.equal(info.code, 0);
  assert.equal(info.json.shipped.matches, false);
  assert.match(info.err, /WARNING/);
  const list = await cli(flipped, 'list');
  assert.match(list.out, /sort-transformer .*MODIFIED/);
});

test('a file given by path that calls itself a shipped model but is not: runs (the user chose it) with a note', async () => {
  const r = await cli(flipped, 'run', join(flipped, 'sort-transformer.hsm'), '--prompt', 'hcafbd=', '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.shipped.matches, false);
  assert.match(r.err, /calls itself 'sort-transformer' but is not the shipped sort-transformer/);
});

test('a malformed or oversized manifest is a typed error, not a silent pass', async () => {
  const dir = modelsFolder();
  for (const text of ['{', '{"models": [{"name": "sort-transformer", "file": "sort-transformer.hsm", "modelHash": "0x00"}]}', '{"models": [{"name": "../x", "file": "x.hsm", "modelHash": "0x' + '0'.repeat(64) + '"}]}']) {
    writeFileSync(join(dir, 'manifest.json'), text);
    const r = await cli(dir, 'run', 'sort-transformer', '--prompt', 'hcafbd=', '--json');
    assert.equal(r.code, 1);
    assert.equal(r.json.error.code, 'MODEL_MANIFEST_BAD');
  }
  writeFileSync(join(dir, 'manifest.json'), ' '.repeat((1 << 20) + 1));
  assert.equal((await cli(dir, 'run', 'sort-transformer', '--prompt', 'hcafbd=', '--json')).json.error.code, 'MODEL_MANIFEST_BAD');
});

test('sort-transformer refuses off-task prompts with the reason: no "=", repeated letters, more than 8 letters, fewer than 3', async () => {
  const cases: [string, RegExp][] = [
    ['hcafbd', /must end with '='/],
    ['aabc=', /letter 'a' repeats/],
    ['abcdefghi=', /too long/],
    ['ab=', /needs 3–8 letters, got 2/],
    ['abc=d=', /letter '=' is outside the alphabet/],
  ];
  for (const [prompt, reason] of cases) {
    const r = await cli(intact, 'run', 'sort-transformer', '--prompt', prompt, '--json');
    assert.equal(r.code, 1, prompt);
    assert.equal(r.json.error.code, 'MODEL_OFF_TASK_INPUT', prompt);
    assert.equal(r.json.error.details.task, 'sort-letters');
    assert.match(r.json.error.details.reason, reason, prompt);
    assert.match(r.err, /trained only on 3–8 distinct letters from a–p followed by '='/);
  }
  // On task: answered, offTask null. 8 letters is the upper bound and still on task.
  const ok = await cli(intact, 'run', 'sort-transformer', '--prompt', 'ponmlkji=', '--json');
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.json.output, 'ijklmnop');
  assert.equal(ok.json.offTask, null);
});

test('--allow-off-task runs an off-task prompt with a warning and "offTask" in the JSON', async () => {
  const r = await cli(intact, 'run', 'sort-transformer', '--prompt', 'aabc=', '--allow-off-task', '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.offTask.task, 'sort-letters');
  assert.match(r.json.offTask.reason, /repeats/);
  assert.match(r.err, /WARNING: off-task prompt for sort-transformer/);
});

test('ffn-glyphs refuses a pixel outside [0, 127] (int8, but never seen in training)', async () => {
  const pixels = Array(64).fill(10);
  pixels[5] = -3;
  const r = await cli(intact, 'run', 'ffn-glyphs', '--prompt', pixels.join(','), '--json');
  assert.equal(r.code, 1);
  assert.equal(r.json.error.code, 'MODEL_OFF_TASK_INPUT');
  assert.match(r.json.error.details.reason, /pixel 5 is -3/);
});

test('real process: a modified shipped model exits 1 with one line on stderr', () => {
  const bin = fileURLToPath(new URL('../../bin/hyperspace.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, 'model', 'run', 'sort-transformer', '--prompt', 'hcafbd='], { encoding: 'utf8', env: { ...process.env, HYPERSPACE_MODELS_DIR: flipped } });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^hyperspace: .* is not the shipped sort-transformer: its model hash is 0x[0-9a-f]{64}, the manifest pins 0x[0-9a-f]{64}/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
