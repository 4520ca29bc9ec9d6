/**
 * `hyperspace model import <file.gguf | hf-dir> --out <model.hsm> [--name n] [--context C] [--json] [--progress]`
 * (whitepaper §2.2.6; docs/llm.md): converts a Llama-family GGUF file or a Hugging Face directory (config.json,
 * *.safetensors, tokenizer.json) into the integer engine's model file, and reports the quantisation error per
 * tensor. A damaged or hostile file is a typed error and exit 1 (main.ts prints it), never a crash.
 */
import { writeFileSync } from 'node:fs';
import { toHex } from '../common/bytes.ts';
import { intFlag, parse, requireString } from './args.ts';
import { EXIT_OK, UsageError, printJson, type CliIo } from './io.ts';
import { encodeModelFile } from '../engine/model-file.ts';
import { importModel } from '../engine/llm/import-model.ts';

export const IMPORT_HELP = `Usage: hyperspace model import <file.gguf | dir> --out <model.hsm> [options]

Converts a Llama-family model (GGUF: F32, F16, BF16, Q8_0; or a Hugging Face directory with config.json,
*.safetensors and tokenizer.json) into the integer engine: int8 weights with per-row scales, the model's own
tokenizer and chat template, a model hash over all of it.

Options:
  --out <path>       the model file to write (required)
  --name <name>      model name ([a-z0-9-], default from the file)
  --context <n>      context length of the imported model (default min(the model's, 512), at most 4096)
  --progress         progress lines on stderr
  --json             the report as JSON (per-tensor quantisation error, hashes)
`;

export async function cmdImport(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(IMPORT_HELP);
    return EXIT_OK;
  }
  const { values, positionals } = parse(argv, { out: { type: 'string' }, name: { type: 'string' }, context: { type: 'string' }, json: { type: 'boolean' }, progress: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new UsageError('give exactly one GGUF file or model directory');
  const out = requireString(values.out, 'out');
  const contextLength = values.context === undefined ? undefined : intFlag(values.context, 'context', 2, 4096);
  const started = performance.now();
  const showProgress = values.progress === true || (io.interactive && values.json !== true);
  const result = importModel(positionals[0]!, {
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(contextLength === undefined ? {} : { contextLength }),
    onProgress: showProgress ? (stage, done, total) => io.stderr(`${stage} ${done}/${total} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`) : undefined,
  });
  const bytes = encodeModelFile(result.model);
  writeFileSync(out, bytes);
  const worst = [...result.report.tensors].sort((a, b) => b.relativeError - a.relativeError)[0];
  const report = {
    out,
    name: result.model.meta.name,
    format: result.format,
    parameters: result.parameters,
    contextLength: result.model.meta.contextLength,
    tokenizer: result.tokenizer,
    fileBytes: bytes.length,
    nodes: result.model.nodes.length,
    modelHash: toHex(result.model.modelHash),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    quantization: result.report.tensors.map((t) => ({ ...t, relativeError: Number(t.relativeError.toPrecision(4)), maxError: Number(t.maxError.toPrecision(4)) })),
  };
  if (values.json) printJson(io, report);
  else {
    io.stdout(`${out}: ${report.name}, ${report.parameters} parameters, ${report.nodes} nodes, ${bytes.length} bytes\nmodelHash ${report.modelHash}\n`);
    if (worst) io.stdout(`largest relative quantisation error: ${worst.name} ${worst.relativeError.toPrecision(3)} (all tensors with --json)\n`);
  }
  return EXIT_OK;
}
