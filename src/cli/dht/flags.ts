/**
 * Flags shared by the `hyperspace dht …` commands (§1.1): the network options every
 * command takes, and the record name/value and 32-byte key flags, which the stdin
 * control protocol of `dht start` reads too.
 */
import { multiaddr } from '@multiformats/multiaddr';
import { fromHex } from '../../common/bytes.ts';
import { keccak256 } from '../../crypto/keccak.ts';
import { MAX_DIFFICULTY } from '../../identity/puzzle.ts';
import { DEFAULTS as SERVICE_DEFAULTS } from '../../node/dht-service.ts';
import { UsageError } from '../io.ts';

/** parseArgs options of the flags every dht command takes. */
export const NETWORK_FLAGS = {
  bootstrap: { type: 'string', multiple: true },
  c1: { type: 'string' },
  keystore: { type: 'string' },
  listen: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

/** Help text of NETWORK_FLAGS, closing each client command's help. */
export const NETWORK_HELP = `Network options:
  --bootstrap <multiaddr>  a node to join through (repeatable), e.g. /ip4/127.0.0.1/tcp/4001/p2p/16Uiu2…
  --c1 <bits>              the network's static puzzle difficulty, 0..${MAX_DIFFICULTY} (default ${SERVICE_DEFAULTS.c1})
  --keystore <file>        identity to use (password from HYPERSPACE_PASSWORD or the terminal);
                           without it a fresh identity meeting c1 is made for this run
  --listen <multiaddr>     where this client listens (default /ip4/127.0.0.1/tcp/0)
  --json                   print JSON on stdout
  -h, --help               show this help`;

/** Bytes from `--<flag> <text>` (UTF-8) or `--<flag>-hex <hex>`; at most one of the two. */
export function bytesFlag(text: string | undefined, hex: string | undefined, flag: string, required = true): Uint8Array | undefined {
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

/** A 32-byte DHT key from `--key <hex32>`, or keccak256 of `--key-text <text>`; exactly one of the two. */
export function keyFlag(hex: string | undefined, text: string | undefined): Uint8Array {
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

/**
 * The --bootstrap multiaddrs, parsed before anything starts: a malformed one is bad usage (exit 2),
 * not a network failure. Returns the peer id each names (`/p2p/<id>`), if any.
 */
export function bootstrapFlag(values: readonly string[] | undefined, required: boolean): { address: string; peerId: string | null }[] {
  const list = values ?? [];
  if (required && list.length === 0) throw new UsageError('missing required --bootstrap <multiaddr>');
  return list.map((address) => {
    try {
      const p2p = multiaddr(address).getComponents().findLast((c) => c.name === 'p2p');
      return { address, peerId: p2p?.value ?? null };
    } catch (error) {
      const reason = ((error as Error).message ?? String(error)).split('\n')[0];
      throw new UsageError(`--bootstrap ${JSON.stringify(address)} is not a multiaddr (${reason}); e.g. /ip4/127.0.0.1/tcp/4001/p2p/16Uiu2…`);
    }
  });
}
