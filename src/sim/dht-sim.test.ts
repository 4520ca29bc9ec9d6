import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDhtSim } from './dht-sim.ts';
import { main } from '../cli/main.ts';

const small = { nodes: 300, lookups: 100, durationMin: 1, warmupMin: 1 };

test('the simulator is deterministic: same seed, same figures; another seed differs', async () => {
  const strip = (r: Awaited<ReturnType<typeof runDhtSim>>) => {
    const { wallSeconds, memoryBytesPerNode, details, ...rest } = r;
    const { memoryBytesPerNodeAtEnd, gcAvailable, ...d } = details as Record<string, unknown>;
    void wallSeconds, memoryBytesPerNode, memoryBytesPerNodeAtEnd, gcAvailable;
    return { ...rest, d };
  };
  const a = await runDhtSim({ ...small, seed: 5, adversaries: 0.2 });
  const b = await runDhtSim({ ...small, seed: 5, adversaries: 0.2 });
  assert.deepEqual(strip(a), strip(b));
  const c = await runDhtSim({ ...small, seed: 6, adversaries: 0.2 });
  assert.notDeepEqual(strip(a), strip(c));
  assert.ok(a.successRate >= 0.95, `success ${a.successRate}`);
  assert.ok(a.messagesPerLookup > 5);
});

test('churn, loss and drop adversaries run and report every field', async () => {
  const r = await runDhtSim({ nodes: 200, lookups: 60, durationMin: 1, warmupMin: 3, churnSessionMin: 5, loss: 0.02, duplicate: 0.01, adversaries: 0.1, adversary: 'drop', seed: 2 });
  for (const key of ['nodes', 'lookups', 'successRate', 'hops', 'messagesPerLookup', 'maintenanceBytesPerNodePerSec', 'memoryBytesPerNode', 'wallSeconds'] as const) {
    assert.ok(key in r, key);
  }
  assert.ok((r.details.departures as number) > 0);
  assert.ok(r.successRate > 0.8, `success ${r.successRate}`);
});

test('`hyperspace sim dht --json` prints one JSON object; bad flags are usage errors', async () => {
  let out = '';
  const io = { stdout: (t: string) => void (out += t), stderr: () => {}, env: {}, interactive: false };
  const code = await main(['sim', 'dht', '--nodes', '100', '--lookups', '20', '--duration-min', '0.5', '--warmup-min', '0.5', '--quiet', '--json'], io);
  assert.equal(code, 0);
  const parsed = JSON.parse(out);
  assert.equal(parsed.nodes, 100);
  assert.equal(parsed.lookups, 20);
  assert.equal(await main(['sim', 'dht', '--adversary', 'bribe', '--json'], { ...io, stdout: () => {} }), 2);
  assert.equal(await main(['sim', 'dht', '--loss', '2', '--json'], { ...io, stdout: () => {} }), 2);
});

test('the value workload publishes a record and fetches it from another node; colluders on one path can hide it', async () => {
  const value = await runDhtSim({ ...small, seed: 3, workload: 'value', adversaries: 0.3, adversary: 'misroute' });
  const d = value.details as Record<string, { mean: number; none: number } & Record<string, number>>;
  assert.equal(value.successRate, 1);
  assert.equal(d.failures!.recordNotFound, 0);
  // Colluders acknowledge STOREs they drop, so acknowledged copies overstate the honest ones.
  assert.ok(d.honestCopiesAmongClosest!.mean < d.storedCopies!.mean, JSON.stringify(d));
  assert.ok(value.hops.mean >= 1);
  const onePath = await runDhtSim({ ...small, seed: 3, workload: 'value', adversaries: 0.3, adversary: 'misroute', disjoint: 1 });
  assert.ok(onePath.successRate < 1, `one path: ${onePath.successRate}`);
  assert.equal(await main(['sim', 'dht', '--workload', 'value', '--adversary', 'eclipse', '--json'], { stdout: () => {}, stderr: () => {}, env: {}, interactive: false }), 2);
  assert.equal(await main(['sim', 'dht', '--workload', 'bytes', '--json'], { stdout: () => {}, stderr: () => {}, env: {}, interactive: false }), 2);
});

test('the measuring phase reports the expected time left once 1% of the lookups are done', async () => {
  const lines: string[] = [];
  const r = await runDhtSim({ ...small, seed: 4, log: (l) => lines.push(l) });
  const measuring = lines.filter((l) => l.startsWith('measuring: '));
  assert.ok(measuring.length >= 1, lines.join('\n'));
  const m = /(\d+)\/(\d+) lookups done, ~([\d.]+ (s|h|days)|\?) left \(wall\)/.exec(measuring[0]!);
  assert.ok(m, measuring[0]);
  assert.equal(Number(m[2]), r.lookups);
  assert.ok(Number(m[1]) >= r.lookups / 100 && Number(m[1]) > 0, measuring[0]);
});
