/**
 * The client commands of `hyperspace dht …` (§1.1): put, get, provide, providers.
 * Each starts a short-lived client node (the keystore's identity, or a fresh one
 * meeting c1), joins through --bootstrap, does one thing, prints the answer and exits:
 * 0 when it found or stored something, 1 when not.
 */
import { toHex } from '../../common/bytes.ts';
import { recordKey } from '../../dht/records.ts';
import type { DhtService } from '../../transport/dht-service.ts';
import { intFlag, parse } from '../args.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from '../io.ts';
import { NETWORK_FLAGS, NETWORK_HELP, bytesFlag, keyFlag } from './flags.ts';
import { line, providerJson, recordJson } from './json.ts';
import { startService } from './service.ts';

export const PUT_HELP = `Usage: hyperspace dht put --bootstrap <multiaddr>… --name <text> (--value <text> | --value-hex <hex>) [--namespace /hcs/] [--ttl <seconds>] [--seq <n>] [options]

Signs the record (namespace, name, value, seq, expiry) with the identity and stores it at the
nodes closest to keccak256(namespace ‖ name). Exit 0 when at least one node stored it.

Options:
  --namespace <ns>         record namespace with a validator: /hcs/ (default) or /pk/
  --name <text>            record name (UTF-8), or --name-hex <hex>
  --value <text>           record value (UTF-8), or --value-hex <hex>; at most 4096 bytes
  --ttl <seconds>          lifetime (default 3600, at most 86400)
  --seq <n>                sequence number (default: now in ms); higher replaces lower
${NETWORK_HELP}
`;

export const GET_HELP = `Usage: hyperspace dht get --bootstrap <multiaddr>… --name <text> [--namespace /hcs/] [options]

Finds the record under (namespace, name) and checks its publisher's signature. Exit 0 when found,
1 when not.

Options:
  --namespace <ns>         default /hcs/
  --name <text>            record name (UTF-8), or --name-hex <hex>
${NETWORK_HELP}
`;

export const PROVIDE_HELP = `Usage: hyperspace dht provide --bootstrap <multiaddr>… (--key <hex32> | --key-text <text>) [options]

Announces, signed by this identity, that this identity's node provides <key> (a 32-byte DHT key;
--key-text uses keccak256 of the text). The provider contact is this command's own listen address,
so use --keystore and --listen of a node that keeps running at that address, or expect others to
find a provider that is gone once this command exits.

Options:
  --key <hex>              32-byte key, 0x-hex; or --key-text <text>
${NETWORK_HELP}
`;

export const PROVIDERS_HELP = `Usage: hyperspace dht providers --bootstrap <multiaddr>… (--key <hex32> | --key-text <text>) [options]

Finds the provider records of <key>, each signed by its provider. Exit 0 when at least one.

Options:
  --key <hex>              32-byte key, 0x-hex; or --key-text <text>
${NETWORK_HELP}
`;

/** What one client operation found: its exit status and its --json and text outputs. */
interface ClientResult {
  ok: boolean;
  json: Record<string, unknown>;
  text: string;
}

/** Runs one client operation: start, bootstrap, act, print, stop. */
async function asClient(io: CliIo, values: Record<string, unknown>, act: (s: DhtService) => Promise<ClientResult>): Promise<number> {
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

export async function runPut(argv: string[], io: CliIo): Promise<number> {
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

export async function runGet(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { ...NETWORK_FLAGS, namespace: { type: 'string' }, name: { type: 'string' }, 'name-hex': { type: 'string' } });
  const namespace = values.namespace ?? '/hcs/';
  const name = bytesFlag(values.name, values['name-hex'], 'name')!;
  return asClient(io, values, async (s) => {
    const record = await s.get(namespace, name);
    const r = record ? recordJson(record) : null;
    return { ok: record !== null, json: { found: record !== null, record: r }, text: r ? String(r['valueText'] ?? r['value']) : 'not found' };
  });
}

/** parseArgs options of provide and providers: the network flags and the key. */
const KEY_FLAGS = { ...NETWORK_FLAGS, key: { type: 'string' }, 'key-text': { type: 'string' } } as const;

export async function runProvide(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, KEY_FLAGS);
  const key = keyFlag(values.key, values['key-text']);
  return asClient(io, values, async (s) => {
    const n = await s.provide(key);
    return { ok: n > 0, json: { key: toHex(key), storedAt: n, provider: { nodeAddress: toHex(s.self.address), ip: s.self.ip, port: s.self.port } }, text: `announced at ${n} node(s)` };
  });
}

export async function runProviders(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, KEY_FLAGS);
  const key = keyFlag(values.key, values['key-text']);
  return asClient(io, values, async (s) => {
    const p = await s.providers(key);
    return { ok: p.length > 0, json: { key: toHex(key), providers: p.map(providerJson) }, text: p.map((x) => `${toHex(x.provider.address)} ${x.provider.ip}:${x.provider.port}`).join('\n') || 'no providers' };
  });
}
