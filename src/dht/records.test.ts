import { test } from 'node:test';
import assert from 'node:assert/strict';
import { publicKeyOf, nodeAddressOf } from '../identity/node-address.ts';
import { RecordRejectedError } from './errors.ts';
import type { DhtRecord } from './messages.ts';
import { checkRecord, DEFAULT_VALIDATORS, hcsValidator, type RecordVerifier } from './records.ts';

const acceptAll: RecordVerifier = { verifyRecord: () => true, verifyProvider: () => true };
const rejectAll: RecordVerifier = { verifyRecord: () => false, verifyProvider: () => false };
const DAY = 24 * 3600_000;
const now = 1_700_000_000_000;

const secret = new Uint8Array(32).fill(7);
const pub = publicKeyOf(secret);
const addr = nodeAddressOf(pub);

function pkRecord(over: Partial<DhtRecord> = {}): DhtRecord {
  return { namespace: '/pk/', name: addr, value: pub, publisher: addr, seq: 1, expiresAt: now + 3600_000, signature: new Uint8Array(65), ...over };
}

test('a valid /pk/ record passes; each broken field is rejected with a typed error', () => {
  checkRecord(pkRecord(), DEFAULT_VALIDATORS, acceptAll, now, DAY);
  const other = nodeAddressOf(publicKeyOf(new Uint8Array(32).fill(9)));
  const bad: [string, DhtRecord][] = [
    ['key does not hash to the name', pkRecord({ name: other })],
    ['only the key owner', pkRecord({ publisher: other })],
    ['uncompressed public key', pkRecord({ value: pub.subarray(1) })],
    ['expired', pkRecord({ expiresAt: now })],
    ['lifetime longer', pkRecord({ expiresAt: now + 2 * DAY })],
    ['unknown namespace', pkRecord({ namespace: '/nope/' })],
  ];
  for (const [reason, record] of bad) {
    assert.throws(() => checkRecord(record, DEFAULT_VALIDATORS, acceptAll, now, DAY), (e: unknown) => e instanceof RecordRejectedError && e.message.includes(reason), reason);
  }
  assert.throws(() => checkRecord(pkRecord(), DEFAULT_VALIDATORS, rejectAll, now, DAY), /bad publisher signature/);
});

test('/hcs/ names cannot be hijacked by another publisher; the owner updates by seq', () => {
  const a = new Uint8Array(32).fill(1);
  const b = new Uint8Array(32).fill(2);
  const base = { namespace: '/hcs/', name: new TextEncoder().encode('eu-1'), value: new Uint8Array([1]), expiresAt: now + 1000, signature: new Uint8Array(65) };
  const v1 = { ...base, publisher: a, seq: 1 };
  const v2 = { ...base, publisher: a, seq: 2 };
  const thief = { ...base, publisher: b, seq: 99 };
  assert.equal(hcsValidator.select(v1, v2), v2);
  assert.equal(hcsValidator.select(v2, v1), v2);
  assert.equal(hcsValidator.select(v1, thief), v1);
});
