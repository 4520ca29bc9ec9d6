/**
 * `hyperspace`: dispatches `hyperspace <group> <command> …` to a command group.
 * Groups are imported lazily so `hyperspace id verify` does not pay for the
 * engine or the chain at start-up.
 */
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, processIo, type CliIo } from './io.ts';
import { reportError } from './report-error.ts';

export type CommandGroup = (argv: string[], io: CliIo) => Promise<number>;

const GROUPS: Record<string, { summary: string; load: () => Promise<CommandGroup> }> = {
  id: { summary: 'create, show, solve and verify node identities (S/Kademlia puzzles)', load: async () => (await import('./id.ts')).runId },
  model: { summary: 'list, inspect, hash and run integer models; execution traces and element proofs', load: async () => (await import('./model.ts')).runModel },
  chain: { summary: 'run the embedded chain, deploy contracts, show chain status (--rpc-url)', load: async () => (await import('./chain.ts')).runChain },
  sim: { summary: 'simulators: the S/Kademlia DHT at 10,000–100,000 nodes (hyperspace sim dht)', load: async () => (await import('./sim.ts')).runSim },
  'verify-certificate': {
    summary: 'check a threshold certificate against a given group key or the one registered on chain',
    load: async () => (await import('./verify-certificate.ts')).runVerifyCertificate,
  },
  dht: { summary: 'run an S/Kademlia DHT node over libp2p; put, get, provide, providers on a running network', load: async () => (await import('./dht.ts')).runDht },
};

const HELP = `hyperspace — peer-to-peer AI inference with verified answers

Usage: hyperspace <group> <command> [options]

Groups:
${Object.entries(GROUPS)
  .map(([name, g]) => `  ${name.padEnd(8)} ${g.summary}`)
  .join('\n')}

Run \`hyperspace <group> --help\` for the commands of a group.
`;

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [group, ...rest] = argv;
  if (group === undefined || group === '--help' || group === '-h' || group === 'help') {
    io.stdout(HELP);
    return group === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (group === '--version') {
    io.stdout('hyperspace 0.1.0\n');
    return EXIT_OK;
  }
  const entry = GROUPS[group];
  if (!entry) {
    io.stderr(`hyperspace: unknown group '${group}'\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const json = rest.includes('--json');
  if (io === processIo) onStrayErrors(io);
  try {
    const run = await entry.load();
    return await run(rest, io);
  } catch (error) {
    return reportError(error, io, json);
  }
}

let strayHandlers = false;

/**
 * An error thrown from a callback outside the command's promise chain (an event handler, a timer)
 * would otherwise end the process with Node's stack trace: report it as one line too, and exit 1.
 */
function onStrayErrors(io: CliIo): void {
  if (strayHandlers) return;
  strayHandlers = true;
  const fail = (error: unknown) => {
    reportError(error, io, false);
    process.exit(EXIT_FAILURE);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}
