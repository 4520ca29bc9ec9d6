/**
 * Generates test/vectors/tokenizers.json: the token ids that llama.cpp (node-llama-cpp 3.21.1, CPU) gives for a
 * fixed set of strings, for each tokenizer fixture written as GGUF by our own writer (src/testnet/llm-fixtures.ts;
 * whitepaper §2.2.6: every node must derive the same ids). Read by src/engine/tokenizers/tokenizers.test.ts, which
 * checks our tokenizers against these ids and the fixture files against the recorded hashes.
 *
 *   node_modules/.bin/node test/vectors/generate-tokenizers.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../../src/common/bytes.ts';
import { keccak256 } from '../../src/crypto/keccak.ts';
import { TOKENIZER_FIXTURES, TOKENIZER_STRINGS, tinyLlamaGguf } from '../../src/testnet/llm-fixtures.ts';
import { llamaCpp, loadLlamaCpp } from '../../src/testnet/llama-cpp-reference.ts';

const dir = mkdtempSync(join(tmpdir(), 'hs-tok-'));
const fixtures: Record<string, { ggufKeccak: string; cases: { text: string; ids: number[] }[] }> = {};
for (const kind of TOKENIZER_FIXTURES) {
  const t = tinyLlamaGguf('F32', 1, {}, kind);
  const path = join(dir, `${kind}.gguf`);
  writeFileSync(path, t.gguf);
  const ref = await loadLlamaCpp(path);
  fixtures[kind] = { ggufKeccak: toHex(keccak256(t.gguf)), cases: TOKENIZER_STRINGS.map((text) => ({ text, ids: ref.tokenize(text) })) };
  await ref.dispose();
}
await (await llamaCpp()).dispose();
rmSync(dir, { recursive: true, force: true });
const out = { reference: 'llama.cpp via node-llama-cpp 3.21.1, model.tokenize(text, false)', fixtures };
// One line per id list: the file stays reviewable.
const json = JSON.stringify(out, null, 1).replace(/\[\s*([\d,\s]*?)\s*\]/g, (_, ids: string) => `[${ids.replace(/\s+/g, '')}]`);
writeFileSync(new URL('./tokenizers.json', import.meta.url), json + '\n');
