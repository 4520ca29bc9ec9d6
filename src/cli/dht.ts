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
 */
import { createInterface } from 'node:readline';
import { toHex, fromHex } from '../common/bytes.ts';
import { BaseError, toJsonSafe } from '../common/errors.ts';
import { keccak256 } from '../crypto/keccak.ts';
import type { DhtRecord, ProviderRecord } from '../dht/messages.ts';
import { recordKey } from '../dht/records.ts';
import { ethereumAddressOf, nodeAddressOf, publicKeyOf } from '../identity/node-address.ts';
import { MAX_DIFFICULTY, staticPuzzleBits } from '../identity/puzzle.ts';
import { unlockKeystoreFile } from '../identity/keystore.ts';
import { DhtService, DEFAULTS as SERVICE_DEFAULTS } from '../transport/dht-service.ts';
import { Libp2pTransport } from '../transport/libp2p-transport.ts';
import { intFlag, parse, requireString } from './args.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.ts';
import { readPassword } from './password.ts';

export interface DhtCliContext {
  /** Stops `dht start` (tests); SIGINT/SIGTERM do the same in a process. */
  signal?: AbortSignal;
}

const COMMON = `Network options:
  --bootstrap <multiaddr>  a node to join through (repeatable), e.g. /ip4/127.0.0.1/tcp/4001/p2p/16Uiu2…
  --c1 <bits>              the network's static puzzle difficulty, 0..${MAX_DIFFICULTY} (default ${SERVICE_DEFAULTS.c1})
  --keystore <file>        identity to use (password from HYPERSPACE_PASSWORD or the terminal);
                           without it a fresh identity meeting c1 is made for this run
  --listen <multiaddr>     where this client listens (default /ip4/127.0.0.1/tcp/0)
  --json                   print JSON on stdout
  -h, --help               show this help`;

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

const START_HELP = `Usage: hyperspace dht start --keystore <file> --listen <multiaddr>… [--bootstrap <multiaddr>…] [--c1 <bits>] [--announce-ip <ip>] [--control stdin] [--json]

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

const PUT_HELP = `Usage: hyperspace dht put --bootstrap <multiaddr>… --name <text> (--value <text> | --value-hex <hex>) [--namespace /hcs/] [--ttl <seconds>] [--seq <n>] [options]

Signs the record (namespace, name, value, seq, expiry) with the identity and stores it at the
nodes closest to keccak256(namespace ‖ name). Exit 0 when at least one node stored it.

Options:
  --namespace <ns>         record namespace with a validator: /hcs/ (default) or /pk/
  --name <text>            record name (UTF-8), or --name-hex <hex>
  --value <text>           record value (UTF-8), or --value-hex <hex>; at most 4096 bytes
  --ttl <seconds>          lifetime (default 3600, at most 86400)
  --seq <n>                sequence number (default: now in ms); higher replaces lower
${COMMON}
`;

const GET_HELP = `Usage: hyperspace dht get --bootstrap <multiaddr>… --name <text> [--namespace /hcs/] [options]

Finds the record under (namespace, name) and checks its publisher's signature. Exit 0 when found,
1 when not.

Options:
  --namespace <ns>         default /hcs/
  --name <text>            record name (UTF-8), or --name-hex <hex>
${COMMON}
`;

const PROVIDE_HELP = `Usage: hyperspace dht provide --bootstrap <multiaddr>… (--key <hex32> | --key-text <text>) [options]

Announces, signed by this identity, that this identity's node provides <key> (a 32-byte DHT key;
--key-text uses keccak256 of the text). The provider contact is this command's own listen address,
so use --keystore and --listen of a node that keeps running at that address, or expect others to
find a provider that is gone once this command exits.

Options:
  --key <hex>              32-byte key, 0x-hex; or --key-text <text>
${COMMON}
`;

const PROVIDERS_HELP = `Usage: hyperspace dht providers --bootstrap <multiaddr>… (--key <hex32> | --key-text <text>) [options]

Finds the provider records of <key>, each signed by its provider. Exit 0 when at least one.

Options:
  --key <hex>              32-byte key, 0x-hex; or --key-text <text>
${COMMON}
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

// ---------------------------------------------------------------------------------------------
// Shared

