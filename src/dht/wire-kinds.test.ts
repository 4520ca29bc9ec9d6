import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQUEST_TYPES, RESPONSE_TYPES, type DhtBody } from './messages.ts';
import { DHT_KINDS, dhtKindOfTag, type DhtBodyType } from './wire-kinds.ts';

/** true only when A and B are the same union (a compile-time check: tsc --noEmit fails otherwise). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const BODY_TYPES_MATCH: Same<DhtBodyType, DhtBody['type']> = true;

test('one wire kind per DHT body type, requests and responses as messages.ts lists them', () => {
  assert.equal(BODY_TYPES_MATCH, true);
  const requests = Object.entries(DHT_KINDS).filter(([, v]) => v.request).map(([t]) => t).sort();
  const responses = Object.entries(DHT_KINDS).filter(([, v]) => !v.request).map(([t]) => t).sort();
  assert.deepEqual(requests, [...REQUEST_TYPES].sort());
  assert.deepEqual(responses, [...RESPONSE_TYPES].sort());
});

test('each kind is found by its domain tag, and an unknown tag by none', () => {
  for (const [type, v] of Object.entries(DHT_KINDS)) {
    assert.deepEqual(dhtKindOfTag(v.kind.domain.tag), { type, kind: v.kind, request: v.request });
  }
  assert.equal(dhtKindOfTag('not-a-dht-tag'), undefined);
});
