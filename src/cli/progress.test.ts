import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CliIo } from './io.ts';
import { formatDuration, formatRate, interruptible, progressReporter } from './progress.ts';

function capture(interactive: boolean) {
  let err = '';
  const io: CliIo = { stdout: () => {}, stderr: (t) => void (err += t), env: {}, interactive };
  return { io, err: () => err };
}

test('progress lines carry attempts, rate and time left; in-place on a terminal, one per line otherwise', () => {
  const sample = { attempts: 123_456, attemptsByWorker: [123_456], attemptsPerSecond: 400_000, expectedAttempts: 65_536, etaSeconds: 95, elapsedSeconds: 0.3 };
  const log = capture(false);
  const r = progressReporter(log.io, 'grinding c1=16', true);
  r.onProgress!(sample);
  r.onProgress!(sample);
  r.done();
  assert.equal(log.err().split('\n').length, 3);
  assert.match(log.err(), /^grinding c1=16: 123,456 attempts \(expected 65,536\), 400 k\/s, 0\.30 s elapsed, ~1\.6 min left\n/);
  const tty = capture(true);
  const t = progressReporter(tty.io, 'x', true);
  t.onProgress!(sample);
  t.done();
  assert.match(tty.err(), /^\r.*\x1b\[K\n$/);
  assert.equal(progressReporter(log.io, 'x', false).onProgress, undefined);
});

test('durations and rates are printed in a unit a person reads at a glance', () => {
  assert.equal(formatDuration(0.25), '0.25 s');
  assert.equal(formatDuration(95), '1.6 min');
  assert.equal(formatDuration(3 * 86400), '3.0 days');
  assert.equal(formatDuration(2 ** 64 / 1e6), '584,542 years');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '?');
  assert.equal(formatRate(1_810_000), '1.81 M/s');
  assert.equal(formatRate(12), '12 /s');
});

test('interruptible returns null when the outer signal aborts the work, and the value otherwise', async () => {
  assert.equal(await interruptible(undefined, async () => 7), 7);
  const outer = new AbortController();
  const pending = interruptible(outer.signal, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))));
  outer.abort();
  assert.equal(await pending, null);
  await assert.rejects(interruptible(undefined, async () => { throw new Error('real failure'); }), /real failure/);
});
