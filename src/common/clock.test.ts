import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, SeededRandom } from './clock.ts';

test('SeededRandom gives the same stream for the same seed and a different one otherwise', () => {
  const a = new SeededRandom(42).bytes(64);
  assert.deepEqual(new SeededRandom(42).bytes(64), a);
  assert.notDeepEqual(new SeededRandom(43).bytes(64), a);
});

test('SeededRandom floats stay in [0, 1) and are roughly uniform', () => {
  const r = new SeededRandom(7);
  let sum = 0;
  for (let i = 0; i < 10_000; i++) {
    const f = r.nextFloat();
    assert.ok(f >= 0 && f < 1);
    sum += f;
  }
  assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.02);
});

test('ManualClock only moves when advanced', () => {
  const c = new ManualClock(1000);
  assert.equal(c.now(), 1000);
  c.advance(250);
  assert.equal(c.now(), 1250);
});
