/**
 * Writes models/manifest.json: the model hash each shipped model is pinned to (src/engine/shipped-manifest.ts;
 * issue 10 §5). Run it after rebuilding a model, and commit both files together:
 *
 *   node_modules/.bin/node models/write-manifest.ts
 *
 * src/engine/tasks/shipped-models.test.ts checks that the manifest lists exactly models/*.hsm with their hashes.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { toHex } from '../src/common/bytes.ts';
import { decodeModelFile } from '../src/engine/model-file.ts';
import { MANIFEST_FILE, type ShippedManifest } from '../src/engine/shipped-manifest.ts';

const here = new URL('.', import.meta.url);

/** The manifest of the .hsm files in `dir` (a file: URL ending in /), sorted by name. */
export function buildManifest(dir: URL): ShippedManifest {
  const files = readdirSync(dir).filter((f) => f.endsWith('.hsm')).sort();
  return {
    description: 'Model hashes the shipped models are pinned to: `hyperspace model` refuses a shipped name whose file has another hash (src/engine/shipped-manifest.ts). Written by models/write-manifest.ts; do not edit by hand.',
    models: files.map((file) => ({ name: basename(file, '.hsm'), file, modelHash: toHex(decodeModelFile(new Uint8Array(readFileSync(new URL(file, dir)))).modelHash) })),
  };
}

if (import.meta.main) {
  const manifest = buildManifest(here);
  writeFileSync(new URL(MANIFEST_FILE, here), JSON.stringify(manifest, null, 2) + '\n');
  process.stderr.write(`wrote models/${MANIFEST_FILE}: ${manifest.models.map((m) => `${m.name} ${m.modelHash}`).join(', ')}\n`);
}
