#!/usr/bin/env node
// Entry point of the `hyperspace` command. In a source checkout it runs the
// TypeScript sources directly (Node 24 strips types); an installed package runs
// the compiled `dist/` instead, because Node does not strip types inside
// node_modules.
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `hyperspace needs Node.js 24 or newer (this is ${process.version}).\n` +
      'In a checkout, run it through npm so the pinned Node 24 is used: `npx hyperspace …` or `npm exec hyperspace …`.\n',
  );
  process.exit(2);
}

const source = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);
const { main } = await import(existsSync(source) ? source.href : compiled.href);
process.exitCode = await main(process.argv.slice(2));
