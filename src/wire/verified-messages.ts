/**
 * A Query or Receipt whose EIP-712 signature was checked once, at the trust boundary (§2.2; issue 13 "verify each
 * signature once"; docs/decisions/0004-native-secp256k1-hot-path.md).
 *
 * `verifyQuery` / `verifyReceipt` recover the signer on the fast backend (crypto/fast-verify.ts), check it is the
 * address the message names (`query.client`, `receipt.node`), and return the message with its digest and its
 * `VerifiedSignature`. The sequencer, scheduler and fee batches take these types, not raw signatures, so a message
 * is never re-verified as it moves through the server, and the digest (the `queryHash` receipts name) is computed
 * once too.
 */
import { toHex, bytesEqual } from '../common/bytes.ts';
import { nodeAddressOf } from '../identity/node-address.ts';
import { SignatureError } from '../crypto/signature.ts';
import { verifySignature, type VerifiedSignature } from '../crypto/fast-verify.ts';
import type { Eip712Domain } from './eip712.ts';
import { ForgedSignatureError } from './errors.ts';
import { queryDigest, receiptDigest, type Query, type Receipt } from './query-receipt.ts';

export interface VerifiedQuery {
  readonly query: Query;
  /** EIP-712 digest of the query: the `queryHash` every receipt for it names. */
  readonly queryHash: Uint8Array;
  readonly signature: VerifiedSignature;
}

export interface VerifiedReceipt {
  readonly receipt: Receipt;
  /** EIP-712 digest of the receipt (what the node signed, what a fraud claim hands to `ecrecover`). */
  readonly receiptHash: Uint8Array;
  readonly signature: VerifiedSignature;
}

/** The 20-byte Ethereum address of an uncompressed key: the last 20 bytes of its NodeAddress. */
function addressOfKey(publicKey: Uint8Array): Uint8Array {
  return nodeAddressOf(publicKey).subarray(12);
}

function recoverAs(kind: string, digest: Uint8Array, signature: Uint8Array, claimed: Uint8Array): VerifiedSignature {
  let verified: VerifiedSignature;
  try {
    verified = verifySignature(digest, signature);
  } catch (error) {
    if (error instanceof SignatureError) throw new ForgedSignatureError(kind, toHex(claimed), error.details.reason, error);
    throw error;
  }
  if (!bytesEqual(addressOfKey(verified.publicKey), claimed)) {
    throw new ForgedSignatureError(kind, toHex(claimed), 'signature recovers to another address');
  }
  return verified;
}

/** Checks the client's signature over the query; ForgedSignatureError when it is malformed or not `query.client`'s. */
export function verifyQuery(domain: Eip712Domain, query: Query, signature: Uint8Array): VerifiedQuery {
  const queryHash = queryDigest(domain, query);
  return Object.freeze({ query, queryHash, signature: recoverAs('eip712 Query', queryHash, signature, query.client) });
}

/** Checks the node's signature over the receipt; ForgedSignatureError when it is malformed or not `receipt.node`'s. */
export function verifyReceipt(domain: Eip712Domain, receipt: Receipt, signature: Uint8Array): VerifiedReceipt {
  const receiptHash = receiptDigest(domain, receipt);
  return Object.freeze({ receipt, receiptHash, signature: recoverAs('eip712 Receipt', receiptHash, signature, receipt.node) });
}
