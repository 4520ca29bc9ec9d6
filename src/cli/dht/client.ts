/**
 * The client commands of `hyperspace dht …` (§1.1): put, get, provide, providers.
 * Each starts a short-lived client node (the keystore's identity, or a fresh one
 * meeting c1), joins through --bootstrap, does one thing, prints the answer and exits:
 * 0 when it found or stored something, 1 when not.
 */
import { bytesEqual, toHex } from '../../common/bytes.ts';
import { withDefaults } from '../../dht/defaults.ts';
import { DEFAULT_VALIDATORS, recordKey } from '../../dht/records.ts';
import { DEFAULTS as SERVICE_DEFAULTS, type DhtService } from '../../node/dht-service.ts';
import type { Libp2pTransport } from '../../transport/libp2p-transport.ts';
import { intFlag, parse } from '../args.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from '../io.ts';
import { NETWORK_FLAGS, NETWORK_HELP, bootstrapFlag, bytesFlag, keyFlag } from './flags.ts';
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
  /** Why it failed, when the operation knows (printed on stderr before the refusal counts). */
  explain?: string;
  json: Record<string, unknown>;
  text: string;
}

/** Runs one client operation: start, bootstrap, act, print, stop. */
async function asClient(io: CliIo, values: Record<string, unknown>, act: (s: DhtService) => Promise<ClientResult>): Promise<number> {
  const seeds = bootstrapFlag(values['bootstrap'] as string[] | undefined, true);
  // Client mode: the nodes we ask answer but never add this short-lived process to their tables.
  const service = await startService(io, values as never, ['/ip4/127.0.0.1/tcp/0'], true);
  try {
    const self = (service.transport as Libp2pTransport).peerId.toString();
    const same = seeds.find((s) => s.peerId === self);
    if (same) {
      throw new UsageError(
        `--keystore ${String(values['keystore'])} is the identity of the node at ${same.address}: a client cannot join through itself`,
        'drop --keystore (a fresh identity is made for the run), use another keystore, or ask the running node itself with `dht start --control stdin`',
      );
    }
    const before = snapshot(service);
    const joined = await service.bootstrap(seeds.map((s) => s.address));
    if (joined.seeds === 0) {
      io.stderr(`hyperspace dht: could not reach any bootstrap node: ${joined.errors.map((e) => e.message).join('; ')}\n`);
      return EXIT_FAILURE;
    }
    const result = await act(service);
    const refusals = result.ok ? {} : refusalsSince(service, before);
    if (values['json']) line(io, { ...result.json, ...(result.ok ? {} : { refusals }), client: toHex(service.self.address) });
    else io.stdout(result.text + '\n');
    if (!result.ok) {
      if (result.explain) io.stderr(`hyperspace dht: ${result.explain}\n`);
      const why = describeRefusals(refusals, Number(values['c1'] ?? SERVICE_DEFAULTS.c1));
      if (why !== '') io.stderr(`hyperspace dht: ${why}\n`);
    }
    return result.ok ? EXIT_OK : EXIT_FAILURE;
  } finally {
    await service.stop();
  }
}

/** The counters a failed operation's explanation is the difference of. */
function snapshot(s: DhtService): { dropped: Record<string, number>; timeouts: number } {
  return { dropped: { ...s.node.stats.dropped }, timeouts: s.node.stats.timeouts };
}

/** What this client refused (by drop code) and how many requests went unanswered since `before`. */
function refusalsSince(s: DhtService, before: ReturnType<typeof snapshot>): Record<string, number> {
  const now = snapshot(s);
  const out: Record<string, number> = {};
  for (const [code, n] of Object.entries(now.dropped)) if (n > (before.dropped[code] ?? 0)) out[code] = n - (before.dropped[code] ?? 0);
  if (now.timeouts > before.timeouts) out['timeout'] = now.timeouts - before.timeouts;
  return out;
}

/** One sentence for the refusals, most telling first; '' when there were none. */
export function describeRefusals(refusals: Record<string, number>, c1: number): string {
  const parts: string[] = [];
  for (const [code, n] of Object.entries(refusals)) {
    if (code === 'puzzle') parts.push(`${n} contact(s) refused: their static puzzle is below c1 = ${c1} (is the network's c1 lower? pass the same --c1 as its nodes)`);
    else if (code === 'timeout') parts.push(`${n} request(s) unanswered (a node ignores a client whose identity is below its c1; a departed or overloaded node never answers)`);
    else parts.push(`${n} answer(s) dropped as ${code}`);
  }
  return parts.length === 0 ? '' : `on the way: ${parts.join('; ')}`;
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
  checkRecordShape(namespace, name, value); // before the identity and the network join, not after
  return asClient(io, values, async (s) => {
    const { record, storedAt } = await s.put(namespace, name, value, { ttlMs, ...(seq === undefined ? {} : { seq }) });
    const key = toHex(recordKey(namespace, name));
    if (storedAt > 0) return { ok: true, json: { storedAt, record: recordJson(record) }, text: `stored at ${storedAt} node(s): key ${key}` };
    // The nodes answer a refused STORE with ok = false and no reason; what they hold says why.
    const held = await s.get(namespace, name);
    let explain: string | undefined;
    if (held && !bytesEqual(held.publisher, record.publisher)) {
      explain = `the record was refused: ${namespace}${String(recordJson(held)['nameText'] ?? toHex(name))} is held by another publisher, ${toHex(held.publisher)} (in ${namespace} a name belongs to its first publisher)`;
    } else if (held && held.seq >= record.seq) {
      explain = `the record was refused: the nodes hold one of yours with seq ${held.seq} ≥ ${record.seq} (pass a higher --seq)`;
    }
    return {
      ok: false,
      ...(explain ? { explain } : {}),
      json: { storedAt, record: recordJson(record), refused: explain ?? null },
      text: `stored at 0 node(s): key ${key}`,
    };
  });
}

/** The limits every node checks (docs/dht-network.md §3), checked here before joining the network. */
function checkRecordShape(namespace: string, name: Uint8Array, value: Uint8Array): void {
  const limits = withDefaults({});
  if (!Object.hasOwn(DEFAULT_VALIDATORS, namespace)) throw new UsageError(`--namespace must be one of ${Object.keys(DEFAULT_VALIDATORS).join(', ')} (nodes refuse records in other namespaces)`);
  if (name.length === 0 || name.length > limits.maxNameBytes) throw new UsageError(`the name is ${name.length} bytes; it must be 1 to ${limits.maxNameBytes}`);
  if (value.length > limits.maxValueBytes) throw new UsageError(`the value is ${value.length} bytes, over the ${limits.maxValueBytes}-byte limit every node enforces`);
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
