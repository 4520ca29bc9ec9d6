import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.ts';
import type { CliIo } from '../../cli/io.ts';
import { decodeModelFile } from '../model-file.ts';
import { runModel } from '../runner.ts';
import { bpeToHf } from '../tokenizers/hf-tokenizer.ts';
import type { BpeVocab } from '../tokenizers/byte-bpe.ts';
import type { TextTokenizer } from '../tokenizers/meta.ts';
import { tinyLlamaGguf, tokenizerFixture } from '../../testnet/llm-fixtures.ts';
import { writeHfDir } from '../../testnet/hf-fixtures.ts';
import { importModel } from './import-model.ts';

const dir = mkdtempSync(join(tmpdir(), 'hs-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TEMPLATE = "{% for m in messages %}<|endoftext|>{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; json: any }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, interactive: false };
  const code = await main(['model', ...argv], io);
  let json: any = null;
  try {
    json = JSON.parse(out);
  } catch {}
  return { code, out, err, json };
}

test('import: a GGUF and a safetensors directory of the same weights and tokenizer give the same model hash; the model runs on text', async () => {
  const tiny = tinyLlamaGguf('F32', 6, { contextLength: 48 }, 'bpe-gpt-2');
  const gguf = join(dir, 'tiny.gguf');
  writeFileSync(gguf, tiny.gguf);
  const hf = join(dir, 'tiny-hf');
  writeHfDir(hf, tiny.weights, 'F32', 2);
  const t = bpeToHf(tokenizerFixture('bpe-gpt-2').vocab as BpeVocab);
  writeFileSync(join(hf, 'tokenizer.json'), JSON.stringify(t.tokenizer));
  writeFileSync(join(hf, 'tokenizer_config.json'), JSON.stringify(t.config));
  const stages: string[] = [];
  const a = importModel(gguf, { name: 'tiny', contextLength: 32, onProgress: (s) => stages.push(s) });
  const b = importModel(hf, { name: 'tiny', contextLength: 32 });
  assert.deepEqual(a.model.modelHash, b.model.modelHash);
  assert.equal(a.format, 'gguf');
  assert.equal(b.format, 'safetensors');
  assert.ok(stages.includes('calibrate') && stages.includes('quantize'));
  assert.equal(a.report.tensors.length, 2 + 2 * 7); // embedding, output and 7 matrices per layer
  assert.ok(a.report.tensors.every((x) => x.relativeError > 0 && x.relativeError < 0.02), JSON.stringify(a.report.tensors.map((x) => x.relativeError)));
  // The tokenizer travels in the file: encode text, run, decode.
  const m = decodeModelFile((await import('../model-file.ts')).encodeModelFile(a.model));
  const tok = m.layout.tokenizer as TextTokenizer;
  const prompt = tok.encode('The quick brown fox');
  assert.equal(prompt[0], tok.bosId);
  const r = runModel(m, { prompt, maxTokens: 5 });
  assert.ok(r.output.length >= 1);
  assert.equal(typeof tok.decode(r.output), 'string');
  // A different tokenizer (another pre-tokenizer) or another chat template changes the hash.
  const other = tinyLlamaGguf('F32', 6, { contextLength: 48 }, 'bpe-llama-bpe');
  writeFileSync(join(dir, 'other.gguf'), other.gguf);
  assert.notDeepEqual(importModel(join(dir, 'other.gguf'), { name: 'tiny', contextLength: 32 }).model.modelHash, a.model.modelHash);
  writeFileSync(join(hf, 'tokenizer_config.json'), JSON.stringify({ ...(t.config as object), chat_template: TEMPLATE }));
  const c = importModel(hf, { name: 'tiny', contextLength: 32 });
  assert.notDeepEqual(c.model.modelHash, a.model.modelHash);
  assert.equal((c.model.layout.tokenizer as TextTokenizer).chatTemplate, TEMPLATE);
});

test('model import (CLI): writes the file and a JSON report; bad, truncated and hostile files exit 1 with a typed error', async () => {
  const tiny = tinyLlamaGguf('Q8_0', 2, {}, 'spm');
  const gguf = join(dir, 'q8.gguf');
  writeFileSync(gguf, tiny.gguf);
  const out = join(dir, 'q8.hsm');
  const r = await cli('import', gguf, '--out', out, '--context', '16', '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.format, 'gguf');
  assert.equal(r.json.contextLength, 16);
  assert.equal(r.json.tokenizer.kind, 'spm');
  assert.equal(r.json.modelHash, '0x' + Buffer.from(decodeModelFile(readFileSync(out)).modelHash).toString('hex'));
  const bad: [string, Uint8Array][] = [
    ['truncated.gguf', tiny.gguf.slice(0, tiny.gguf.length - 100)],
    ['header-only.gguf', tiny.gguf.slice(0, 20)],
    ['zeros.gguf', new Uint8Array(4096)],
  ];
  const huge = tiny.gguf.slice();
  new DataView(huge.buffer).setBigUint64(8, 2n ** 62n, true); // tensor count
  bad.push(['huge-count.gguf', huge]);
  for (const [name, bytes] of bad) {
    writeFileSync(join(dir, name), bytes);
    const e = await cli('import', join(dir, name), '--out', join(dir, 'x.hsm'), '--json');
    assert.equal(e.code, 1, `${name}: ${e.out}${e.err}`);
    assert.match(e.out + e.err, /IMPORT_|MODEL_/, name);
  }
  const missing = await cli('import', join(dir, 'nope.gguf'), '--out', join(dir, 'x.hsm'));
  assert.equal(missing.code, 1);
  assert.equal((await cli('import', '--out', join(dir, 'x.hsm'))).code, 2);
});
