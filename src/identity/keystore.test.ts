import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants as fsConstants, openSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile, stat, readdir, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDecipheriv } from 'node:crypto';
import { scrypt as nobleScrypt } from '@noble/hashes/scrypt.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { SeededRandom } from '../common/clock.ts';
import {
  CorruptKeystoreError,
  DEFAULTS,
  checkScryptCost,
  KeystoreExistsError,
  KeystoreNotFoundError,
  WrongPasswordError,
  decryptKeystore,
  encryptKeystore,
  parseKeystore,
  readKeystoreFile,
  unlockKeystoreFile,
  writeKeystoreFile,
  type KeystoreV3,
} from './keystore.ts';

interface Vector {
  name: string;
  password: string;
  secretKey: string;
  address: string;
  nodeAddress: string;
  keystore: KeystoreV3;
  seed?: number;
  scryptN?: number;
  c1?: number;
}
const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/keystore.json', import.meta.url), 'utf8')) as {
  official: Vector[];
  generated: Vector[];
};
const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');
const LIGHT = { scryptN: 1024 }; // ~1 ms instead of ~1 s: tests only
const KEY = new Uint8Array(32).fill(7);

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'hyperspace-keystore-'));
}

for (const v of vectors.official) {
  test(`decrypts the official ${v.name} vector to the spec's private key`, async () => {
    const d = await decryptKeystore(v.keystore, v.password);
    assert.equal(hex(d.secretKey), v.secretKey);
    assert.equal(d.address, v.address);
    assert.equal(hex(d.nodeAddress), v.nodeAddress);
  });
}

test('the official pbkdf2 vector rejects a wrong password with WrongPasswordError', async () => {
  const v = vectors.official.find((x) => x.keystore.crypto.kdf === 'pbkdf2')!;
  await assert.rejects(decryptKeystore(v.keystore, 'testpassworD'), WrongPasswordError);
});