const NETWORK_FLAGS = {
  bootstrap: { type: 'string', multiple: true },
  c1: { type: 'string' },
  keystore: { type: 'string' },
  listen: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

function bytesFlag(text: string | undefined, hex: string | undefined, flag: string, required = true): Uint8Array | undefined {
  if (text !== undefined && hex !== undefined) throw new UsageError(`give --${flag} or --${flag}-hex, not both`);
  if (text !== undefined) return new TextEncoder().encode(text);
  if (hex !== undefined) {
    try {
      return fromHex(hex.startsWith('0x') ? hex : `0x${hex}`);
    } catch {
      throw new UsageError(`--${flag}-hex must be hex`);
    }
  }
  if (required) throw new UsageError(`missing required --${flag} (or --${flag}-hex)`);
  return undefined;
}

function keyFlag(hex: string | undefined, text: string | undefined): Uint8Array {
  if ((hex === undefined) === (text === undefined)) throw new UsageError('give exactly one of --key <hex32> and --key-text <text>');
  if (text !== undefined) return keccak256(new TextEncoder().encode(text));
  let key: Uint8Array;
  try {
    key = fromHex(hex!.startsWith('0x') ? hex! : `0x${hex}`);
  } catch {
    throw new UsageError('--key must be 32 bytes of hex');
  }
  if (key.length !== 32) throw new UsageError('--key must be 32 bytes of hex');
  return key;
}

async function loadSecret(io: CliIo, keystore: string | undefined, c1: number): Promise<Uint8Array> {
  let secretKey: Uint8Array;
  if (keystore !== undefined) {
    const password = await readPassword(io, { purpose: 'unlock', keystorePath: keystore });
    secretKey = (await unlockKeystoreFile(keystore, password)).secretKey;
  } else if (c1 <= 12) {
    // Naive loop: 2^12 attempts at a few thousand a second is about a second at worst.
    const { randomBytes } = await import('node:crypto');
    for (;;) {
      secretKey = new Uint8Array(randomBytes(32));
      if (staticPuzzleBits(nodeAddressOf(publicKeyOf(secretKey))) >= c1) break;
    }
  } else {
    const { grindStaticIdentity } = await import('../identity/grind.ts');
    secretKey = (await grindStaticIdentity(c1)).secretKey;
  }
  const bits = staticPuzzleBits(nodeAddressOf(publicKeyOf(secretKey)));
  if (bits < c1) throw new UsageError(`the identity in ${keystore} meets ${bits} bits, below the network's c1 = ${c1}`, 'grind one with `hyperspace id new --difficulty <c1>`');
  return secretKey;
}

async function startService(io: CliIo, values: { keystore?: string; listen?: string[]; c1?: string; 'announce-ip'?: string }, defaultListen: string[]): Promise<DhtService> {
  const c1 = intFlag(values.c1, 'c1', 0, MAX_DIFFICULTY, SERVICE_DEFAULTS.c1);
  const secretKey = await loadSecret(io, values.keystore, c1);
  const listen = values.listen && values.listen.length > 0 ? values.listen : defaultListen;
  let transport: Libp2pTransport;
  try {
    transport = await Libp2pTransport.create(
      { secretKey },
      { listen, ...(values['announce-ip'] === undefined ? {} : { announceIp: values['announce-ip'] }) },
    );
  } catch (error) {
    if (error instanceof BaseError) throw error;
    throw new UsageError(`cannot listen on ${listen.join(', ')}: ${(error as Error).message}`);
  }
  const service = new DhtService({ transport, secretKey }, { c1 });
  service.start();
  return service;
}

function recordJson(r: DhtRecord): Record<string, unknown> {
  const text = (b: Uint8Array): string | undefined => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return undefined;
    }
  };
  return {
    key: toHex(recordKey(r.namespace, r.name)),
    namespace: r.namespace,
    name: toHex(r.name),
    nameText: text(r.name),
    value: toHex(r.value),
    valueText: text(r.value),
    publisher: toHex(r.publisher),
    seq: r.seq,
    expiresAt: new Date(r.expiresAt).toISOString(),
    signature: toHex(r.signature),
  };
}

function providerJson(p: ProviderRecord): Record<string, unknown> {
  return { key: toHex(p.key), provider: { nodeAddress: toHex(p.provider.address), ip: p.provider.ip, port: p.provider.port }, expiresAt: new Date(p.expiresAt).toISOString() };
}

function line(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(toJsonSafe(value)) + '\n');
}

