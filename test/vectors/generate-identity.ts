/**
 * Writes test/vectors/identity.json (run once: `node_modules/.bin/node test/vectors/generate-identity.ts`).
 *
 * Every expected answer is computed by libraries independent of our identity code — @noble/curves for
 * the public key, @noble/hashes for keccak256, viem for the checksummed Ethereum address — so the vector
 * test compares our code against them. Our grinder is used only to *find* the c1 = 12 and c2 = 12
 * solutions, which are then re-checked with the independent libraries before being written.
 *
 * All byte strings are 0x-hex (lower case, except the EIP-55 `address`), all counts plain numbers, so
 * the contract tests can read the same file.
 */
import { writeFileSync } from 'node:fs';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { privateKeyToAddress } from 'viem/accounts';
import { grindStaticIdentity, solveDynamicPuzzle } from '../../src/identity/grind.ts';

const N = secp256k1.Point.CURVE().n;
const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;
const scalar = (v: bigint): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function zeroBits(h: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < 256 && ((h[i >> 3]! >> (7 - (i & 7))) & 1) === 0; i++) n++;
  return n;
}

function keyEntry(name: string, secretKey: Uint8Array) {
  const publicKey = secp256k1.getPublicKey(secretKey, false);
  const nodeAddress = keccak_256(publicKey.subarray(1));
  const staticHash = keccak_256(nodeAddress);
  return {
    name,
    secretKey: hex(secretKey),
    publicKey: hex(publicKey),
    nodeAddress: hex(nodeAddress),
    address: privateKeyToAddress(hex(secretKey)),
    staticHash: hex(staticHash),
    staticBits: zeroBits(staticHash),
  };
}

function dynamicEntry(name: string, nodeAddress: Uint8Array, x: Uint8Array, c2: number) {
  const hash = keccak_256(nodeAddress.map((b, i) => b ^ x[i]!));
  const dynamicBits = zeroBits(hash);
  return { name, nodeAddress: hex(nodeAddress), x: hex(x), c2, dynamicHash: hex(hash), dynamicBits, valid: dynamicBits >= c2 };
}

const keys = [
  keyEntry('secret 1 (public key = G)', scalar(1n)),
  keyEntry('secret 2', scalar(2n)),
  keyEntry('secret n - 1 (public key = -G)', scalar(N - 1n)),
  ...[0, 1, 2, 3, 4].map((i) => keyEntry(`keccak256("hyperspace identity vector ${i}")`, keccak_256(text(`hyperspace identity vector ${i}`)))),
];

const na0 = Uint8Array.from(Buffer.from(keys[3]!.nodeAddress.slice(2), 'hex'));
const dynamic = [
  dynamicEntry('x = 0: hashes the NodeAddress itself', na0, new Uint8Array(32), 0),
  dynamicEntry('x = NodeAddress: hashes 32 zero bytes', na0, na0, 1),
  dynamicEntry('x = all ones', na0, new Uint8Array(32).fill(0xff), 0),
  dynamicEntry('x = keccak256("x"), c2 = 8', na0, keccak_256(text('x')), 8),
];

// Found solutions: ground once with our workers, re-checked here with noble and viem before writing.
const id = await grindStaticIdentity(12);
const staticSolution = { ...keyEntry('found solution, c1 = 12', id.secretKey), c1: 12 };
if (staticSolution.staticBits < 12) throw new Error('grinder returned a weak key');
const dyn = await solveDynamicPuzzle(id.nodeAddress, 12);
const dynamicSolution = dynamicEntry('found solution, c2 = 12', id.nodeAddress, dyn.x, 12);
if (!dynamicSolution.valid) throw new Error('grinder returned a weak x');

const vectors = {
  description:
    'Identity golden vectors (DESIGN.md §1.1). NodeAddress = keccak256(uncompressed public key without 0x04); address = EIP-55 of its last 20 bytes; ' +
    'staticHash = keccak256(NodeAddress), staticBits = its leading zero bits (static puzzle met iff staticBits >= c1); ' +
    'dynamicHash = keccak256(NodeAddress XOR x), dynamicBits = its leading zero bits (dynamic puzzle met iff dynamicBits >= c2).',
  generatedBy: 'test/vectors/generate-identity.ts (noble curves, noble hashes, viem)',
  keys,
  dynamic,
  solutions: { static: staticSolution, dynamic: dynamicSolution },
};
writeFileSync(new URL('./identity.json', import.meta.url), JSON.stringify(vectors, null, 2) + '\n');
console.log(`wrote identity.json: ${keys.length} keys, ${dynamic.length} dynamic cases, c1 = 12 and c2 = 12 solutions`);
