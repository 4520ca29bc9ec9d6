/**
 * The manifest of shipped models, models/manifest.json (whitepaper §2.2.4: a model is known by its hash; issue 10
 * §5): the model hash each shipped name is pinned to. A shipped file whose bytes changed (a flipped weight, a
 * partial download, a substituted file) still loads and runs, and only its printed hash would differ; the CLI
 * compares the hash with the pin and refuses the name (docs/models.md "Pinned hashes").
 *
 * The modelHash pins the whole file: the file is exactly its metadata, node table and weights with a fixed header
 * and zero padding (model-file.ts), and modelHash commits to all three.
 *
 *   { "description": "…", "models": [ { "name": "sort-transformer", "file": "sort-transformer.hsm", "modelHash": "0x…" }, … ] }
 *
 * Written by models/write-manifest.ts from models/*.hsm; parsed here as untrusted input (size and shape checked).
 */
import { BaseError } from '../common/errors.ts';

export const MANIFEST_FILE = 'manifest.json';

export interface ShippedManifestOptions {
  /** Largest manifest file accepted. */
  maxBytes: number;
  /** Most entries. */
  maxModels: number;
}

export const DEFAULTS: ShippedManifestOptions = {
  maxBytes: 1 << 20, // 1 MiB: an entry is ~150 bytes, so thousands fit; bounds the one read and parse
  maxModels: 1024, // far above the shipped models (two today)
};

export interface ShippedEntry {
  /** The name users type: the file's base name. */
  name: string;
  /** File name within the models folder. */
  file: string;
  /** 0x-prefixed lowercase hex of the 32-byte modelHash. */
  modelHash: string;
}

export interface ShippedManifest {
  description: string;
  models: ShippedEntry[];
}

export class ManifestFormatError extends BaseError<{ path: string; reason: string }> {
  constructor(path: string, reason: string) {
    super('MODEL_MANIFEST_BAD', `shipped-model manifest ${path}: ${reason}`, { details: { path, reason } });
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const HASH = /^0x[0-9a-f]{64}$/;

/** Parses and checks a manifest's bytes; `path` only names it in errors. */
export function parseManifest(bytes: Uint8Array, path: string, options: Partial<ShippedManifestOptions> = {}): ShippedManifest {
  const opts = { ...DEFAULTS, ...options };
  if (bytes.length > opts.maxBytes) throw new ManifestFormatError(path, `${bytes.length} bytes, above the ${opts.maxBytes} limit`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ManifestFormatError(path, `not UTF-8 JSON (${(error as Error).message})`);
  }
  const v = value as { description?: unknown; models?: unknown };
  if (v === null || typeof v !== 'object' || !Array.isArray(v.models)) throw new ManifestFormatError(path, 'needs an object with a "models" array');
  if (v.models.length > opts.maxModels) throw new ManifestFormatError(path, `${v.models.length} models, above the ${opts.maxModels} limit`);
  const seen = new Set<string>();
  const models = v.models.map((e: unknown, i: number): ShippedEntry => {
    const m = e as Partial<ShippedEntry> | null;
    if (m === null || typeof m !== 'object') throw new ManifestFormatError(path, `models[${i}] is not an object`);
    if (typeof m.name !== 'string' || !NAME.test(m.name)) throw new ManifestFormatError(path, `models[${i}].name must match ${NAME}`);
    if (typeof m.file !== 'string' || !NAME.test(m.file)) throw new ManifestFormatError(path, `models[${i}].file must be a plain file name`);
    if (typeof m.modelHash !== 'string' || !HASH.test(m.modelHash)) throw new ManifestFormatError(path, `models[${i}].modelHash must be 0x and 64 lowercase hex digits`);
    if (seen.has(m.name)) throw new ManifestFormatError(path, `models[${i}]: name '${m.name}' appears twice`);
    seen.add(m.name);
    return { name: m.name, file: m.file, modelHash: m.modelHash };
  });
  return { description: typeof v.description === 'string' ? v.description : '', models };
}

/** What a resolved model is against the manifest: pinned and matching, pinned and different, or not pinned. */
export interface ShippedCheck {
  name: string;
  /** The pinned hash, or null when the manifest does not list the name. */
  pinnedModelHash: string | null;
  /** Whether the file's hash is the pinned one (null when not pinned). */
  matches: boolean | null;
}

/** Compares a model's hash (0x hex) with the pin for `name`. */
export function checkShipped(manifest: ShippedManifest | null, name: string, modelHash: string): ShippedCheck {
  const pin = manifest?.models.find((m) => m.name === name);
  if (!pin) return { name, pinnedModelHash: null, matches: null };
  return { name, pinnedModelHash: pin.modelHash, matches: pin.modelHash === modelHash.toLowerCase() };
}
