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
