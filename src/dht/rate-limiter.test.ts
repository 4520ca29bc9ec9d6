import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limiter.ts';

test('a flood from one peer is cut to the burst, then to the sustained rate; other peers are unaffected', () => {
  const rl = new RateLimiter({ ratePerSecond: 10, burst: 20, trackedPeers: 100 });
  let allowed = 0;
  for (let i = 0; i < 1000; i++) if (rl.allow('flooder', 0)) allowed++;
  assert.equal(allowed, 20);
  assert.equal(rl.allow('polite', 0), true);
  // One second later: 10 more tokens.
  allowed = 0;
  for (let i = 0; i < 1000; i++) if (rl.allow('flooder', 1000)) allowed++;
  assert.equal(allowed, 10);
});

test('tracked peers stay bounded', () => {
  const rl = new RateLimiter({ ratePerSecond: 10, burst: 5, trackedPeers: 50 });
  for (let i = 0; i < 10_000; i++) rl.allow(i, i);
  assert.ok(rl.tracked <= 50, `tracked ${rl.tracked}`);
});

test('prune forgets only peers whose bucket has refilled', () => {
  const rl = new RateLimiter({ ratePerSecond: 10, burst: 20, trackedPeers: 100 });
  for (let i = 0; i < 25; i++) rl.allow('busy', 0);
  rl.allow('idle', 0);
  rl.prune(1000); // 1 s: not refilled (20 tokens take 2 s)
  assert.equal(rl.tracked, 2);
  rl.prune(2000);
  assert.equal(rl.tracked, 0);
  assert.equal(rl.allow('busy', 2000), true);
});
