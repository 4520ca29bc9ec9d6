import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from './memory-clock.ts';
import { MemoryNetwork } from './memory-network.ts';

test('the virtual clock runs events in time order, ties in scheduling order', () => {
  const c = new VirtualClock(0);
  const order: string[] = [];
  c.schedule(20, () => order.push('b'));
  c.schedule(10, () => order.push('a1'));
  c.schedule(10, () => order.push('a2'));
  c.schedule(5, () => c.schedule(5, () => order.push('a3'))); // same time as a1/a2, scheduled later
  assert.equal(c.runUntil(15), 4);
  assert.deepEqual(order, ['a1', 'a2', 'a3']);
  assert.equal(c.now(), 15);
  c.runUntilIdle();
  assert.deepEqual(order, ['a1', 'a2', 'a3', 'b']);
});

function trace(seed: number, loss: number, duplicate: number) {
  const clock = new VirtualClock(0);
  const net = new MemoryNetwork<string, number>(clock, { seed, loss, duplicate, jitterMs: 20 });
  const got: [number, number][] = [];
  net.attach('a', () => {});
  net.attach('b', (_from, m) => got.push([m, clock.now()]));
  for (let i = 0; i < 2000; i++) clock.at(i, () => net.send('a', 'b', i));
  clock.runUntilIdle();
  return { got, stats: net.stats, net };
}

test('same seed, same deliveries; loss and duplication happen at about the configured rates', () => {
  const a = trace(9, 0.05, 0.01);
  const b = trace(9, 0.05, 0.01);
  assert.deepEqual(a.got, b.got);
  assert.notDeepEqual(trace(10, 0.05, 0.01).got, a.got);
  assert.ok(a.stats.lost > 50 && a.stats.lost < 160, `lost ${a.stats.lost}`);
  assert.ok(a.stats.duplicated > 5 && a.stats.duplicated < 45, `dup ${a.stats.duplicated}`);
  assert.equal(a.got.length, 2000 - a.stats.lost + a.stats.duplicated);
});

test('jitter reorders messages sent close together; the per-pair base delay is stable and symmetric', () => {
  const { got, net } = trace(3, 0, 0);
  let inversions = 0;
  for (let i = 1; i < got.length; i++) if (got[i]![0] < got[i - 1]![0]) inversions++;
  assert.ok(inversions > 100, `inversions ${inversions}`);
  assert.equal(net.baseDelay('a', 'b'), net.baseDelay('b', 'a'));
  assert.ok(net.baseDelay('a', 'b') > 0);
});

test('messages to a detached endpoint vanish and are counted', () => {
  const clock = new VirtualClock(0);
  const net = new MemoryNetwork<string, string>(clock, { seed: 1 });
  let n = 0;
  net.attach('a', () => {});
  net.attach('b', () => n++);
  net.send('a', 'b', 'x');
  net.detach('b');
  clock.runUntilIdle();
  assert.equal(n, 0);
  assert.equal(net.stats.undeliverable, 1);
});
