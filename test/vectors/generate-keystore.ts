/**
 * Writes test/vectors/keystore.json (run once: `node_modules/.bin/node test/vectors/generate-keystore.ts`).
 *
 * - `official`: the two test vectors of the Web3 Secret Storage Definition
 *   (ethereum/wiki, "Web3 Secret Storage Definition", PBKDF2-SHA-256 and scrypt),
 *   transcribed by hand. They are checked here before being written: decryption
 *   must pass the keccak MAC and yield the spec's private key, which a wrong
 *   digit anywhere would break. Note the scrypt vector's r = 1, p = 8 (the spec
 *   swapped them relative to what tools write) and its id, which is not a v4 UUID.
 * - `generated`: keystores produced by our encryptKeystore from a SeededRandom
 *   with a light n, so a change in our output format shows up as a diff.
 */
import { writeFileSync } from 'node:fs';
import { SeededRandom } from '../../src/common/clock.ts';
import { decryptKeystore, encryptKeystore } from '../../src/identity/keystore.ts';
import { keccak256 } from '../../src/crypto/keccak.ts';

const SPEC_PRIVATE_KEY = '7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';

const official = [
  {
    name: 'web3-secret-storage spec: PBKDF2-SHA-256',
    password: 'testpassword',
    secretKey: `0x${SPEC_PRIVATE_KEY}`,
    derivedKey: '0xf06d69cdc7da0faffb1008270bca38f5e31891a3a773950e6d0fea48a7188551',
    keystore: {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
        ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
        kdf: 'pbkdf2',
        kdfparams: {
          c: 262144,
          dklen: 32,
          prf: 'hmac-sha256',
          salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd',
        },
        mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
      },
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      version: 3,
    },
  },
  {
    name: 'web3-secret-storage spec: scrypt',
    password: 'testpassword',
    secretKey: `0x${SPEC_PRIVATE_KEY}`,
    derivedKey: '0xfac192ceb5fd772906bea3e118a69e8bbb5cc24229e20d8766fd298291bba6bd',
    keystore: {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
        ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
        kdf: 'scrypt',
        kdfparams: {
          dklen: 32,
          n: 262144,
          p: 8,
          r: 1,
          salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19',
        },
        mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097',
      },
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      version: 3,
    },
  },
];

const out: { official: unknown[]; generated: unknown[] } = { official: [], generated: [] };

for (const v of official) {
  const d = await decryptKeystore(v.keystore, v.password); // throws on a MAC mismatch
  const hex = '0x' + Buffer.from(d.secretKey).toString('hex');
  if (hex !== v.secretKey) throw new Error(`${v.name}: decrypted ${hex}`);
  out.official.push({ ...v, address: d.address, nodeAddress: '0x' + Buffer.from(d.nodeAddress).toString('hex') });
}

const generatedCases = [
  { name: 'hyperspace encryptKeystore, ASCII password, n=1024', seed: 1, password: 'testpassword', scryptN: 1024, c1: 8 },
  // A non-ASCII password pins the UTF-8 encoding without Unicode normalisation (geth/MetaMask behaviour).
  { name: 'hyperspace encryptKeystore, non-ASCII password, n=2048', seed: 2, password: 'pa\u0308sswört 🔑', scryptN: 2048 },
];
for (const c of generatedCases) {
  const secretKey = keccak256(new TextEncoder().encode(`hyperspace keystore vector ${c.seed}`));
  const keystore = await encryptKeystore(secretKey, c.password, {
    scryptN: c.scryptN,
    random: new SeededRandom(c.seed),
    ...(c.c1 === undefined ? {} : { meta: { c1: c.c1 } }),
  });
  const d = await decryptKeystore(keystore, c.password);
  out.generated.push({
    name: c.name,
    seed: c.seed,
    password: c.password,
    scryptN: c.scryptN,
    ...(c.c1 === undefined ? {} : { c1: c.c1 }),
    secretKey: '0x' + Buffer.from(secretKey).toString('hex'),
    address: d.address,
    nodeAddress: '0x' + Buffer.from(d.nodeAddress).toString('hex'),
    keystore,
  });
}

const file = new URL('./keystore.json', import.meta.url);
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${file.pathname}`);
