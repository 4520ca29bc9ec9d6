/**
 * Finding the model a `hyperspace model …` command names (whitepaper §2.2.4: a model is known by its hash; issue 10
 * §5): a file path, `models/<name>.hsm`, or a shipped model whose metadata name matches — and checking a shipped
 * name against the hash models/manifest.json pins it to. A shipped name whose file has another hash is refused
 * (ShippedModelMismatchError) unless the command allows it, and then it is flagged on stderr and in the JSON.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toHex } from '../common/bytes.ts';
import { BaseError } from '../common/errors.ts';
import { UsageError, type CliIo } from './io.ts';
import { decodeModelFile, DEFAULTS as FILE_DEFAULTS, type LoadedModel } from '../engine/model-file.ts';
import { checkShipped, ManifestFormatError, MANIFEST_FILE, parseManifest, DEFAULTS as MANIFEST_DEFAULTS, type ShippedCheck, type ShippedManifest } from '../engine/shipped-manifest.ts';

/** Overrides the directory of shipped models (tests). */
export const MODELS_DIR_ENV = 'HYPERSPACE_MODELS_DIR';
export const MODEL_EXTENSION = '.hsm';

export class ModelNotFoundError extends BaseError<{ model: string; searched: string }> {
  constructor(model: string, searched: string) {
    super('MODEL_NOT_FOUND', `no model file or shipped model named '${model}' (searched ${searched})`, { details: { model, searched } });
  }
}

/** The named path exists but cannot be read as a model file (a directory, no permission, an I/O error). */
export class ModelFileReadError extends BaseError<{ path: string; reason: string }> {
  constructor(path: string, reason: string) {
    super('MODEL_FILE_UNREADABLE', `cannot read model file ${path}: ${reason}`, { details: { path, reason } });
  }
}

/** A shipped name whose file no longer has the model hash models/manifest.json pins. */
export class ShippedModelMismatchError extends BaseError<{ name: string; path: string; pinnedModelHash: string; actualModelHash: string }> {
  constructor(name: string, path: string, pinnedModelHash: string, actualModelHash: string) {
    super(
      'MODEL_SHIPPED_MISMATCH',
      `${path} is not the shipped ${name}: its model hash is ${actualModelHash}, the manifest pins ${pinnedModelHash} (a modified or corrupted file: reinstall it, or pass --allow-modified to run it anyway)`,
      { details: { name, path, pinnedModelHash, actualModelHash } },
    );
  }
}

/** A prompt outside the task the model declares (src/engine/tasks/task-rules.ts): it would run, but its answer means nothing. */
export class OffTaskInputError extends BaseError<{ model: string; task: string; reason: string; expected: string }> {
  constructor(model: string, task: string, reason: string, expected: string) {
    super('MODEL_OFF_TASK_INPUT', `prompt is outside ${model}'s task '${task}': ${reason}; it was trained only on ${expected} and answers anything else confidently and wrongly (--allow-off-task runs it anyway)`, { details: { model, task, reason, expected } });
  }
}

export function modelsDir(io: CliIo): string {
  return io.env[MODELS_DIR_ENV] ?? fileURLToPath(new URL('../../models/', import.meta.url));
}

export async function shippedModels(io: CliIo): Promise<{ name: string; path: string }[]> {
  const dir = modelsDir(io);
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith(MODEL_EXTENSION))
    .sort()
    .map((f) => ({ name: basename(f, MODEL_EXTENSION), path: join(dir, f) }));
}

/** models/manifest.json, or null when the folder has none (then no name is pinned). A malformed one is an error. */
export async function readManifest(io: CliIo): Promise<ShippedManifest | null> {
  const path = join(modelsDir(io), MANIFEST_FILE);
  let bytes: Uint8Array;
  try {
    const s = await stat(path);
    if (s.size > MANIFEST_DEFAULTS.maxBytes) throw new ManifestFormatError(path, `${s.size} bytes, above the ${MANIFEST_DEFAULTS.maxBytes} limit`);
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (error instanceof BaseError) throw error;
    throw new ModelFileReadError(path, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  return parseManifest(bytes, path);
}

export async function readModelFile(path: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    const s = await stat(path);
    if (s.size > FILE_DEFAULTS.maxFileBytes) throw new UsageError(`model file ${path} is ${s.size} bytes, above the ${FILE_DEFAULTS.maxFileBytes} limit`);
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof BaseError) throw error;
    throw new ModelFileReadError(path, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  return decodeModelFile(bytes);
}

export interface ResolvedModel {
  model: LoadedModel;
  path: string;
  /** The model against the manifest: when named as a shipped model, or when a file's metadata claims a pinned name. */
  shipped: ShippedCheck | null;
}

export interface ResolveOptions {
  /** Run a shipped name whose file has another hash (flagged loudly) instead of refusing it. */
  allowModified: boolean;
}

/**
 * Resolves <model>: an existing file, models/<name>.hsm, or a shipped model whose metadata name matches. A shipped
 * name is checked against the manifest's pin; a mismatch throws ShippedModelMismatchError unless allowModified.
 */
export async function resolveModel(spec: string, io: CliIo, options: ResolveOptions = { allowModified: false }): Promise<ResolvedModel> {
  const asFile = resolve(spec);
  if (await isFile(asFile)) {
    const model = await readModelFile(asFile);
    // A file named by path is what the user chose; if its metadata claims a pinned shipped name, say whether it is that model.
    const manifest = await readManifest(io);
    const check = checkShipped(manifest, model.meta.name, toHex(model.modelHash));
    if (check.matches === false) io.stderr(`hyperspace: note: ${asFile} calls itself '${check.name}' but is not the shipped ${check.name} (model hash ${toHex(model.modelHash)}, shipped ${check.pinnedModelHash})\n`);
    return { model, path: asFile, shipped: check.pinnedModelHash === null ? null : check };
  }
  const shipped = await shippedModels(io);
  const byFile = shipped.find((m) => m.name === spec);
  let found: { model: LoadedModel; path: string } | null = null;
  if (byFile) found = { model: await readModelFile(byFile.path), path: byFile.path };
  else {
    for (const m of shipped) {
      try {
        const model = await readModelFile(m.path);
        if (model.meta.name === spec) {
          found = { model, path: m.path };
          break;
        }
      } catch {
        // a broken shipped file does not hide the others
      }
    }
  }
  if (found === null) {
    if (await isDirectory(asFile)) throw new ModelFileReadError(asFile, 'it is a directory, not a model file');
    throw new ModelNotFoundError(spec, modelsDir(io));
  }
  const check = checkShipped(await readManifest(io), spec, toHex(found.model.modelHash));
  if (check.matches === false) {
    const error = new ShippedModelMismatchError(spec, found.path, check.pinnedModelHash!, toHex(found.model.modelHash));
    if (!options.allowModified) throw error;
    io.stderr(`hyperspace: WARNING: ${error.message.replace(/ \(a modified.*$/, '')}; running it anyway (--allow-modified): its answers are not those of the shipped model\n`);
  }
  return { ...found, shipped: check };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
