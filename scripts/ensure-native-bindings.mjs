#!/usr/bin/env node
// Root `postinstall`: make sure native bindings that npm skipped are present.
//
// Why: npm marks an optional dependency "inert" (not installed) when its
// `engines` does not match the Node that runs npm, and nothing overrides that.
// On machines whose PATH has Node 20, `npm ci` runs on Node 20 and so skips
// @nomicfoundation/edr's native binding (it requires Node >= 22), although the
// project itself runs on the pinned Node 24. Lifecycle scripts run with
// node_modules/.bin first on PATH, so this script — and the `npm` it spawns —
// run on Node 24, where the binding's engine check passes.
// See docs/decisions/0001-node-24-and-typescript-7.md.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
if (process.env.HYPERSPACE_NATIVE_BOOTSTRAP === '1') process.exit(0);

function edrBindingName() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const musl = !process.report?.getReport?.().header?.glibcVersionRuntime;
    return `@nomicfoundation/edr-linux-${arch}-${musl ? 'musl' : 'gnu'}`;
  }
  if (platform === 'darwin') return `@nomicfoundation/edr-darwin-${arch}`;
  if (platform === 'win32') return `@nomicfoundation/edr-win32-${arch}-msvc`;
  return null;
}

function loads(name) {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

let edrVersion;
try {
  // Read package.json from disk: the package's `exports` map hides it from require().
  const main = require.resolve('@nomicfoundation/edr');
  edrVersion = JSON.parse(readFileSync(join(dirname(main), 'package.json'), 'utf8')).version;
} catch {
  process.exit(0); // edr not installed (e.g. --omit): nothing to do
}
const binding = edrBindingName();
if (binding === null || loads(binding)) process.exit(0);

console.error(`hyperspace postinstall: installing ${binding}@${edrVersion} (npm skipped it: it ran on Node ${process.env.npm_config_node_version ?? 'older than 22'})`);
const result = spawnSync('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${binding}@${edrVersion}`], {
  stdio: 'inherit',
  env: { ...process.env, HYPERSPACE_NATIVE_BOOTSTRAP: '1' },
  shell: process.platform === 'win32',
});
if (result.status !== 0) {
  console.error(`hyperspace postinstall: could not install ${binding}; the embedded chain will not start`);
  process.exit(0); // do not fail the whole install: everything but the embedded chain still works
}
