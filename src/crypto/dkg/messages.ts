/**
 * DKG packets (whitepaper §2.2.1; docs/threshold.md §3.2). Each travels in a strong envelope (src/wire): signed by
 * the sender's node key over the domain tag, the body, a nonce and a timestamp, so a packet cannot be forged,
 * replayed (the replay guard refuses a second (sender, nonce)) or passed off as another kind.
 *
 *   deal           dealer → all   commitments C_0..C_{t−1} (G2, 256 B each) and one sealed share per member
 *   response       member → all   per dealer: ok / bad share / missing, and the hash of the commitments it holds
 *                                  (the echo: every member learns whether all saw the same commitments)
 *   justification  any → all      as an accused dealer: its commitments again and the complainers' shares in the
 *                                  clear; as a member: the signed deals it holds of dealers whose hashes conflict
 */
import { defineDomain } from '../domains.ts';
import { messageKind } from '../../wire/envelope.ts';
import { bytes, list, struct, u16, u8, varBytes, type Infer } from '../../wire/schema.ts';
import { G2_BYTES, SCALAR_BYTES } from '../bls/points.ts';
import { MAX_MEMBERS } from '../bls/polynomial.ts';
import { SHARE_BOX_BYTES } from './share-box.ts';

export const SESSION_BYTES = 32;
/** Signed deals one justification may carry as evidence (each ≤ ~90 KB at 256 members, so 8 stay under the 1 MiB message cap). */
export const MAX_EVIDENCE = 8;
const MAX_DEAL_ENVELOPE = 96 * 1024;

export const DealBody = struct({
  session: bytes(SESSION_BYTES),
  dealer: u16,
  commitments: list(bytes(G2_BYTES), MAX_MEMBERS),
  /** boxes[i] is sealed to member i + 1. */
  boxes: list(bytes(SHARE_BOX_BYTES), MAX_MEMBERS),
});

/** Response statuses. */
export const STATUS = { ok: 0, badShare: 1, missing: 2 } as const;

export const ResponseBody = struct({
  session: bytes(SESSION_BYTES),
  member: u16,
  entries: list(struct({ dealer: u16, status: u8, commitmentsHash: bytes(32) }), MAX_MEMBERS),
});

export const JustificationBody = struct({
  session: bytes(SESSION_BYTES),
  /** The sender's dealer index when it answers complaints against its deal, else 0. */
  dealer: u16,
  /** The sender's member index when it forwards evidence, else 0 (at a fresh DKG the two indices are the same). */
  member: u16,
  /** The sender's own commitments when it answers complaints (empty otherwise). */
  commitments: list(bytes(G2_BYTES), MAX_MEMBERS),
  revealed: list(struct({ recipient: u16, share: bytes(SCALAR_BYTES) }), MAX_MEMBERS),
  /** Signed deal envelopes of other dealers, forwarded as they were received. */
  evidence: list(varBytes(MAX_DEAL_ENVELOPE), MAX_EVIDENCE),
});

export type DealBody = Infer<typeof DealBody>;
export type ResponseBody = Infer<typeof ResponseBody>;
export type JustificationBody = Infer<typeof JustificationBody>;

export const DKG_KINDS = {
  deal: messageKind(defineDomain('hyperspace/v1/dkg/deal', 'strong'), DealBody),
  response: messageKind(defineDomain('hyperspace/v1/dkg/response', 'strong'), ResponseBody),
  justification: messageKind(defineDomain('hyperspace/v1/dkg/justification', 'strong'), JustificationBody),
} as const;
