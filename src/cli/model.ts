/**
 * `hyperspace model …` (whitepaper §2.2.5–2.2.6; issue 4 item 6): list, inspect, hash and run the integer
 * models, and produce their execution-trace commitments and single-element proofs for the dispute game.
 *
 * A model is named by a file path or by the name of a shipped model in models/ (`models/<name>.hsm`, or any
 * models/*.hsm whose metadata name matches). `--prompt` is text for a generate model, and comma-separated int8
 * values for a classify model. stdout carries only the answer (JSON with --json). Exit codes: 0 ok, 1 failure
 * (bad file, prompt too long, element out of range…), 2 usage. A shipped name is checked against the hash
 * models/manifest.json pins (model-resolve.ts), and `run` checks the prompt against the task the model declares
 * (issue 10 §5; docs/models.md "Pinned hashes and task rules").
 */
import { toHex } from '../common/bytes.ts';
import { BaseError } from '../common/errors.ts';
import { intFlag, parse, requireString } from './args.ts';
import { EXIT_OK, UsageError, printJson, type CliIo } from './io.ts';
import type { LoadedModel } from '../engine/model-file.ts';
import { checkShipped, type ShippedCheck } from '../engine/shipped-manifest.ts';
import { offTaskReason } from '../engine/tasks/task-rules.ts';
import { OffTaskInputError, readManifest, readModelFile, resolveModel, shippedModels } from './model-resolve.ts';
import { RunInputError } from '../engine/run-errors.ts';
import { InferencePipeline, type InferenceRun } from '../inference/pipeline.ts';
import type { RunInput } from '../engine/run-query.ts';
import type { RunResult } from '../engine/run-result.ts';
import { describeElement, partialSums } from '../engine/element.ts';
import type { Kernels } from '../engine/kernels/kernels.ts';
import { referenceKernels } from '../engine/kernels/kernels.ts';
import type { Ref } from '../engine/graph.ts';

/** Largest number of links `model prove` lists with their values (a matvec row of 4,096 fits). */
const MAX_LISTED_LINKS = 4096;

const GROUP_HELP = `Usage: hyperspace model <command> [options]

Deterministic integer models (whitepaper §2.2.5–2.2.6): int8 weights, int32 accumulation, every
intermediate element replayable on chain. A <model> is a file path or a shipped model's name.

Commands:
  list                           the shipped models (models/*.hsm)
  info  <model>                  metadata, graph size, hashes
  import <file.gguf | dir> --out <file>   a Llama-family GGUF / safetensors model into the integer engine
  hash  <model>                  the model hash keccak256(graphHash ‖ weightsRoot)
  run   <model> --prompt <text>  run it: output, outputHash, modelHash, tokens, timing
        [--max-tokens n] [--seed s] [--kernels wasm|reference] [--allow-off-task]
  trace <model> --prompt <text>  commit the full execution trace: traceRoot, elements, arity
        [--max-tokens n] [--seed s] [--arity k]
  prove <model> --prompt <text> --element <i>
                                 one element's value, Merkle proof, op and inputs

Every command takes --json. For a classify model, --prompt is comma-separated int8 values.
A shipped model's name is checked against the hash models/manifest.json pins: run, trace and
prove refuse a modified file unless --allow-modified (then flagged on stderr and in the JSON).
run refuses a prompt outside the task the model declares (sort-transformer: 3-8 distinct
letters a-p then '='); --allow-off-task runs it anyway with a warning and "offTask" in the JSON.
Exit codes: 0 ok, 1 failure (bad model file, modified shipped model, off-task prompt, prompt too
long, element out of range), 2 bad usage.
`;

