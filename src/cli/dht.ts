/**
 * `hyperspace dht …` (whitepaper §1.1; issue 3 item 3; docs/dht-network.md §6): run an S/Kademlia
 * node over libp2p, and act on a running network.
 *
 *   start      run a node until SIGINT/SIGTERM; prints one JSON line (peerId, nodeAddress, multiaddrs)
 *   put        sign and store a record          ┐ each starts a short-lived client node (the keystore's
 *   get        find a record                    │ identity, or a fresh one meeting c1), joins through
 *   provide    announce "I provide <key>"       │ --bootstrap, does one thing, prints JSON, exits
 *   providers  find the providers of a key      ┘
 *
 * `start --control stdin` also reads one JSON command per line on stdin (`{"op":"get",…}`) and
 * answers one JSON line on stdout, so a script or test can make the running node itself look up.
 *
 * This file is the group's dispatcher and help: `dht/start.ts` runs the node, `dht/control.ts`
 * answers its stdin commands, `dht/client.ts` holds the four client commands, and `dht/flags.ts`,
 * `dht/service.ts` and `dht/json.ts` the flags, service start-up and output they share.
 */
import { EXIT_OK, EXIT_USAGE, type CliIo } from './io.ts';
import { GET_HELP, PROVIDERS_HELP, PROVIDE_HELP, PUT_HELP, runGet, runProvide, runProviders, runPut } from './dht/client.ts';
import { START_HELP, runStart, type DhtCliContext } from './dht/start.ts';

export type { DhtCliContext } from './dht/start.ts';

const GROUP_HELP = `Usage: hyperspace dht <command> [options]

The S/Kademlia DHT (whitepaper §1.1) over libp2p (TCP and WebSockets, Noise, Yamux), protocol
/hyperspace/kad/1.0.0. The libp2p peer key is the node's identity key.

Commands:
  start      run a node until Ctrl-C / SIGTERM; prints its multiaddrs
  put        sign a record with your identity and store it in the network
  get        find a record
  provide    announce that this identity provides a key
  providers  find the providers of a key

Run \`hyperspace dht <command> --help\` for its options.
`;

type Run = (argv: string[], io: CliIo, context: DhtCliContext) => Promise<number>;
const COMMANDS: Record<string, { help: string; run: Run }> = {
  start: { help: START_HELP, run: runStart },
  put: { help: PUT_HELP, run: runPut },
  get: { help: GET_HELP, run: runGet },
  provide: { help: PROVIDE_HELP, run: runProvide },
  providers: { help: PROVIDERS_HELP, run: runProviders },
};

export async function runDht(argv: string[], io: CliIo, context: DhtCliContext = {}): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(GROUP_HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    io.stderr(`hyperspace dht: unknown command '${command}'\n\n${GROUP_HELP}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(entry.help);
    return EXIT_OK;
  }
  return entry.run(rest, io, context);
}
