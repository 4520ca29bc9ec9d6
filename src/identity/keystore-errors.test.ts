import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaseError } from '../common/errors.ts';
import {
  CorruptKeystoreError,
  KeystoreExistsError,
  KeystoreIoError,
  KeystoreNotFoundError,
  WrongPasswordError,
} from './keystore-errors.ts';

test('each keystore error has its fixed code, a message naming the path, and the path in details', () => {
  const cause = new Error('EACCES: permission denied');
  const cases: [BaseError, string, string, Record<string, unknown>][] = [
    [new WrongPasswordError('k.json'), 'KEYSTORE_WRONG_PASSWORD', 'wrong password for keystore k.json', { path: 'k.json' }],
    [new CorruptKeystoreError('mac is not a hex string', 'k.json'), 'KEYSTORE_CORRUPT', 'corrupt or unsupported keystore k.json: mac is not a hex string', { path: 'k.json', reason: 'mac is not a hex string' }],
    [new KeystoreNotFoundError('k.json'), 'KEYSTORE_NOT_FOUND', 'keystore not found: k.json', { path: 'k.json' }],
    [new KeystoreExistsError('k.json'), 'KEYSTORE_EXISTS', 'keystore already exists: k.json', { path: 'k.json' }],
    [new KeystoreIoError('k.json', 'EACCES', cause), 'KEYSTORE_IO', 'cannot access keystore k.json: EACCES', { path: 'k.json', reason: 'EACCES' }],
  ];
  for (const [error, code, message, details] of cases) {
    assert.ok(error instanceof BaseError);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    assert.deepEqual(error.details, details);
    assert.equal(error.name, error.constructor.name);
    assert.deepEqual(error.toJSON(), { name: error.name, code, message, details });
  }
  assert.equal(new KeystoreIoError('k.json', 'EACCES', cause).cause, cause);
});

test('without a path, WrongPasswordError and CorruptKeystoreError leave it out of message and details', () => {
  const wrong = new WrongPasswordError();
  assert.equal(wrong.message, 'wrong password for keystore');
  assert.deepEqual(wrong.details, {});
  assert.equal('path' in wrong.details, false);
  const cause = new SyntaxError('Unexpected token');
  const corrupt = new CorruptKeystoreError('not valid JSON', undefined, cause);
  assert.equal(corrupt.message, 'corrupt or unsupported keystore: not valid JSON');
  assert.deepEqual(corrupt.details, { reason: 'not valid JSON' });
  assert.equal('path' in corrupt.details, false);
  assert.equal(corrupt.cause, cause);
  // An empty path is still recorded in details (it was given), though the message has no room for it.
  assert.deepEqual(new WrongPasswordError('').details, { path: '' });
});