const RUN_OPTIONS = {
  prompt: { type: 'string' },
  'max-tokens': { type: 'string' },
  seed: { type: 'string' },
  kernels: { type: 'string' },
  arity: { type: 'string' },
  element: { type: 'string' },
  'allow-modified': { type: 'boolean' },
  'allow-off-task': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseSeed(v: string | undefined): bigint | null {
  if (v === undefined) return null;
  if (!/^\d{1,20}$/.test(v) || BigInt(v) >= 1n << 64n) throw new UsageError('--seed must be an integer in [0, 2^64)');
  return BigInt(v);
}

/** The run input from --prompt: text through the tokenizer, or int8 values for a classify model. */
export function queryFromPrompt(model: LoadedModel, prompt: string, maxTokens: number | undefined, seed: bigint | null): RunInput {
  if (model.meta.task === 'classify') {
    const parts = prompt.split(/[\s,]+/).filter((s) => s !== '');
    const vector = parts.map((s) => {
      if (!/^-?\d{1,3}$/.test(s)) throw new RunInputError(`'${s.slice(0, 20)}' is not an int8 value`);
      return Number(s);
    });
    return { vector, seed };
  }
  const tokenizer = model.layout.tokenizer!;
  return { prompt: tokenizer.encode(prompt), maxTokens, seed };
}

async function pickKernels(name: string | undefined): Promise<Kernels> {
  if (name === undefined || name === 'wasm') {
    const { loadWasmKernels } = await import('../engine/kernels/wasm.ts');
    return loadWasmKernels();
  }
  if (name === 'reference') return referenceKernels;
  throw new UsageError('--kernels must be wasm or reference');
}

interface Executed {
  model: LoadedModel;
  path: string;
  shipped: ShippedCheck | null;
  /** Set when the prompt is outside the model's declared task and --allow-off-task ran it anyway. */
  offTask: { task: string; reason: string; expected: string } | null;
  input: RunInput;
  run: InferenceRun;
  result: RunResult;
  loadMs: number;
  runMs: number;
  kernels: string;
}

async function execute(argv: string[], io: CliIo, trace: boolean, checkTask = false): Promise<Executed & { values: ReturnType<typeof parse<typeof RUN_OPTIONS>>['values'] }> {
  const { values, positionals } = parse(argv, RUN_OPTIONS, true);
  if (positionals.length !== 1) throw new UsageError('expected exactly one <model>');
  const prompt = requireString(values.prompt, 'prompt');
  const maxTokens = values['max-tokens'] === undefined ? undefined : intFlag(values['max-tokens'], 'max-tokens', 1, 65_536);
  const seed = parseSeed(values.seed);
  const t0 = performance.now();
  const { model, path, shipped } = await resolveModel(positionals[0]!, io, { allowModified: values['allow-modified'] === true });
  const kernels = await pickKernels(values.kernels);
  const input = queryFromPrompt(model, prompt, maxTokens, seed);
  const offTask = checkTask ? checkOffTask(model, prompt, input, values['allow-off-task'] === true, io) : null;
  const t1 = performance.now();
  const pipeline = new InferencePipeline({ model, kernels });
  try {
    const run = pipeline.run(input, { trace });
    const t2 = performance.now();
    return { model, path, shipped, offTask, input, run, result: run.result, loadMs: t1 - t0, runMs: t2 - t1, kernels: kernels.name, values };
  } finally {
    pipeline.close();
  }
}

/**
 * The model's declared task against the prompt (src/engine/tasks/task-rules.ts): null when on task or when the
 * model declares no known task; an off-task prompt throws OffTaskInputError, or with --allow-off-task is run with
 * a warning on stderr and reported in the answer.
 */
function checkOffTask(model: LoadedModel, prompt: string, input: RunInput, allow: boolean, io: CliIo): Executed['offTask'] {
  const off = offTaskReason(model.meta, model.meta.task === 'classify' ? { vector: input.vector ?? [] } : { prompt });
  if (off === null) return null;
  if (!allow) throw new OffTaskInputError(model.meta.name, off.task, off.reason, off.summary);
  io.stderr(`hyperspace: WARNING: off-task prompt for ${model.meta.name} (${off.reason}); it was trained only on ${off.summary}, so this answer is not meaningful\n`);
  return { task: off.task, reason: off.reason, expected: off.summary };
}

function outputText(model: LoadedModel, result: RunResult): string {
  return model.layout.tokenizer ? model.layout.tokenizer.decode(result.output) : Array.from(result.output).join(',');
}

async function cmdRun(argv: string[], io: CliIo): Promise<number> {
  const e = await execute(argv, io, false, true);
  const generated = e.model.meta.task === 'generate' ? e.result.output.length : 0;
  const answer = {
    model: e.model.meta.name,
    output: outputText(e.model, e.result),
    outputHash: toHex(e.result.outputHash),
    modelHash: toHex(e.model.modelHash),
    tokens: Array.from(e.result.output),
    promptTokens: e.input.prompt ? Array.from(e.input.prompt) : [],
    steps: e.result.steps,
    seed: e.input.seed === null || e.input.seed === undefined ? null : String(e.input.seed),
    kernels: e.kernels,
    shipped: e.shipped,
    offTask: e.offTask,
    timing: {
      loadMs: round(e.loadMs),
      runMs: round(e.runMs),
      tokensPerSecond: e.runMs > 0 ? round((1000 * e.result.steps) / e.runMs) : null,
      generated,
    },
  };
  if (e.values.json) printJson(io, answer);
  else io.stdout(`${answer.output}\n`);
  return EXIT_OK;
}

/** The run's trace commitment, by the pipeline (execute() kept the trace: nothing re-runs, no runner is made). */
function commitFor(e: Executed, arity: number | undefined) {
  return new InferencePipeline({ model: e.model }).commitTrace(e.run, arity);
}

async function cmdTrace(argv: string[], io: CliIo): Promise<number> {
  const e = await execute(argv, io, true);
  const arity = e.values.arity === undefined ? undefined : intFlag(e.values.arity, 'arity', 2, 65_536);
  const t0 = performance.now();
  const c = commitFor(e, arity);
  const commitMs = performance.now() - t0;
  const answer = {
    model: e.model.meta.name,
    modelHash: toHex(e.model.modelHash),
    shipped: e.shipped,
    traceRoot: toHex(c.root),
    elements: c.elements,
    arity: c.arity,
    depth: c.depth,
    steps: e.result.steps,
    stepElements: e.result.stepElements,
    output: outputText(e.model, e.result),
    outputHash: toHex(e.result.outputHash),
    timing: { runMs: round(e.runMs), commitMs: round(commitMs) },
  };
  if (e.values.json) printJson(io, answer);
  else io.stdout(`${answer.traceRoot}\n`);
  return EXIT_OK;
}

async function cmdProve(argv: string[], io: CliIo): Promise<number> {
  const e = await execute(argv, io, true);
  const element = intFlag(e.values.element, 'element', 0, Number.MAX_SAFE_INTEGER);
  const trace = e.result.trace!;
  const query = { prompt: Int32Array.from(e.input.prompt ?? []), vector: Int8Array.from(e.input.vector ?? []), seed: e.input.seed === undefined || e.input.seed === null ? null : BigInt(e.input.seed) };
  const info = describeElement(e.model, { trace, query }, element);
  const arity = e.values.arity === undefined ? undefined : intFlag(e.values.arity, 'arity', 2, 65_536);
  const c = commitFor(e, arity);
  const { proveElement, elementProofToJson, commitPartialSums } = await import('../commitment/trace.ts');
  const proof = elementProofToJson(proveElement(c, trace, element));
  const ctx = { trace, query };
  const { refValue } = await import('../engine/element.ts');
  const withValue = (r: Ref) => ({ ...r, value: refValue(e.model, ctx, r) });
  const d = info.description;
  let detail: Record<string, unknown>;
  if (d.kind === 'reduction') {
    const sums = partialSums(e.model, ctx, d);
    detail = {
      kind: d.kind,
      combiner: d.combiner,
      init: withValue(d.init),
      linkCount: d.links.length,
      links: d.links.slice(0, MAX_LISTED_LINKS).map((l) => ({ a: withValue(l.a), ...(l.b ? { b: withValue(l.b) } : {}) })),
      partialSumsRoot: toHex(commitPartialSums(sums, arity === undefined ? {} : { arity }).root),
    };
  } else {
    detail = { kind: d.kind, inputs: d.inputs.map(withValue) };
  }
  const node = e.model.nodes[info.node]!;
  const answer = {
    model: e.model.meta.name,
    modelHash: toHex(e.model.modelHash),
    shipped: e.shipped,
    traceRoot: toHex(c.root),
    elements: c.elements,
    arity: c.arity,
    element,
    value: info.value,
    step: info.step,
    node: info.node,
    nodeName: info.name,
    position: info.position,
    op: info.op,
    params: node.p,
    ...detail,
    proof,
  };
  if (e.values.json) printJson(io, answer);
  else io.stdout(`${info.value}\n`);
  return EXIT_OK;
}

async function cmdList(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  const list = [];
  const manifest = await readManifest(io);
  for (const m of await shippedModels(io)) {
    try {
      const model = await readModelFile(m.path);
      const { pinnedModelHash, matches } = checkShipped(manifest, m.name, toHex(model.modelHash));
      list.push({ name: m.name, path: m.path, task: model.meta.task, modelHash: toHex(model.modelHash), pinnedModelHash, matches });
    } catch (error) {
      list.push({ name: m.name, path: m.path, error: error instanceof BaseError ? error.code : String(error) });
    }
  }
  if (values.json) printJson(io, { models: list });
  else io.stdout(list.map((m) => `${m.name.padEnd(24)} ${m.path}${'matches' in m && m.matches === false ? '  MODIFIED: hash differs from models/manifest.json' : ''}`).join('\n') + (list.length ? '\n' : ''));
  return EXIT_OK;
}

async function cmdInfo(argv: string[], io: CliIo, hashOnly: boolean): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true);
  if (positionals.length !== 1) throw new UsageError('expected exactly one <model>');
  // info and hash inspect a file, so they show a modified shipped model (flagged) rather than refuse it.
  const { model, path, shipped } = await resolveModel(positionals[0]!, io, { allowModified: true });
  const hashes = { modelHash: toHex(model.modelHash), graphHash: toHex(model.graphHash), weightsRoot: toHex(model.weightsRoot), shipped };
  if (hashOnly) {
    if (values.json) printJson(io, hashes);
    else io.stdout(`${hashes.modelHash}\n`);
    return EXIT_OK;
  }
  const ops: Record<string, number> = {};
  for (const n of model.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  const { meta } = model;
  const info = {
    name: meta.name,
    path,
    description: meta.description,
    task: meta.task,
    contextLength: meta.contextLength,
    vocabSize: meta.vocabSize,
    vocab: meta.vocab ?? null,
    nodes: model.nodes.length,
    ops,
    stepElements: model.layout.stepElements,
    maxTraceElements: model.layout.stepElements * meta.contextLength,
    weightsBytes: model.weights.length,
    provenance: meta.provenance ?? {},
    ...hashes,
  };
  if (values.json) printJson(io, info);
  else io.stdout(Object.entries(info).filter(([k]) => k !== 'vocab').map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('\n') + '\n');
  return EXIT_OK;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

export async function runModel(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'import') return (await import('./model-import.ts')).cmdImport(rest, io); // its own --help
  if (command === undefined || command === '--help' || command === '-h' || command === 'help' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout(GROUP_HELP);
    return command === undefined ? 2 : EXIT_OK;
  }
  switch (command) {
    case 'list':
      return cmdList(rest, io);
    case 'info':
      return cmdInfo(rest, io, false);
    case 'hash':
      return cmdInfo(rest, io, true);
    case 'run':
      return cmdRun(rest, io);
    case 'trace':
      return cmdTrace(rest, io);
    case 'prove':
      return cmdProve(rest, io);
    case 'import':
      return (await import('./model-import.ts')).cmdImport(rest, io);
    default:
      throw new UsageError(`unknown model command '${command}'`);
  }
}
