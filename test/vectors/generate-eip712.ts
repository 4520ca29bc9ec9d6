/**
 * Writes test/vectors/eip712.json (run once: `node_modules/.bin/node test/vectors/generate-eip712.ts`).
 *
 * Every expected answer comes from viem (independent of src/wire/eip712.ts): type strings and type
 * hashes, struct hashes, the domain separator, the digest, and the signature by a fixed test key
 * (RFC 6979, so reproducible). All byte strings are 0x-hex and integers decimal strings, so the
 * Solidity tests can read the same file.
 */
import { writeFileSync } from 'node:fs';
import { hashDomain, hashStruct, hashTypedData, keccak256, recoverTypedDataAddress, toHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { QUERY_TYPES, RECEIPT_TYPES } from '../../src/wire/query-receipt.ts';

const KEY: Hex = '0x8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f';
const CLIENT_KEY: Hex = '0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const node = privateKeyToAccount(KEY);
const client = privateKeyToAccount(CLIENT_KEY);
const h = (s: string): Hex => keccak256(toHex(s));

const domains = [
  { name: 'Hyperspace', version: '1', chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Hex },
  { name: 'Hyperspace', version: '1', chainId: 1n, verifyingContract: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' as Hex },
];

const DOMAIN_TYPES = {
  EIP712Domain: [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ],
} as const;

function typeString(types: Record<string, readonly { name: string; type: string }[]>, primary: string): string {
  return `${primary}(${types[primary]!.map((f) => `${f.type} ${f.name}`).join(',')})`;
}

const jsonOf = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));

const entries = [];
for (const [i, domain] of domains.entries()) {
  const query = {
    client: client.address,
    modelHash: h(`model ${i}`),
    promptHash: h(`prompt ${i}`),
    paramsHash: h(`params ${i}`),
    maxFee: 10n ** 16n + BigInt(i),
    nonce: BigInt(i + 1),
    deadline: 1_717_171_717n + BigInt(i),
  };
  const queryDigest = hashTypedData({ domain, types: QUERY_TYPES, primaryType: 'Query', message: query });
  const querySignature = await client.signTypedData({ domain, types: QUERY_TYPES, primaryType: 'Query', message: query });
  const receipts = [h(`output A ${i}`), h(`output B ${i}`)].map((outputHash, j) => ({
    queryHash: queryDigest,
    modelHash: query.modelHash,
    outputHash,
    traceRoot: h(`trace ${j} ${i}`),
    node: node.address,
    fee: 5n * 10n ** 15n,
    issuedAt: 1_717_171_000n + BigInt(j),
  }));
  const receiptEntries = [];
  for (const receipt of receipts) {
    const digest = hashTypedData({ domain, types: RECEIPT_TYPES, primaryType: 'Receipt', message: receipt });
    const signature = await node.signTypedData({ domain, types: RECEIPT_TYPES, primaryType: 'Receipt', message: receipt });
    const signer = await recoverTypedDataAddress({ domain, types: RECEIPT_TYPES, primaryType: 'Receipt', message: receipt, signature });
    if (signer !== node.address) throw new Error('receipt signature does not recover');
    receiptEntries.push({
      message: jsonOf(receipt),
      structHash: hashStruct({ data: receipt, primaryType: 'Receipt', types: RECEIPT_TYPES }),
      digest,
      signature,
      signer,
    });
  }
  entries.push({
    domain: { ...domain, chainId: domain.chainId.toString() },
    domainSeparator: hashDomain({ domain, types: DOMAIN_TYPES }),
    query: {
      message: jsonOf(query),
      structHash: hashStruct({ data: query, primaryType: 'Query', types: QUERY_TYPES }),
      digest: queryDigest,
      signature: querySignature,
      signer: client.address,
    },
    // Same queryHash and modelHash, different outputHash and traceRoot: a conflicting pair (fraud proof premise).
    receipts: receiptEntries,
  });
}

const vectors = {
  description:
    'EIP-712 Query and Receipt (docs/spec/wire.md §8), computed with viem. digest = keccak256(0x19 0x01 domainSeparator structHash); signature = r s v (v 27/28).',
  keys: { node: KEY, nodeAddress: node.address, client: CLIENT_KEY, clientAddress: client.address },
  types: {
    Query: { encodeType: typeString(QUERY_TYPES, 'Query'), typeHash: h(typeString(QUERY_TYPES, 'Query')) },
    Receipt: { encodeType: typeString(RECEIPT_TYPES, 'Receipt'), typeHash: h(typeString(RECEIPT_TYPES, 'Receipt')) },
    EIP712Domain: { encodeType: typeString(DOMAIN_TYPES, 'EIP712Domain'), typeHash: h(typeString(DOMAIN_TYPES, 'EIP712Domain')) },
  },
  entries,
};

writeFileSync(new URL('./eip712.json', import.meta.url), JSON.stringify(vectors, null, 2) + '\n');
console.log('wrote eip712.json');
