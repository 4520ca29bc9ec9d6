/**
 * Compiles contracts/**.sol with solc-js (evmVersion prague, optimizer on) and writes the generated
 * src/chain/artifacts.ts (ABIs `as const` + creation bytecode). Run after editing any contract:
 *
 *   node_modules/.bin/node scripts/build-contracts.ts [--check]
 *
 * `--check` writes nothing and exits 1 when the committed artifacts differ from a fresh compile.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileContracts, renderArtifacts } from '../src/chain/compile-contracts.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'src/chain/artifacts.ts');
const started = performance.now();
const result = compileContracts(root);
const text = renderArtifacts(result);
if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(out, 'utf8'); } catch { /* missing counts as stale */ }
  if (current !== text) {
    process.stderr.write('src/chain/artifacts.ts is stale: run node_modules/.bin/node scripts/build-contracts.ts\n');
    process.exit(1);
  }
  process.stdout.write('src/chain/artifacts.ts is up to date\n');
} else {
  writeFileSync(out, text);
  const sizes = result.contracts.filter((c) => c.runtimeSize > 0).map((c) => `${c.name} ${c.runtimeSize} B`).join(', ');
  process.stdout.write(`wrote src/chain/artifacts.ts: ${result.contracts.length} contracts (${sizes}) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
