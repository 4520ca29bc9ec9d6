/**
 * The compiled package (what `npm pack` ships and an installed node runs,
 * since Node does not strip types inside node_modules) builds and runs.
 * Real processes: compiles with tsc into a package-shaped temporary folder
 * (bin/ + dist/, no src/) inside the checkout so bare imports still resolve
 * through ./node_modules, then runs the `hyperspace` bin from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', '.bin', 'tsc');

test('the compiled package (real process) builds with tsc and its bin runs without src/', () => {
  const pkg = mkdtempSync(join(root, '.package-test-'));
  try {
    execFileSync(tsc, ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], { stdio: 'pipe' });
    cpSync(join(root, 'bin'), join(pkg, 'bin'), { recursive: true });
    // Runtime assets that are not TypeScript (wasm kernels, shipped models) are copied by the build script.
    if (existsSync(join(root, 'scripts', 'copy-assets.ts'))) {
      execFileSync(process.execPath, [join(root, 'scripts', 'copy-assets.ts'), join(pkg, 'dist')], { stdio: 'pipe' });
    }
    assert.ok(!existsSync(join(pkg, 'src')));
    const help = spawnSync(process.execPath, [join(pkg, 'bin', 'hyperspace.js'), '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: hyperspace <group>/);
    const unknown = spawnSync(process.execPath, [join(pkg, 'bin', 'hyperspace.js'), 'no-such-group'], { encoding: 'utf8' });
    assert.equal(unknown.status, 2);
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});