/** Runs one client operation: start, bootstrap, act, print, stop. */
async function asClient(io: CliIo, values: Record<string, unknown>, act: (s: DhtService) => Promise<{ ok: boolean; json: Record<string, unknown>; text: string }>): Promise<number> {
  const bootstrap = (values['bootstrap'] as string[] | undefined) ?? [];
  if (bootstrap.length === 0) throw new UsageError('missing required --bootstrap <multiaddr>');
  const service = await startService(io, values as never, ['/ip4/127.0.0.1/tcp/0']);
  try {
    const joined = await service.bootstrap(bootstrap);
    if (joined.seeds === 0) {
      io.stderr(`hyperspace dht: could not reach any bootstrap node: ${joined.errors.map((e) => e.message).join('; ')}\n`);
      return EXIT_FAILURE;
    }
    const result = await act(service);
    if (values['json']) line(io, { ...result.json, client: toHex(service.self.address) });
    else io.stdout(result.text + '\n');
    return result.ok ? EXIT_OK : EXIT_FAILURE;
  } finally {
    await service.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

async function runStart(argv: string[], io: CliIo, context: DhtCliContext): Promise<number> {
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
  const stats = { ...service.node.stats, lastDrop: service.node.stats.lastDrop?.message ?? null };
  await service.stop();
  io.stderr(`hyperspace dht: stopped (${why}); stats ${JSON.stringify(toJsonSafe(stats))}\n`);
  return EXIT_OK;
}

/** Largest control line accepted, bytes: a put of a 4 KiB value in hex fits. */
const MAX_CONTROL_LINE = 16 * 1024;

async function controlCommand(service: DhtService, text: string): Promise<Record<string, unknown>> {
  let id: unknown = null;
  try {
    if (text.length > MAX_CONTROL_LINE) throw new UsageError('control line too long');
    const cmd = JSON.parse(text) as Record<string, unknown>;
    id = cmd['id'] ?? null;
    const str = (k: string): string | undefined => (typeof cmd[k] === 'string' ? (cmd[k] as string) : undefined);
    const namespace = str('namespace') ?? '/hcs/';
    switch (cmd['op']) {
      case 'get': {
        const name = bytesFlag(str('name'), str('nameHex'), 'name')!;
        const record = await service.get(namespace, name);
        return { id, ok: record !== null, record: record ? recordJson(record) : null };
      }
      case 'put': {
        const name = bytesFlag(str('name'), str('nameHex'), 'name')!;
        const value = bytesFlag(str('value'), str('valueHex'), 'value')!;
        const ttl = typeof cmd['ttlSeconds'] === 'number' ? (cmd['ttlSeconds'] as number) * 1000 : 3_600_000;
        const r = await service.put(namespace, name, value, { ttlMs: ttl });
        return { id, ok: r.storedAt > 0, storedAt: r.storedAt, record: recordJson(r.record) };
      }
      case 'provide': {
        const n = await service.provide(keyFlag(str('key'), str('keyText')));
        return { id, ok: n > 0, storedAt: n };
      }
      case 'providers': {
        const p = await service.providers(keyFlag(str('key'), str('keyText')));
        return { id, ok: p.length > 0, providers: p.map(providerJson) };
      }
      case 'find-node': {
        const target = keyFlag(str('target'), undefined);
        const closest = await service.findNode(target);
        return { id, ok: true, closest: closest.map((c) => ({ nodeAddress: toHex(c.address), ip: c.ip, port: c.port })) };
      }
      case 'stats':
        return { id, ok: true, tableSize: service.node.table.size, stats: { ...service.node.stats, lastDrop: service.node.stats.lastDrop?.message ?? null }, dropsByCode: service.dropsByCode };
      default:
        throw new UsageError(`unknown op ${JSON.stringify(cmd['op'])}`);
    }
  } catch (error) {
    return { id, ok: false, error: error instanceof BaseError ? error.toJSON() : { message: String(error) } };
  }
}

async function runPut(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    ...NETWORK_FLAGS,
    namespace: { type: 'string' },
    name: { type: 'string' },
    'name-hex': { type: 'string' },
    value: { type: 'string' },
    'value-hex': { type: 'string' },
    ttl: { type: 'string' },
    seq: { type: 'string' },
  });
  const namespace = values.namespace ?? '/hcs/';
  const name = bytesFlag(values.name, values['name-hex'], 'name')!;
  const value = bytesFlag(values.value, values['value-hex'], 'value')!;
  const ttlMs = intFlag(values.ttl, 'ttl', 1, 86_400, 3_600) * 1000;
  const seq = values.seq === undefined ? undefined : intFlag(values.seq, 'seq', 0, Number.MAX_SAFE_INTEGER);
  return asClient(io, values, async (s) => {
    const { record, storedAt } = await s.put(namespace, name, value, { ttlMs, ...(seq === undefined ? {} : { seq }) });
    return { ok: storedAt > 0, json: { storedAt, record: recordJson(record) }, text: `stored at ${storedAt} node(s): key ${toHex(recordKey(namespace, name))}` };
  });
}

async function runGet(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { ...NETWORK_FLAGS, namespace: { type: 'string' }, name: { type: 'string' }, 'name-hex': { type: 'string' } });
  const namespace = values.namespace ?? '/hcs/';
  const name = bytesFlag(values.name, values['name-hex'], 'name')!;
  return asClient(io, values, async (s) => {
    const record = await s.get(namespace, name);
    const r = record ? recordJson(record) : null;
    return { ok: record !== null, json: { found: record !== null, record: r }, text: r ? String(r['valueText'] ?? r['value']) : 'not found' };
  });
}

async function runProvide(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { ...NETWORK_FLAGS, key: { type: 'string' }, 'key-text': { type: 'string' } });
  const key = keyFlag(values.key, values['key-text']);
  return asClient(io, values, async (s) => {
    const n = await s.provide(key);
    return { ok: n > 0, json: { key: toHex(key), storedAt: n, provider: { nodeAddress: toHex(s.self.address), ip: s.self.ip, port: s.self.port } }, text: `announced at ${n} node(s)` };
  });
}

async function runProviders(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { ...NETWORK_FLAGS, key: { type: 'string' }, 'key-text': { type: 'string' } });
  const key = keyFlag(values.key, values['key-text']);
  return asClient(io, values, async (s) => {
    const p = await s.providers(key);
    return { ok: p.length > 0, json: { key: toHex(key), providers: p.map(providerJson) }, text: p.map((x) => `${toHex(x.provider.address)} ${x.provider.ip}:${x.provider.port}`).join('\n') || 'no providers' };
  });
}
