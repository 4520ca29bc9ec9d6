import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayGuard } from './replay-guard.ts';
import { ExpiredError, ReplayedError } from './errors.ts';
import { SeededRandom } from '../common/clock.ts';

const alice = new Uint8Array(32).fill(1);
const bob = new Uint8Array(32).fill(2);
const nonce = (n: number) => new Uint8Array(16).fill(n);

test('a nonce is accepted once; the same nonce from another sender is independent', () => {
  const g = new ReplayGuard({ windowMs: 1000 });
  g.admit(alice, nonce(1), 5000, 5000);
  assert.throws(() => g.admit(alice, nonce(1), 5000, 5100), ReplayedError);
  g.admit(bob, nonce(1), 5000, 5100);
  g.admit(alice, nonce(2), 5000, 5100);
  assert.equal(g.size, 3);
});

test('timestamps outside ±window are ExpiredError, on both sides, and are not remembered', () => {
  const g = new ReplayGuard({ windowMs: 1000 });
  assert.throws(() => g.admit(alice, nonce(1), 3999, 5000), ExpiredError);
  assert.throws(() => g.admit(alice, nonce(1), 6001, 5000), ExpiredError);
  assert.throws(() => g.checkFresh(Number.NaN, 5000), ExpiredError);
  g.admit(alice, nonce(1), 4000, 5000);
  g.admit(alice, nonce(2), 6000, 5000);
  assert.equal(g.size, 2);
});

test('entries are forgotten once the window has passed, and a late replay is then refused as expired', () => {
  const g = new ReplayGuard({ windowMs: 1000 });
  g.admit(alice, nonce(1), 5000, 5000);
  g.expire(6000);
  assert.equal(g.size, 1, 'still inside the window at now = t + window');
  g.expire(6001);
  assert.equal(g.size, 0);
  assert.throws(() => g.admit(alice, nonce(1), 5000, 6001), ExpiredError);
});

test('at the hard cap the oldest entry is evicted and the floor rises, so the evicted nonce still cannot be replayed', () => {
  const g = new ReplayGuard({ windowMs: 10_000, maxEntries: 3 });
  g.admit(alice, nonce(1), 1000, 1000);
  g.admit(alice, nonce(2), 1001, 1000);
  g.admit(alice, nonce(3), 1002, 1000);
  g.admit(alice, nonce(4), 1003, 1000); // evicts nonce 1 (t = 1000)
  assert.equal(g.size, 3);
  assert.equal(g.floorMs, 1000);
  assert.throws(() => g.admit(alice, nonce(1), 1000, 1010), ExpiredError);
  assert.throws(() => g.admit(alice, nonce(2), 1001, 1010), ReplayedError);
  // A fresh message older than the next eviction is refused too: safety over availability.
  assert.throws(() => g.admit(bob, nonce(9), 1001, 1010), ExpiredError);
  assert.equal(g.size, 3);
});

test('under random traffic memory never exceeds the cap and no replay is ever accepted', () => {
  const r = new SeededRandom(11);
  const g = new ReplayGuard({ windowMs: 500, maxEntries: 64 });
  const accepted: Array<[Uint8Array, number]> = [];
  let now = 0;
  for (let i = 0; i < 3000; i++) {
    now += r.nextU32() % 20;
    const ts = now - 400 + (r.nextU32() % 800);
    const n = r.bytes(16);
    try {
      g.admit(alice, n, ts, now);
      accepted.push([n, ts]);
    } catch (e) {
      assert.ok(e instanceof ExpiredError, String(e));
    }
    assert.ok(g.size <= 64);
    if (accepted.length > 0 && i % 7 === 0) {
      const [old, oldTs] = accepted[r.nextU32() % accepted.length]!;
      assert.throws(() => g.admit(alice, old, oldTs, now), (e: unknown) => e instanceof ReplayedError || e instanceof ExpiredError);
    }
  }
  assert.ok(accepted.length > 1000);
});
