/**
 * Writes a Hugging Face-style model directory (config.json + model.safetensors) from Llama weights with our own
 * safetensors writer: the import tests' second format (whitepaper §2.2.6). Test scaffolding only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors } from '../engine/gguf/safetensors-reader.ts';
import { encodeTensor, typeByName } from '../engine/gguf/tensor-types.ts';
import type { LlamaWeights } from '../engine/llm/llama-config.ts';
import { llamaToHf } from '../engine/llm/llama-safetensors.ts';

export function writeHfDir(dir: string, w: LlamaWeights, dtype: 'F32' | 'F16' | 'BF16' = 'F32', shards = 1): void {
  mkdirSync(dir, { recursive: true });
  const hf = llamaToHf(w);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hf.config, null, 2));
  const per = Math.ceil(hf.tensors.length / shards);
  for (let s = 0; s < shards; s++) {
    const part = hf.tensors.slice(s * per, (s + 1) * per).map((t) => ({ name: t.name, shape: t.shape, dtype, data: encodeTensor(typeByName(dtype)!, t.values, t.name) }));
    writeFileSync(join(dir, `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`), encodeSafetensors(part, { format: 'pt' }));
  }
}
