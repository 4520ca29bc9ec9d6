/**
 * Compiles every Solidity source under `contracts/` in-process with solc-js (DESIGN.md §2: Solidity 0.8,
 * `evmVersion: prague`, optimizer on), through the standard-JSON interface.
 *
 * Used by `scripts/build-contracts.ts` (which writes the generated `src/chain/artifacts.ts`) and by the test
 * that checks the committed artifacts equal a fresh compile. Runtime code never compiles: it imports the
 * generated artifacts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { BaseError } from '../common/errors.ts';

export interface CompileOptions {
  /** solc optimizer runs: how many times each opcode is expected to run; 200 is solc's default trade-off. */
  optimizerRuns: number;
  /** EVM target: Prague (EIP-7623 calldata floor, EIP-2537 BLS precompiles), as the embedded chain and anvil run. */
  evmVersion: string;
}

export const DEFAULTS: CompileOptions = {
  optimizerRuns: 200, // solc's default; the contracts are deployed once and called often, 200 is the usual balance
  evmVersion: 'prague',
};

export interface CompiledContract {
  /** Contract name, e.g. `Staking`. */
  name: string;
  /** Source path relative to the repository root with `/` separators, e.g. `contracts/Staking.sol`. */
  source: string;
  abi: unknown[];
  /** Creation bytecode, 0x-prefixed; `0x` for interfaces and abstract contracts. */
  bytecode: `0x${string}`;
  /** Runtime bytecode size in bytes (EIP-170 caps it at 24,576). */
  runtimeSize: number;
}

export interface CompileResult {
  solcVersion: string;
  options: CompileOptions;
  contracts: CompiledContract[];
}

export class SolidityCompileError extends BaseError<{ errors: string[] }> {
  constructor(errors: string[]) {
    super('SOLIDITY_COMPILE', `solc reported ${errors.length} error(s):\n${errors.join('\n')}`, { details: { errors } });
  }
}

interface SolcOutputError {
  severity: 'error' | 'warning' | 'info';
  formattedMessage?: string;
  message: string;
}
interface SolcOutput {
  errors?: SolcOutputError[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>;
}

/** Every `*.sol` under `dir`, as repository-relative `/` paths, sorted (stable output). */
export function listSolidityFiles(root: string, dir = 'contracts'): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.sol')) out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/** Compiles all of `contracts/**.sol` under `root`; throws SolidityCompileError on any error (warnings pass). */
export function compileContracts(root: string, options: Partial<CompileOptions> = {}): CompileResult {
  const opts = { ...DEFAULTS, ...options };
  const require = createRequire(import.meta.url);
  const solc = require('solc') as { compile(input: string, callbacks?: unknown): string; version(): string };
  const sources: Record<string, { content: string }> = {};
  for (const file of listSolidityFiles(root)) sources[file] = { content: readFileSync(join(root, file), 'utf8') };
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: opts.evmVersion,
      optimizer: { enabled: true, runs: opts.optimizerRuns },
      // no metadata hash: bytecode depends on the source text only, so the drift test compares exactly
      metadata: { bytecodeHash: 'none', appendCBOR: false },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (path: string) => {
        // sources are all supplied up front; anything else (e.g. a remapping to node_modules) is not allowed
        return { error: `import not found: ${path} (only contracts/** sources are compiled)` };
      },
    }),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error').map((e) => e.formattedMessage ?? e.message);
  if (errors.length > 0) throw new SolidityCompileError(errors);
  const contracts: CompiledContract[] = [];
  for (const source of Object.keys(output.contracts ?? {}).sort()) {
    const byName = output.contracts?.[source] ?? {};
    for (const name of Object.keys(byName).sort()) {
      const c = byName[name]!;
      contracts.push({
        name,
        source,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        runtimeSize: c.evm.deployedBytecode.object.length / 2,
      });
    }
  }
  const names = new Set<string>();
  for (const c of contracts) {
    if (names.has(c.name)) throw new SolidityCompileError([`duplicate contract name ${c.name} (${c.source}); names must be unique across contracts/`]);
    names.add(c.name);
  }
  return { solcVersion: solc.version(), options: opts, contracts };
}

/**
 * The generated TypeScript module: one `<name>Abi` (`as const`, so viem infers argument and return types) and
 * one `<name>Bytecode` per contract. Deterministic: the same sources give the same text.
 */
export function renderArtifacts(result: CompileResult): string {
  const lines: string[] = [
    '/**',
    ' * GENERATED by scripts/build-contracts.ts from every .sol file under contracts/ — DO NOT EDIT.',
    ` * solc ${result.solcVersion}, evmVersion ${result.options.evmVersion}, optimizer on (${result.options.optimizerRuns} runs), no metadata hash.`,
    ' * Regenerate: node_modules/.bin/node scripts/build-contracts.ts (src/chain/artifacts.test.ts fails when stale).',
    ' */',
    '/* eslint-disable */',
    '',
  ];
  for (const c of result.contracts) {
    const id = c.name.charAt(0).toLowerCase() + c.name.slice(1);
    lines.push(`/** ${c.name} (${c.source}), runtime ${c.runtimeSize} bytes. */`);
    lines.push(`export const ${id}Abi = ${JSON.stringify(c.abi, null, 2)} as const;`);
    lines.push(`export const ${id}Bytecode = '${c.bytecode}' as const;`);
    lines.push('');
  }
  lines.push(`export const ARTIFACT_SOURCES = ${JSON.stringify(Object.fromEntries(result.contracts.map((c) => [c.name, c.source])), null, 2)} as const;`);
  lines.push('');
  return lines.join('\n');
}
