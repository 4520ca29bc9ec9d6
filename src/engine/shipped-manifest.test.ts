/**
 * models/manifest.json parsing (untrusted file) and the pin check (issue 10 §5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestFormatError, checkShipped, parseManifest } from './shipped-manifest.ts';

const HASH_A = '0x' + 'ab'.repeat(32);
const HASH_B = '0x' + 'cd'.repeat(32);
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

test('a well-formed manifest parses; checkShipped tells matching, modified and unpinned names apart', () => {
  const m = parseManifest(enc({ description: 'd', models: [{ name: 'sort-transformer', file: 'sort-transformer.hsm', modelHash: HASH_A }] }), 'm.json');
  assert.deepEqual(checkShipped(m, 'sort-transformer', HASH_A), { name: 'sort-transformer', pinnedModelHash: HASH_A, matches: true });
  assert.deepEqual(checkShipped(m, 'sort-transformer', HASH_B), { name: 'sort-transformer', pinnedModelHash: HASH_A, matches: false });
  assert.equal(checkShipped(m, 'sort-transformer', HASH_A.toUpperCase().replace('0X', '0x')).matches, true);
  assert.deepEqual(checkShipped(m, 'other', HASH_A), { name: 'other', pinnedModelHash: null, matches: null });
  assert.deepEqual(checkShipped(null, 'sort-transformer', HASH_A), { name: 'sort-transformer', pinnedModelHash: null, matches: null });
});

test('bad manifests are ManifestFormatError: not JSON, wrong shape, bad hash, path-like names, duplicates, too large', () => {
  const entry = { name: 'a', file: 'a.hsm', modelHash: HASH_A };
  const bad: unknown[] = [
    '{',
    '\u00ff',
    null,
    [],
    { models: {} },
    { models: [null] },
    { models: [{ ...entry, modelHash: HASH_A.slice(0, 10) }] },
    { models: [{ ...entry, modelHash: HASH_A.toUpperCase() }] },
    { models: [{ ...entry, name: '../a' }] },
    { models: [{ ...entry, file: '../../etc/passwd' }] },
    { models: [{ ...entry, file: '/abs.hsm' }] },
    { models: [entry, { ...entry, modelHash: HASH_B }] }, // a second pin for the same name
  ];
  for (const v of bad) assert.throws(() => parseManifest(enc(v), 'm.json'), ManifestFormatError, JSON.stringify(v));
  assert.throws(() => parseManifest(new Uint8Array([0xff, 0xfe]), 'm.json'), ManifestFormatError);
  assert.throws(() => parseManifest(enc({ models: [entry] }), 'm.json', { maxBytes: 10 }), ManifestFormatError);
  assert.throws(() => parseManifest(enc({ models: [entry, { ...entry, name: 'b' }] }), 'm.json', { maxModels: 1 }), ManifestFormatError);
});
