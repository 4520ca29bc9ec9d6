/**
 * JSON shapes the `hyperspace dht …` commands print (§1.1): signed records and provider
 * records with bytes as 0x-hex (and as text when they are UTF-8), one JSON value a line.
 */
import { toHex } from '../../common/bytes.ts';
import { toJsonSafe } from '../../common/errors.ts';
import type { DhtRecord, ProviderRecord } from '../../dht/messages.ts';
import { recordKey } from '../../dht/records.ts';
import type { DhtService } from '../../node/dht-service.ts';
import type { CliIo } from '../io.ts';

export function recordJson(r: DhtRecord): Record<string, unknown> {
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

export function providerJson(p: ProviderRecord): Record<string, unknown> {
  return { key: toHex(p.key), provider: { nodeAddress: toHex(p.provider.address), ip: p.provider.ip, port: p.provider.port }, expiresAt: new Date(p.expiresAt).toISOString() };
}

/** One compact JSON line on stdout (a script reads the output line by line). */
export function line(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(toJsonSafe(value)) + '\n');
}

/** The node's counters, with the last dropped input as its message only. */
export function statsJson(service: DhtService): Record<string, unknown> {
  const stats = service.node.stats;
  return { ...stats, lastDrop: stats.lastDrop?.message ?? null };
}
