/**
 * `hyperspace dht start` (§1.1; issue 3 item 3): run an S/Kademlia node over libp2p
 * with a keystore's identity until SIGINT or SIGTERM. Prints one line once it
 * listens (JSON with --json: peerId, nodeAddress, ethereumAddress, contact,
 * multiaddrs), joins through --bootstrap, and with `--control stdin` answers the
 * JSON commands of ./control.ts.
 */
import { createInterface } from 'node:readline';
import { toHex } from '../../common/bytes.ts';
import { toJsonSafe } from '../../common/errors.ts';
import { ethereumAddressOf } from '../../identity/node-address.ts';
import { DEFAULTS as SERVICE_DEFAULTS } from '../../node/dht-service.ts';
import type { Libp2pTransport } from '../../transport/libp2p-transport.ts';
import { parse, requireString } from '../args.ts';
import { EXIT_OK, UsageError, type CliIo } from '../io.ts';
import { controlCommand } from './control.ts';
import { NETWORK_FLAGS } from './flags.ts';
import { line, statsJson } from './json.ts';
import { startService } from './service.ts';

export interface DhtCliContext {
  /** Stops `dht start` (tests); SIGINT/SIGTERM do the same in a process. */
  signal?: AbortSignal;
}

export const START_HELP = `Usage: hyperspace dht start --keystore <file> --listen <multiaddr>… [--bootstrap <multiaddr>…] [--c1 <bits>] [--announce-ip <ip>] [--control stdin] [--json]

Runs a DHT node with the keystore's identity until SIGINT or SIGTERM. Prints one line (JSON with
--json: peerId, nodeAddress, ethereumAddress, contact, multiaddrs) once it listens, then joins
through the bootstrap nodes (a failed bootstrap is reported on stderr; the node keeps running).

Options:
  --keystore <file>        identity (required); must meet --c1
  --listen <multiaddr>     listen address (repeatable; required), e.g. /ip4/0.0.0.0/tcp/4001 and
                           /ip4/0.0.0.0/tcp/4002/ws
  --bootstrap <multiaddr>  node to join through (repeatable)
  --c1 <bits>              network static puzzle difficulty (default ${SERVICE_DEFAULTS.c1})
  --announce-ip <ip>       IP to advertise in the DHT (default: the listen IP)
  --control stdin          also answer JSON commands read line by line on stdin, e.g.
                           {"id":1,"op":"get","namespace":"/hcs/","name":"alpha"}
                           ops: get, put (namespace, name, value, ttlSeconds), provide / providers
                           (key hex or keyText), find-node (target hex), stats
  --json                   print JSON lines on stdout
  -h, --help               show this help
`;

export async function runStart(argv: string[], io: CliIo, context: DhtCliContext): Promise<number> {
  const { values } = parse(argv, { ...NETWORK_FLAGS, 'announce-ip': { type: 'string' }, control: { type: 'string' } });
  requireString(values.keystore, 'keystore');
  if (!values.listen || values.listen.length === 0) throw new UsageError('missing required --listen <multiaddr>');
  if (values.control !== undefined && values.control !== 'stdin') throw new UsageError('--control takes only "stdin"');
  const service = await startService(io, values, []);
  const transport = service.transport as Libp2pTransport;
  const info = {
    event: 'listening',
    peerId: transport.peerId.toString(),
    nodeAddress: toHex(service.self.address),
    ethereumAddress: ethereumAddressOf(service.self.address),
    contact: { ip: service.self.ip, port: service.self.port },
    multiaddrs: transport.listenAddresses(),
  };
  if (values.json) line(io, info);
  else io.stdout(`DHT node ${info.nodeAddress} (peer ${info.peerId})\n${info.multiaddrs.map((m) => `  ${m}`).join('\n')}\n`);

  const stopped = new Promise<string>((resolve) => {
    const onSignal = (name: string) => () => resolve(name);
    const sigint = onSignal('SIGINT');
    const sigterm = onSignal('SIGTERM');
    process.once('SIGINT', sigint);
    process.once('SIGTERM', sigterm);
    context.signal?.addEventListener('abort', () => resolve('abort'), { once: true });
  });

  if (values.bootstrap && values.bootstrap.length > 0) {
    const joined = await service.bootstrap(values.bootstrap);
    for (const e of joined.errors) io.stderr(`hyperspace dht: bootstrap: ${e.message}\n`);
    if (values.json) line(io, { event: 'bootstrapped', seeds: joined.seeds, tableSize: joined.tableSize });
    else io.stderr(`joined through ${joined.seeds} node(s); routing table: ${joined.tableSize}\n`);
  }
  let control: ReturnType<typeof createInterface> | undefined;
  if (values.control === 'stdin') {
    control = createInterface({ input: process.stdin });
    control.on('line', (text) => void controlCommand(service, text).then((answer) => line(io, answer)));
  }
  const why = await stopped;
  control?.close();
  const stats = statsJson(service);
  await service.stop();
  io.stderr(`hyperspace dht: stopped (${why}); stats ${JSON.stringify(toJsonSafe(stats))}\n`);
  return EXIT_OK;
}