for (const v of vectors.generated) {
  test(`encryptKeystore reproduces the golden ${v.name}`, async () => {
    const keystore = await encryptKeystore(Buffer.from(v.secretKey.slice(2), 'hex'), v.password, {
      scryptN: v.scryptN!,
      random: new SeededRandom(v.seed!),
      ...(v.c1 === undefined ? {} : { meta: { c1: v.c1 } }),
    });
    assert.deepEqual(keystore, v.keystore);
  });

  test(`an independent decoder (noble scrypt + keccak) reads the golden ${v.name}`, () => {
    // Re-derives everything from the spec without our code: proves the format, not just self-consistency.
    const c = v.keystore.crypto;
    const kp = c.kdfparams as { n: number; r: number; p: number; salt: string };
    const dk = nobleScrypt(new TextEncoder().encode(v.password), Buffer.from(kp.salt, 'hex'), {
      N: kp.n,
      r: kp.r,
      p: kp.p,
      dkLen: 32,
    });
    const ct = Buffer.from(c.ciphertext, 'hex');
    assert.equal(Buffer.from(keccak_256(Buffer.concat([dk.subarray(16, 32), ct]))).toString('hex'), c.mac);
    const d = createDecipheriv('aes-128-ctr', dk.subarray(0, 16), Buffer.from(c.cipherparams.iv, 'hex'));
    assert.equal('0x' + Buffer.concat([d.update(ct), d.final()]).toString('hex'), v.secretKey);
    assert.equal(v.keystore.address, v.address.slice(2).toLowerCase());
    assert.match(v.keystore.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
}

test('round trip: encrypt then decrypt returns the key; a wrong password is WrongPasswordError', async () => {
  const ks = await encryptKeystore(KEY, 'correct horse', LIGHT);
  assert.equal(ks.crypto.kdf, 'scrypt');
  assert.deepEqual(
    { n: (ks.crypto.kdfparams as { n: number }).n, r: (ks.crypto.kdfparams as { r: number }).r },
    { n: 1024, r: 8 },
  );
  const d = await decryptKeystore(JSON.stringify(ks), 'correct horse');
  assert.deepEqual(d.secretKey, KEY);
  await assert.rejects(decryptKeystore(ks, 'correct horsE'), WrongPasswordError);
  await assert.rejects(decryptKeystore(ks, ''), WrongPasswordError);
});

test('DEFAULTS writes geth-standard scrypt parameters; the read limits admit up to 2 × that, not 4 ×', () => {
  assert.deepEqual([DEFAULTS.scryptN, DEFAULTS.scryptR, DEFAULTS.scryptP], [262144, 8, 1]);
  checkScryptCost(2 ** 18, 8, 1);
  checkScryptCost(2 ** 19, 8, 1);
  checkScryptCost(2 ** 18, 1, 8); // the spec's own vector
  assert.throws(() => checkScryptCost(2 ** 20, 8, 1), /memory/);
  assert.throws(() => checkScryptCost(2 ** 18, 8, 8), /work/);
});

test('two keystores of the same key differ in salt, iv and id', async () => {
  const a = await encryptKeystore(KEY, 'pw', LIGHT);
  const b = await encryptKeystore(KEY, 'pw', LIGHT);
  assert.notEqual(a.id, b.id);
  assert.notEqual(a.crypto.cipherparams.iv, b.crypto.cipherparams.iv);
  assert.notEqual(a.crypto.ciphertext, b.crypto.ciphertext);
});

test('encryptKeystore refuses an invalid secret key and a too-costly n', async () => {
  await assert.rejects(encryptKeystore(new Uint8Array(32), 'pw', LIGHT), /secret key/);
  await assert.rejects(encryptKeystore(new Uint8Array(31).fill(1), 'pw', LIGHT), /secret key/);
  await assert.rejects(encryptKeystore(KEY, 'pw', { scryptN: 2 ** 20 }), CorruptKeystoreError);
  await assert.rejects(encryptKeystore(KEY, 'pw', { scryptN: 1000 }), /power of two/);
});

test('errors never contain the password or the key', async () => {
  const password = 'super-secret-password-123';
  const ks = await encryptKeystore(KEY, password, LIGHT);
  const keyHex = Buffer.from(KEY).toString('hex');
  for (const attempt of [
    () => decryptKeystore(ks, password + 'x'),
    () => decryptKeystore({ ...ks, address: '00'.repeat(20) }, password),
    () => decryptKeystore({ ...ks, version: 4 }, password),
  ]) {
    const error = await attempt().then(
      () => assert.fail('should have thrown'),
      (e: unknown) => e as Error,
    );
    const text = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    assert.ok(!text.includes(password), text);
    assert.ok(!text.includes(keyHex), text);
  }
});

// -- strict validation ----------------------------------------------------------------------

async function baseKeystore(): Promise<KeystoreV3> {
  return encryptKeystore(KEY, 'pw', { ...LIGHT, random: new SeededRandom(9) });
}

function mutate(ks: KeystoreV3, change: (k: Record<string, any>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(ks));
  change(copy);
  return copy;
}

test('parseKeystore rejects each malformed field with CorruptKeystoreError', async () => {
  const ks = await baseKeystore();
  const cases: [string, (k: Record<string, any>) => void][] = [
    ['version 2', (k) => (k.version = 2)],
    ['version as string', (k) => (k.version = '3')],
    ['missing id', (k) => delete k.id],
    ['id not a uuid', (k) => (k.id = 'hello')],
    ['address too short', (k) => (k.address = 'abcd')],
    ['address not hex', (k) => (k.address = 'zz'.repeat(20))],
    ['crypto missing', (k) => delete k.crypto],
    ['crypto is an array', (k) => (k.crypto = [])],
    ['cipher aes-128-cbc', (k) => (k.crypto.cipher = 'aes-128-cbc')],
    ['iv 15 bytes', (k) => (k.crypto.cipherparams.iv = '00'.repeat(15))],
    ['iv odd hex', (k) => (k.crypto.cipherparams.iv = '0'.repeat(31))],
    ['iv number', (k) => (k.crypto.cipherparams.iv = 5)],
    ['ciphertext 33 bytes', (k) => (k.crypto.ciphertext = '00'.repeat(33))],
    ['ciphertext empty', (k) => (k.crypto.ciphertext = '')],
    ['mac 31 bytes', (k) => (k.crypto.mac = '00'.repeat(31))],
    ['kdf argon2', (k) => (k.crypto.kdf = 'argon2')],
    ['dklen 16', (k) => (k.crypto.kdfparams.dklen = 16)],
    ['salt empty', (k) => (k.crypto.kdfparams.salt = '')],
    ['salt 1 KiB', (k) => (k.crypto.kdfparams.salt = '00'.repeat(1024))],
    ['n not a power of two', (k) => (k.crypto.kdfparams.n = 1000)],
    ['n as string', (k) => (k.crypto.kdfparams.n = '1024')],
    ['n = 1', (k) => (k.crypto.kdfparams.n = 1)],
    ['r = 0', (k) => (k.crypto.kdfparams.r = 0)],
    ['p fractional', (k) => (k.crypto.kdfparams.p = 1.5)],
    // Hostile costs: each would take gigabytes or hours.
    ['n = 2^30 (128 GiB)', (k) => (k.crypto.kdfparams.n = 2 ** 30)],
    ['n = 2^20, r = 8 (1 GiB)', (k) => (k.crypto.kdfparams.n = 2 ** 20)],
    ['r = 2^20', (k) => (k.crypto.kdfparams.r = 2 ** 20)],
    ['p = 2^20 (hours of work)', (k) => (k.crypto.kdfparams.p = 2 ** 20)],
    ['x-hyperspace.c1 = 999', (k) => (k['x-hyperspace'] = { c1: 999 })],
  ];
  for (const [name, change] of cases) {
    assert.throws(() => parseKeystore(mutate(ks, change)), CorruptKeystoreError, name);
  }
  // And the pbkdf2 branch.
  const p = vectors.official.find((x) => x.keystore.crypto.kdf === 'pbkdf2')!.keystore;
  for (const [name, change] of [
    ['prf sha512', (k: Record<string, any>) => (k.crypto.kdfparams.prf = 'hmac-sha512')],
    ['c = 0', (k: Record<string, any>) => (k.crypto.kdfparams.c = 0)],
    ['c = 2^30', (k: Record<string, any>) => (k.crypto.kdfparams.c = 2 ** 30)],
    ['c missing', (k: Record<string, any>) => delete k.crypto.kdfparams.c],
  ] as const) {
    assert.throws(() => parseKeystore(mutate(p, change)), CorruptKeystoreError, name);
  }
});

test('parseKeystore accepts tool variations: extra keys, 0x and upper-case hex, legacy "Crypto"', async () => {
  const ks = await baseKeystore();
  const variant = mutate(ks, (k) => {
    k['x-ethers'] = { client: 'ethers' };
    k.address = '0x' + k.address.toUpperCase();
    k.crypto.mac = k.crypto.mac.toUpperCase();
    k.Crypto = k.crypto;
    delete k.crypto;
  });
  const d = await decryptKeystore(variant, 'pw');
  assert.deepEqual(d.secretKey, KEY);
});

test('parseKeystore survives random and truncated input without crashing', async () => {
  const text = JSON.stringify(await baseKeystore());
  const random = new SeededRandom(42);
  for (let i = 0; i < text.length; i += 7) {
    assert.throws(() => parseKeystore(text.slice(0, i)), CorruptKeystoreError);
  }
  for (let i = 0; i < 200; i++) {
    const bytes = random.bytes(1 + (i % 64));
    assert.throws(() => parseKeystore(Buffer.from(bytes).toString('latin1')), CorruptKeystoreError);
  }
  for (const value of [null, 3, 'x', [], true, {}, { version: 3 }]) {
    assert.throws(() => parseKeystore(value), CorruptKeystoreError);
  }
});

test('a flipped ciphertext bit is caught by the MAC; a wrong address field is CorruptKeystoreError', async () => {
  const ks = await baseKeystore();
  const flipped = mutate(ks, (k) => {
    k.crypto.ciphertext = (k.crypto.ciphertext[0] === '0' ? '1' : '0') + k.crypto.ciphertext.slice(1);
  });
  await assert.rejects(decryptKeystore(flipped, 'pw'), WrongPasswordError);
  const otherAddress = mutate(ks, (k) => (k.address = '11'.repeat(20)));
  await assert.rejects(decryptKeystore(otherAddress, 'pw'), /address field does not match/);
});

// -- files ------------------------------------------------------------------------------------

test('writeKeystoreFile writes mode 0600, leaves no temp file, and refuses to overwrite without force', async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, 'node.json');
    const ks = await baseKeystore();
    await writeKeystoreFile(path, ks);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['node.json']);
    const before = await readFile(path);
    const other = await encryptKeystore(new Uint8Array(32).fill(8), 'pw', LIGHT);
    await assert.rejects(writeKeystoreFile(path, other), KeystoreExistsError);
    assert.deepEqual(await readFile(path), before);
    assert.deepEqual(await readdir(dir), ['node.json']);
    await writeKeystoreFile(path, other, { force: true });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual((await unlockKeystoreFile(path, 'pw')).secretKey, new Uint8Array(32).fill(8));
    assert.deepEqual(await readdir(dir), ['node.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('writeKeystoreFile into a missing directory is a typed error', async () => {
  const dir = await tempDir();
  try {
    await assert.rejects(writeKeystoreFile(join(dir, 'nope', 'k.json'), await baseKeystore()), { code: 'KEYSTORE_IO' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a wrong password or a corrupt file changes nothing on disk', async () => {
  const dir = await tempDir();
  try {
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    await writeKeystoreFile(good, await baseKeystore());
    await writeFile(bad, '{"version":3,', { mode: 0o600 });
    const snapshot = async () =>
      Promise.all(
        (await readdir(dir)).sort().map(async (name) => {
          const s = await stat(join(dir, name));
          return [name, (await readFile(join(dir, name))).toString('hex'), s.mode, s.mtimeMs];
        }),
      );
    const before = await snapshot();
    await assert.rejects(unlockKeystoreFile(good, 'wrong'), WrongPasswordError);
    await assert.rejects(unlockKeystoreFile(bad, 'pw'), CorruptKeystoreError);
    assert.deepEqual(await snapshot(), before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('readKeystoreFile: missing file, oversized file, directory, non-UTF-8 — each a typed error', async () => {
  const dir = await tempDir();
  try {
    await assert.rejects(readKeystoreFile(join(dir, 'absent.json')), KeystoreNotFoundError);
    const big = join(dir, 'big.json');
    await writeFile(big, ' '.repeat(DEFAULTS.maxFileBytes + 1));
    await assert.rejects(readKeystoreFile(big), /larger than/);
    await assert.rejects(readKeystoreFile(dir), CorruptKeystoreError);
    const binary = join(dir, 'bin.json');
    await writeFile(binary, Buffer.from([0xff, 0xfe, 0x00, 0x7b]));
    await assert.rejects(readKeystoreFile(binary), CorruptKeystoreError);
    const unreadable = join(dir, 'unreadable.json');
    await writeFile(unreadable, '{}', { mode: 0o000 });
    await chmod(unreadable, 0o000);
    if (process.getuid?.() !== 0) await assert.rejects(readKeystoreFile(unreadable), { code: 'KEYSTORE_IO' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('readKeystoreFile refuses a FIFO at once instead of waiting for a writer', { skip: process.platform === 'win32' ? 'no mkfifo' : false }, async () => {
  const dir = await tempDir();
  const fifo = join(dir, 'fifo.json');
  let timer: NodeJS.Timeout | undefined;
  let outcome: unknown = 'still waiting';
  try {
    execFileSync('mkfifo', [fifo]);
    // A blocking open would wait forever for a writer. The right answer is one fstat away; the 60 s cap only
    // turns that hang into a failure (and lets the finally block release the open), whatever the machine's load.
    outcome = await Promise.race([
      readKeystoreFile(fifo).then(
        () => 'read',
        (error: unknown) => error,
      ),
      new Promise((resolve) => (timer = setTimeout(resolve, 60_000, 'still waiting'))),
    ]);
    assert.ok(outcome instanceof CorruptKeystoreError, String(outcome));
    assert.match(outcome.message, /not a regular file/);
  } finally {
    clearTimeout(timer);
    // On failure, release the blocked open (a writer appears) so the test process can exit.
    if (outcome === 'still waiting') closeSync(openSync(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
    await rm(dir, { recursive: true, force: true });
  }
});
