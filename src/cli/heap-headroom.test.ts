import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import v8 from 'node:v8';
import { HEADROOM_ENV, headroomMessages, planHeadroom } from './heap-headroom.ts';

const limit = v8.getHeapStatistics().heap_size_limit;

test('a run that fits the current heap is not re-run', () => {
  const plan = planHeadroom(limit / 2, {});
  assert.equal(plan.rerunMiB, null);
  assert.equal(plan.tooSmall, false);
});

test('a run over the limit is re-run with 1.5x its need, capped at 75% of physical memory', () => {
  const need = limit + 2 ** 30;
  const plan = planHeadroom(need, {});
  const cap = Math.floor(os.totalmem() * 0.75);
  if (cap <= limit) {
    assert.equal(plan.rerunMiB, null);
    assert.equal(plan.tooSmall, true);
    return;
  }
  assert.ok(plan.rerunMiB !== null);
  assert.equal(plan.rerunMiB, Math.ceil(Math.min(cap, Math.ceil(need * 1.5)) / 2 ** 20));
  assert.ok(plan.rerunMiB * 2 ** 20 > limit);
});

test('a need beyond the machine is reported as too small', () => {
  const plan = planHeadroom(os.totalmem() * 4, {});
  assert.equal(plan.tooSmall, true);
});

test('the re-run child never re-runs itself again', () => {
  const plan = planHeadroom(limit * 2, { [HEADROOM_ENV]: '8192' });
  assert.equal(plan.rerunMiB, null);
});

test('a re-run that still falls short says so before re-running, not only when no re-run happens', () => {
  const GiB = 2 ** 30;
  const short = { neededBytes: 60 * GiB, limitBytes: 4 * GiB, rerunMiB: 48 * 1024, tooSmall: true };
  const lines = headroomMessages(short, 'sim: ');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^sim: needs ~60\.0 GiB of heap, limit is 4\.0 GiB: re-running with --max-old-space-size=49152$/);
  assert.match(lines[1]!, /^sim: warning: needs ~60\.0 GiB of heap but this machine allows 48\.0 GiB; it may run out of memory$/);
  // enough after the re-run: no warning; no re-run possible: the warning against the current limit
  assert.deepEqual(headroomMessages({ ...short, tooSmall: false }, '').length, 1);
  assert.deepEqual(headroomMessages({ ...short, rerunMiB: null }, ''), ['warning: needs ~60.0 GiB of heap but this machine allows 4.0 GiB; it may run out of memory']);
});
