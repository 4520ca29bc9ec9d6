/**
 * The stdin control protocol of `hyperspace dht start --control stdin` (§1.1;
 * docs/dht-network.md §6): one JSON command a line in, one JSON answer out, so a
 * script or test can make the running node itself look up, store and announce.
 *
 *   {"id":1,"op":"get","namespace":"/hcs/","name":"alpha"}  ->  {"id":1,"ok":true,"record":{…}}
 *
 * ops: get, put (namespace, name|nameHex, value|valueHex, ttlSeconds), provide and providers
 * (key hex or keyText), find-node (target hex), stats. A bad line is answered with ok: false and
 * the error, never a crash.
 */
import { toHex } from '../../common/bytes.ts';
import { BaseError } from '../../common/errors.ts';
import type { DhtService } from '../../node/dht-service.ts';
import { UsageError } from '../io.ts';
import { bytesFlag, keyFlag } from './flags.ts';
import { providerJson, recordJson, statsJson } from './json.ts';

/** Largest control line accepted, bytes: a put of a 4 KiB value in hex fits. */
const MAX_CONTROL_LINE = 16 * 1024;

export async function controlCommand(service: DhtService, text: string): Promise<Record<string, unknown>> {
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
        return { id, ok: true, tableSize: service.node.table.size, stats: statsJson(service), dropsByCode: service.dropsByCode };
      default:
        throw new UsageError(`unknown op ${JSON.stringify(cmd['op'])}`);
    }
  } catch (error) {
    return { id, ok: false, error: error instanceof BaseError ? error.toJSON() : { message: String(error) } };
  }
}
